#!/usr/bin/env bash
# Proves the sandbox Dockerfile without a registry or a Docker engine: builds a Debian bookworm base with
# debootstrap, a JDK image from that base plus a local JDK >= 21, then the runner and one language image with
# podman through images/build.sh, and executes hello world (and the interpreter libraries) through the runner
# in a container run as pods run it: UID 65532, read-only root, fresh /tmp and /mnt/data, no capabilities.
#
#   sudo images/prove-with-podman.sh [IMAGE]     IMAGE: a sandbox image or language (default python), or an app
#                                                (exec, files, state, health, pool-controller: started, probed)
#
# Needs root, podman, runc and debootstrap (apt-get install podman runc debootstrap) and network access to
# Debian's mirror. Podman runs with the flags that work on hosts with hybrid cgroups (runc, cgroupfs, vfs,
# file events), and explicit open-files and process limits (podman's defaults exceed what a host without
# CAP_SYS_RESOURCE may set). Work files go to $PROOF_DIR (default /tmp/kcr-proof); CI does not run this.
set -euo pipefail

image=${1:-python}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${PROOF_DIR:-/tmp/kcr-proof}
port=${PROOF_PORT:-18080}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$work"

for tool in podman runc debootstrap curl; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install podman runc debootstrap curl)" >&2; exit 1; }
done
jdk=${PROOF_JDK:-}
if [[ -z "$jdk" ]]; then
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
        [[ -x "$candidate/bin/jlink" ]] || continue
        version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | awk '/java.specification.version/ {print $3}')
        if [[ "${version%%.*}" -ge 21 ]]; then jdk=$candidate; break; fi
    done
fi
[[ -n "$jdk" ]] || { echo "no JDK >= 21 with jlink found; set PROOF_JDK" >&2; exit 1; }

# Podman settings that work here (STACK.md): runc, cgroupfs, vfs storage, file events.
cat > "$work/containers.conf" <<CONF
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
cat > "$work/storage.conf" <<CONF
[storage]
driver = "vfs"
runroot = "$work/storage/run"
graphroot = "$work/storage/graph"
CONF
export CONTAINERS_CONF="$work/containers.conf" CONTAINERS_STORAGE_CONF="$work/storage.conf"

step() { printf '\n==> %s\n' "$*"; }

if ! podman image exists localhost/kcr-proof/debian:bookworm; then
    step "debootstrap --variant=minbase bookworm"
    [[ -x "$work/rootfs/bin/bash" ]] || debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror"
    tar -C "$work/rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - localhost/kcr-proof/debian:bookworm
fi
if ! podman image exists localhost/kcr-proof/jdk:latest; then
    step "JDK image: the Debian base plus $jdk in /opt/java"
    rm -rf "$work/jdkfs" && cp -a "$work/rootfs" "$work/jdkfs" && mkdir -p "$work/jdkfs/opt"
    cp -rL "$jdk" "$work/jdkfs/opt/java"   # dereferenced: a packaged JDK links cacerts into /etc
    tar -C "$work/jdkfs" -c . | podman import \
        --change 'ENV JAVA_HOME=/opt/java' \
        --change 'ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        - localhost/kcr-proof/jdk:latest
    rm -rf "$work/jdkfs"
fi

step "images/build.sh localhost/kcr-proof proof $image"
started=$(date +%s)
# The JDK image doubles as the apps' JRE; the Maven build in apps/Dockerfile needs more open files than podman's
# build default allows.
ENGINE=podman BUILD_ARGS="--network host --ulimit nofile=20000:20000 \
--build-arg BASE_IMAGE=localhost/kcr-proof/debian:bookworm --build-arg JDK_IMAGE=localhost/kcr-proof/jdk:latest \
--build-arg JRE_IMAGE=localhost/kcr-proof/jdk:latest" "$root/images/build.sh" localhost/kcr-proof proof "$image"
echo "built in $(( $(date +%s) - started )) s"
ref=$("$root/images/build.sh" --list localhost/kcr-proof proof "$image")
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep kcr-proof || true

case "$image" in
    exec|files|state|health|pool-controller)
        step "run $ref as Knative would: \$PORT, no capabilities; without Redis/S3 it keeps state in memory"
        podman rm -f kcr-proof >/dev/null 2>&1 || true
        podman run -d --name kcr-proof --network host --cap-drop ALL --security-opt no-new-privileges \
            --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 -e PORT="$port" -e API_KEY=proof-key-0123456789abcdef "$ref" >/dev/null
        trap 'podman logs kcr-proof 2>&1 | tail -20; podman rm -f kcr-proof >/dev/null 2>&1 || true' EXIT
        for _ in $(seq 1 600); do
            curl -fs "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1 && break
            sleep 0.1
        done
        curl -sS "http://127.0.0.1:$port/q/health/ready"; echo
        podman exec kcr-proof id
        if [[ "$image" != pool-controller ]]; then
            curl -s -o /dev/null -w "POST /exec without a key: %{http_code}\n" "http://127.0.0.1:$port/exec" \
                -H 'content-type: application/json' -d '{"lang":"py","code":"print(1)"}'
        fi
        exit 0
        ;;
esac

step "run $ref as a pod would: UID 65532, read-only root, fresh /tmp and /mnt/data, no capabilities"
podman rm -f kcr-proof >/dev/null 2>&1 || true
# Fresh directories owned by 65532 stand in for the pod's emptyDirs (fsGroup 65532): podman 4.3 mounts a tmpfs
# over a directory the image has as root 0755, whatever mode it is given.
rm -rf "$work/pod" && mkdir -p "$work/pod/data" "$work/pod/tmp" && chown 65532:65532 "$work/pod/data" "$work/pod/tmp"
started_ms=$(date +%s%3N)
podman run -d --name kcr-proof --network host --read-only --user 65532:65532 \
    -v "$work/pod/tmp:/tmp" -v "$work/pod/data:/mnt/data" \
    --cap-drop ALL --security-opt no-new-privileges --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
    -e RUNNER_PORT="$port" -e RUNNER_BIND=127.0.0.1 "$ref" >/dev/null
trap 'podman logs kcr-proof 2>&1 | tail -20; podman rm -f kcr-proof >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
    sleep 0.1
done
echo "ready after $(( $(date +%s%3N) - started_ms )) ms"
curl -fsS "http://127.0.0.1:$port/status"; echo
echo "--- the runner's class-data-sharing archive maps (-Xshare:on fails if it cannot)"
podman exec kcr-proof /opt/kcr/jre/bin/java -Xshare:on -XX:SharedArchiveFile=/opt/kcr/runner.jsa \
    -cp /opt/kcr/runner.jar -version 2>&1 | tail -1

execute() {
    echo "--- $1"
    curl -sS "http://127.0.0.1:$port/execute" -H 'content-type: application/json' -d "$2"; echo
}
language=$(curl -fsS "http://127.0.0.1:$port/status" | sed -n 's/.*"language":"\([a-z0-9]*\)".*/\1/p')
case "$language" in
    py)
        execute "hello world" '{"lang":"py","code":"print(\"hello from\", __import__(\"sys\").version.split()[0])"}'
        execute "libraries" '{"lang":"py","code":"import numpy, pandas, matplotlib, scipy, PIL, openpyxl, cloudpickle\nimport matplotlib.pyplot as plt\nplt.plot([1,2,3]); plt.savefig(\"chart.png\")\nprint(numpy.__version__, pandas.__version__, matplotlib.__version__)"}'
        curl -fsS "http://127.0.0.1:$port/files"; echo
        execute "state" '{"lang":"py","code":"x = 41","capture_state":true}' | cut -c1-200
        ;;
    bash)
        execute "hello world" '{"lang":"bash","code":"echo hello from $BASH_VERSION"}'
        # Every toolchain from one script, as agents use LibreChat's bash tool (the JSON made by the host's python3).
        execute "every toolchain from bash" "$(python3 -c 'import json, sys; print(json.dumps({"lang": "bash", "code": sys.stdin.read()}))' <<'SCRIPT'
set -e
cd "$(mktemp -d)"
python3 -c 'import numpy, pandas, matplotlib.pyplot, scipy, PIL, openpyxl, seaborn, sympy; print("py", pandas.__version__)'
node -e 'console.log("js", process.version)'
echo 'const n: number = 42; console.log("ts", n);' > x.ts && tsc x.ts && node x.js
printf 'package main\nimport "fmt"\nfunc main() { fmt.Println("go", 42) }\n' > x.go && go run x.go
echo 'class X { public static void main(String[] a) { System.out.println("java 42"); } }' > X.java && javac X.java && java X
printf '#include <stdio.h>\nint main(void) { puts("c 42"); }\n' > x.c && gcc x.c -o xc && ./xc
printf '#include <iostream>\nint main() { std::cout << "cpp 42\\n"; }\n' > x.cpp && g++ x.cpp -o xcpp && ./xcpp
php -r 'echo "php 42\n";'
echo 'fn main() { println!("rs 42"); }' > x.rs && rustc x.rs -o xrs && ./xrs
Rscript -e 'cat("r 42\n")'
printf 'program x\nprint *, "f90 42"\nend program x\n' > x.f90 && gfortran x.f90 -o xf && ./xf
echo 'import std.stdio; void main() { writeln("d 42"); }' > x.d && ldc2 x.d -of=xd && ./xd
SCRIPT
)"
        ;;
    *)
        execute "hello world" '{"lang":"bash","code":"echo hello from $BASH_VERSION"}'
        ;;
esac
execute "read-only root" '{"lang":"bash","code":"touch /usr/x 2>&1; id; echo workdir=$(pwd)"}'
