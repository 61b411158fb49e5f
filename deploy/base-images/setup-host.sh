#!/usr/bin/env bash
# Prepares a Debian 12 (bookworm) host without systemd for build.sh and `docker compose`:
# Debian's docker.io and debootstrap, the Compose v2 plugin, and a running dockerd.
# Idempotent: whatever is already there is left alone.
#
#   sudo deploy/base-images/setup-host.sh
#
# DOCKERD_FLAGS (default "--iptables=false --storage-driver=overlay2" where the kernel has
# overlayfs, falling back to vfs if dockerd does not start with it) and DOCKERD_LOG (default
# /tmp/dockerd.log) set how dockerd is started. On a machine shared with other work, the
# daemon is started at the lowest CPU and I/O priority (nice 19, idle I/O class), which its
# containers inherit; LOTSE_DOCKERD_NICE=0 starts it at normal priority.
set -euo pipefail

# vfs works everywhere but copies every layer in full, for every image and every container
# (the project image is 3 GB, the stack runs seven containers of it); overlay2 shares them.
DEFAULT_FLAGS=0
if [[ -z ${DOCKERD_FLAGS:-} ]]; then
    DEFAULT_FLAGS=1
    driver=vfs
    grep -qw overlay /proc/filesystems 2>/dev/null && driver=overlay2
    DOCKERD_FLAGS="--iptables=false --storage-driver=$driver"
fi
DOCKERD_LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
log() { printf '[setup-host] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root"
. /etc/os-release
[[ ${VERSION_CODENAME:-} == bookworm ]] || log "warning: written for Debian bookworm, this is ${PRETTY_NAME:-unknown}"

# 1. Debian's Docker engine and debootstrap.
missing=()
for pkg in docker.io debootstrap; do
    dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# 2. Compose v2. Bookworm has only Compose v1 (package docker-compose 1.29) and no
# docker-compose-plugin; trixie's docker-compose (2.26) is the v2 plugin, one Go binary that
# needs only libc6 >= 2.34. Its .deb is fetched with a private apt configuration under /tmp,
# so the host's apt sources are not changed.
if ! docker compose version >/dev/null 2>&1; then
    t=$(mktemp -d /tmp/lotse-trixie-apt.XXXXXX)
    mkdir -p "$t/lists/partial" "$t/cache/archives/partial"
    echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' >"$t/sources.list"
    apt_opts=(-o "Dir::Etc::SourceList=$t/sources.list" -o Dir::Etc::SourceParts=/dev/null
              -o "Dir::State::Lists=$t/lists" -o "Dir::Cache=$t/cache" -o Dir::State::status=/dev/null
              -o APT::Sandbox::User=root)
    log "fetching docker-compose (v2) from Debian trixie"
    apt-get "${apt_opts[@]}" update -qq
    (cd "$t" && apt-get -qq "${apt_opts[@]}" download docker-compose >/dev/null)
    deb=$(find "$t" -maxdepth 1 -name 'docker-compose_2.*_amd64.deb' | head -n1)
    [[ -n $deb ]] || die "trixie's docker-compose is not version 2 any more; check: ls $t"
    dpkg -i "$deb" >/dev/null
    rm -rf "$t"
fi

# 3. The daemon (no systemd here: started in the background).
# start_dockerd FLAGS: 0 once the daemon answers (within 30 s), 1 if it exited or never did.
start_dockerd() {
    local nice=() pid
    [[ ${LOTSE_DOCKERD_NICE:-1} == 0 ]] || nice=(nice -n 19 ionice -c3)
    log "starting: ${nice[*]} dockerd $1 (log: $DOCKERD_LOG)"
    # shellcheck disable=SC2086  # the flags are a list of words
    nohup "${nice[@]}" dockerd $1 >>"$DOCKERD_LOG" 2>&1 </dev/null &
    pid=$!
    for _ in $(seq 30); do
        docker info >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 1
    done
    kill "$pid" 2>/dev/null || true
    return 1
}
if ! docker info >/dev/null 2>&1; then
    if ! start_dockerd "$DOCKERD_FLAGS"; then
        tail -n 20 "$DOCKERD_LOG" >&2
        if ((DEFAULT_FLAGS)) && [[ $DOCKERD_FLAGS == *overlay2* ]]; then
            log "dockerd did not start with overlay2; trying vfs"
            start_dockerd "--iptables=false --storage-driver=vfs" || { tail -n 20 "$DOCKERD_LOG" >&2; die "dockerd did not come up"; }
        else
            die "dockerd did not come up"
        fi
    fi
fi

log "$(docker version -f 'client {{.Client.Version}}, daemon {{.Server.Version}} (API {{.Server.APIVersion}})'), storage driver $(docker info -f '{{.Driver}}')"
log "$(docker compose version)"
