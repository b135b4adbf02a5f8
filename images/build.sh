#!/usr/bin/env bash
# Builds and tags KubeCodeRun's images with docker or podman, from the repository root as build context.
#
#   images/build.sh REGISTRY TAG [NAME...]     build (and with PUSH=1 push) REGISTRY/kubecoderun-<image>:TAG
#   images/build.sh --list REGISTRY TAG [NAME...]   print the image references only (the deployment tests use it)
#
# NAME is a language (py, js, ts, go, java, c, cpp, php, rs, r, f90, d, bash, or an alias such as python, rust),
# an image (python, node, go, java, cpp, php, rust, r, fortran, d, bash, exec, files, state, health,
# pool-controller), or `sandboxes` / `apps`; none means all. Sandbox images carry the runner (built in the
# Dockerfile's first stage); app images are the Quarkus functions and the pool controller in JVM mode.
#
# Environment: ENGINE=docker|podman (default: docker if it answers, else podman), PUSH=1 to push after
# building, BUILD_ARGS="--build-arg BASE_IMAGE=... --network host" passed to every build.
set -euo pipefail

list_only=false
if [[ "${1:-}" == "--list" ]]; then
    list_only=true
    shift
fi
if [[ $# -lt 2 ]]; then
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
registry=${1%/}
tag=$2
shift 2

# Image -> Dockerfile target. Language ids map onto images exactly as the pool controller's K8S_IMAGE_REGISTRY /
# K8S_IMAGE_TAG naming does (ControllerSettings.IMAGE_NAMES): c and cpp share one image, js and ts the Node one.
sandboxes=(python node go java cpp php rust r fortran d bash)
apps=(exec files state health pool-controller)

image_of() {
    case "${1,,}" in
        py|python|python3) echo python ;;
        js|javascript|node|nodejs|ts|typescript) echo node ;;
        go|golang) echo go ;;
        java) echo java ;;
        c|cpp|c++|cxx) echo cpp ;;
        php) echo php ;;
        rs|rust) echo rust ;;
        r|rscript) echo r ;;
        f90|fortran|f95|f03) echo fortran ;;
        d|dlang) echo d ;;
        bash|sh|shell) echo bash ;;
        exec|files|state|health|pool-controller) echo "${1,,}" ;;
        sandboxes) echo "${sandboxes[@]}" ;;
        apps) echo "${apps[@]}" ;;
        *) echo "unknown image or language: $1" >&2; return 1 ;;
    esac
}

selected=()
if [[ $# -eq 0 ]]; then
    selected=("${sandboxes[@]}" "${apps[@]}")
else
    for name in "$@"; do
        names=$(image_of "$name") || exit 2
        for image in $names; do
            [[ " ${selected[*]} " == *" $image "* ]] || selected+=("$image")
        done
    done
fi

if $list_only; then
    for image in "${selected[@]}"; do
        echo "$registry/kubecoderun-$image:$tag"
    done
    exit 0
fi

root=$(cd "$(dirname "$0")/.." && pwd)
engine=${ENGINE:-}
if [[ -z "$engine" ]]; then
    if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
        engine=docker
    elif command -v podman >/dev/null; then
        engine=podman
    else
        echo "neither a working docker nor podman found; set ENGINE" >&2
        exit 1
    fi
fi
read -r -a extra <<< "${BUILD_ARGS:-}"

for image in "${selected[@]}"; do
    dockerfile="$root/images/sandbox/Dockerfile"
    [[ " ${apps[*]} " == *" $image "* ]] && dockerfile="$root/images/apps/Dockerfile"
    ref="$registry/kubecoderun-$image:$tag"
    echo "==> $ref (target $image of ${dockerfile#"$root"/})"
    "$engine" build -f "$dockerfile" --target "$image" -t "$ref" "${extra[@]}" "$root"
    if [[ "${PUSH:-0}" == 1 ]]; then
        "$engine" push "$ref"
    fi
done
