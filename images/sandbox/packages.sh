#!/usr/bin/env bash
# Prints the Debian packages of sandbox images, one a line, from images/sandbox/packages (next to this script);
# `all` is every image. With --install, installs them with apt-get (no recommends) and empties apt's lists, as a
# Dockerfile RUN does.
#
#   images/sandbox/packages.sh python cpp        the python and cpp images' packages
#   images/sandbox/packages.sh all               every image's (the bash image; ./kcr test)
#   packages.sh --install bash                   in a Dockerfile, as root
set -euo pipefail

install=false
if [[ "${1:-}" == "--install" ]]; then
    install=true
    shift
fi
if [[ $# -eq 0 ]]; then
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
list="$(dirname "$0")/packages"
packages=()
for image in "$@"; do
    if [[ "$image" == all ]]; then
        line=$(sed -n 's/^[a-z-]*: *//p' "$list")
    else
        line=$(sed -n "s/^$image: *//p" "$list")
        [[ -n "$line" ]] || { echo "no image '$image' in $list" >&2; exit 2; }
    fi
    for package in $line; do
        [[ " ${packages[*]} " == *" $package "* ]] || packages+=("$package")
    done
done
if ! $install; then
    printf '%s\n' "${packages[@]}"
    exit 0
fi
# Debian's JDK packages write man page links; the slim base has no man1 directory for them.
mkdir -p /usr/share/man/man1
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
rm -rf /var/lib/apt/lists/*
