# Shared by scripts/test and scripts/demo: install what a fresh Debian 12 machine lacks.
# shellcheck shell=bash

DEBS=(etcd-server etcd-client nginx docker.io busybox-static python3-venv python3-pip ca-certificates openssl curl systemd debootstrap golang-go chromium iproute2 iptables util-linux)

deb_installed() {
    local status
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
    grep -q 'install ok installed' <<<"$status"
}

ensure_packages() {
    local missing=() pkg
    for pkg in "${DEBS[@]}"; do
        deb_installed "$pkg" || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages (run as root to install them): ${missing[*]}" >&2
        return 1
    fi
    echo "installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
    # Installing nginx (or etcd) may start the system service; we run our own instances.
    if [[ " ${missing[*]} " == *" nginx "* ]]; then
        service nginx stop >/dev/null 2>&1 || true
        if [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
            kill -QUIT "$(cat /run/nginx.pid)" || true
        fi
    fi
}

# Debian's Python 3.11 in .venv (re-created when missing or broken), the project installed.
ensure_venv() {
    if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
        echo "creating .venv" >&2
        rm -rf .venv
        /usr/bin/python3 -m venv .venv
    fi
    .venv/bin/python -m pip install -q -e '.[test,bench]'
}
