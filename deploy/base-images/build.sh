#!/usr/bin/env bash
# Builds local stand-ins for the three base images that Lotse's Dockerfile and
# docker-compose.yml name -- python:3.10.13-slim, postgres:15 and redis:7 -- from Debian
# bookworm packages, for machines that cannot pull from Docker Hub. See README.md beside
# this file for what differs from the official images.
#
#   sudo deploy/base-images/build.sh                 # build whichever of the three is missing
#   sudo deploy/base-images/build.sh --rebuild       # rebuild all three (fresh security updates)
#   sudo deploy/base-images/build.sh postgres redis  # only these
#
# Needs: root, debootstrap, a running Docker daemon, Debian's mirror over HTTP, and for the
# Python image a CPython 3.10.13 built for bookworm (default: the pyenv build in
# /root/.pyenv/versions/3.10.13). Nothing is pulled from a container registry.
#
# Environment overrides: LOTSE_DEBIAN_MIRROR, LOTSE_DEBIAN_SECURITY_MIRROR,
# LOTSE_DEBOOTSTRAP_CACHE (downloaded .debs, shared by all builds), LOTSE_BUILD_DIR
# (scratch rootfs trees), LOTSE_PYTHON_PREFIX, LOTSE_HOST_CAS (see "host CAs" below).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUITE=bookworm
MIRROR=${LOTSE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${LOTSE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
CACHE=${LOTSE_DEBOOTSTRAP_CACHE:-/var/cache/lotse-debootstrap}
WORK=${LOTSE_BUILD_DIR:-/tmp/lotse-base-images}
PY_PREFIX=${LOTSE_PYTHON_PREFIX:-/root/.pyenv/versions/3.10.13}
# The host's local CAs (Debian's place for them: *.crt there are added to the system bundle by
# update-ca-certificates). Where a proxy re-signs TLS, its CA is one of them; the python
# stand-in trusts them too and points pip at the system bundle, so that `pip install` in the
# project's unchanged Dockerfile works here. LOTSE_HOST_CAS=none leaves them out.
HOST_CAS=${LOTSE_HOST_CAS:-/usr/local/share/ca-certificates}
PY_VERSION=3.10.13
PG_MAJOR=15
# Heavy steps yield the CPU and the disk to everything else on the machine.
NICE=(nice -n 19 ionice -c3)
LABEL_NS=org.lotse.base-image

declare -A TAG=([python]=python:3.10.13-slim [postgres]=postgres:15 [redis]=redis:7)

usage() {
    sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'
Options:
  --rebuild        rebuild even if the tag already exists (also refreshes the shared base tree)
  -h, --help       this text
EOF
}

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

REBUILD=0
TARGETS=()
while (($#)); do
    case $1 in
        --rebuild) REBUILD=1 ;;
        -h|--help) usage; exit 0 ;;
        python|postgres|redis) TARGETS+=("$1") ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done
((${#TARGETS[@]})) || TARGETS=(python postgres redis)

# ------------------------------------------------------------------ prerequisites
[[ $(id -u) -eq 0 ]] || die "run as root (debootstrap and chroot need it)"
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
command -v docker >/dev/null || die "docker CLI is missing: apt-get install docker.io"
docker info >/dev/null 2>&1 || die "no Docker daemon answers (run setup-host.sh; README.md, 'The host')"
mkdir -p "$WORK/logs" "$CACHE/debootstrap" "$CACHE/apt/partial"
exec 9>"$WORK/.lock"
flock -n 9 || die "another build.sh is running (lock $WORK/.lock)"

# ------------------------------------------------------------------ chroot helpers
MOUNTS=()
release_mounts() {
    local i
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null || true
    done
    MOUNTS=()
}
trap release_mounts EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# rm -rf a scratch tree, but never while anything is mounted below it.
remove_tree() {
    local dir=$1
    [[ -n $dir && $dir == "$WORK"/* ]] || die "refusing to remove $dir (not under $WORK)"
    [[ -e $dir ]] || return 0
    if awk -v d="$dir/" 'index($2, d) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
        die "something is still mounted under $dir; unmount it first"
    fi
    rm -rf --one-file-system "$dir"
}

# Mounts /proc and the shared .deb cache into a tree, so that apt-get and maintainer scripts
# work in it and packages are downloaded once for all three images.
enter() {
    local root=$1
    mount -t proc proc "$root/proc" && MOUNTS+=("$root/proc")
    mkdir -p "$root/var/cache/apt/archives"
    mount --bind "$CACHE/apt" "$root/var/cache/apt/archives" && MOUNTS+=("$root/var/cache/apt/archives")
    # No service may start inside the build (the official Debian images ship the same file).
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
}

in_root() {
    local root=$1
    shift
    "${NICE[@]}" chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# Package manager output goes to $APT_LOG; its end is shown if something fails.
APT_LOG=/dev/null
apt_install() {
    local root=$1
    shift
    {
        in_root "$root" apt-get update -qq &&
            in_root "$root" apt-get -y -qq -o Dpkg::Use-Pty=0 dist-upgrade &&
            { ((!$#)) || in_root "$root" apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$@"; }
    } >>"$APT_LOG" 2>&1 || { tail -n 30 "$APT_LOG" >&2; die "apt-get failed in $root (log: $APT_LOG)"; }
}

# ------------------------------------------------------------------ shared base tree
# One debootstrap (minbase) for all three images; each image starts from a copy of it.
BASE=$WORK/base
build_base() {
    if [[ -f $BASE/.lotse-base-complete ]] && ((!REBUILD_BASE)); then
        log "base: reusing $BASE (debootstrapped $(cat "$BASE/.lotse-base-complete"))"
        return
    fi
    remove_tree "$BASE"
    log "base: debootstrap --variant=minbase $SUITE (log: $WORK/logs/debootstrap.log)"
    if ! "${NICE[@]}" debootstrap --variant=minbase --cache-dir="$CACHE/debootstrap" \
        "$SUITE" "$BASE" "$MIRROR" >"$WORK/logs/debootstrap.log" 2>&1; then
        tail -n 30 "$WORK/logs/debootstrap.log" >&2
        die "debootstrap failed"
    fi
    # bookworm, bookworm-updates and bookworm-security, like the official Debian images.
    rm -f "$BASE/etc/apt/sources.list"
    cat >"$BASE/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    # Slim like debian:bookworm-slim: no documentation, manual pages or translations from
    # packages installed later (the copyright files stay).
    cat >"$BASE/etc/dpkg/dpkg.cfg.d/lotse-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
    echo 'Acquire::Languages "none";' >"$BASE/etc/apt/apt.conf.d/docker-no-languages"
    enter "$BASE"
    APT_LOG=$WORK/logs/base.log
    : >"$APT_LOG"
    apt_install "$BASE"
    release_mounts
    date -u +%FT%TZ >"$BASE/.lotse-base-complete"
}

new_tree() {
    local root=$1
    remove_tree "$root"
    cp -a "$BASE" "$root"
    rm -f "$root/.lotse-base-complete"
}

# What every image gets before it is imported.
finalize() {
    local root=$1
    # Not `apt-get clean`: the archive directory is the shared cache, bind-mounted.
    release_mounts
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
    mkdir -p "$root/var/lib/apt/lists/partial" "$root/var/cache/apt/archives/partial"
    find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
    rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/groff/* "$root"/usr/share/lintian/*
    find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    find "$root/var/log" -type f -delete
    rm -rf "$root"/tmp/* "$root"/var/tmp/* "$root"/root/.cache
    rm -f "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old "$root"/etc/machine-id "$root/var/cache/ldconfig/aux-cache"
    # Docker provides these at run time; do not carry the build host's into the image.
    : >"$root/etc/resolv.conf"
    echo localhost >"$root/etc/hostname"
    # Like the official images: apt in a derived image keeps no .debs or package caches.
    cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
}

# shellcheck disable=SC2016  # ${Version} is dpkg-query's
pkg_version() { chroot "$1" dpkg-query -W -f '${Version}' "$2"; }

# docker import the tree under $tag, with the given --change options; the previous image of
# that tag, if any, is removed when nothing else uses it.
import_tree() {
    local root=$1 tag=$2
    shift 2
    local old
    old=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
    log "$tag: docker import ($(du -sh --apparent-size "$root" | cut -f1) tree)"
    tar --numeric-owner --xattrs -C "$root" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . \
        | "${NICE[@]}" docker import "$@" \
            --change "LABEL $LABEL_NS.built=$(date -u +%FT%TZ)" \
            --change "LABEL $LABEL_NS.source=debian-$SUITE" \
            --change "LABEL $LABEL_NS.recipe=$RECIPE" \
            --message "Lotse stand-in for $tag, built by deploy/base-images/build.sh" \
            - "$tag" >/dev/null
    local new
    new=$(docker image inspect -f '{{.Id}}' "$tag")
    if [[ -n $old && $old != "$new" ]]; then
        docker image rm "$old" >/dev/null 2>&1 || log "$tag: previous image $old is still in use; left in place"
    fi
}

# `docker import` (daemon 20.10) refuses STOPSIGNAL; a metadata-only build step adds it.
add_stopsignal() {
    local tag=$1 sig=$2
    local ctx
    ctx=$(mktemp -d "$WORK/ctx.XXXXXX")
    printf 'FROM %s\nSTOPSIGNAL %s\n' "$tag" "$sig" >"$ctx/Dockerfile"
    DOCKER_BUILDKIT=0 "${NICE[@]}" docker build -q --network none -t "$tag" "$ctx" >/dev/null 2>"$WORK/logs/stopsignal.log" \
        || { cat "$WORK/logs/stopsignal.log" >&2; die "$tag: could not add STOPSIGNAL"; }
    rm -rf "$ctx"
    # The import is now the (untagged) parent of the tagged image.
    [[ $(docker image inspect -f '{{.Config.StopSignal}}' "$tag") == "$sig" ]] || die "$tag: STOPSIGNAL did not stick"
}

# ------------------------------------------------------------------ python:3.10.13-slim
build_python() {
    local tag=${TAG[python]} root=$WORK/python
    [[ -x $PY_PREFIX/bin/python3.10 ]] || die "no CPython at $PY_PREFIX (set LOTSE_PYTHON_PREFIX)"
    "$PY_PREFIX/bin/python3.10" -c 'import sys; assert sys.version.split()[0] == "'$PY_VERSION'", sys.version' \
        || die "$PY_PREFIX is not Python $PY_VERSION"
    new_tree "$root"
    enter "$root"
    # The runtime libraries of the official slim image (ca-certificates, netbase, tzdata and
    # what the interpreter's extension modules link against); passwd for useradd.
    apt_install "$root" ca-certificates netbase tzdata passwd \
        libssl3 libffi8 libsqlite3-0 libbz2-1.0 liblzma5 zlib1g libreadline8 libncursesw6 \
        libnsl2 libtirpc3 libuuid1 libcrypt1
    # Host CAs: see HOST_CAS above (README.md, "What differs from the official images").
    local host_cas=() f
    if [[ $HOST_CAS != none && -d $HOST_CAS ]]; then
        while IFS= read -r -d '' f; do host_cas+=("$f"); done \
            < <(find "$HOST_CAS" -type f -name '*.crt' -print0 | sort -z)
    fi
    if ((${#host_cas[@]})); then
        install -d "$root/usr/local/share/ca-certificates/lotse-host"
        for f in "${host_cas[@]}"; do
            install -m 644 "$f" "$root/usr/local/share/ca-certificates/lotse-host/${f##*/}"
        done
        in_root "$root" update-ca-certificates >>"$APT_LOG" 2>&1 \
            || { tail -n 20 "$APT_LOG" >&2; die "$tag: update-ca-certificates failed"; }
        log "$tag: trusts the host's CAs ${host_cas[*]##*/} (PIP_CERT=/etc/ssl/certs/ca-certificates.crt)"
    fi
    finalize "$root"

    log "$tag: copying $PY_PREFIX to /usr/local"
    local lib=$root/usr/local/lib/python3.10
    # The interpreter and its standard library only. The build host's site-packages stays out:
    # it may hold locally installed packages or locally modified files (a CA appended to pip's
    # certifi bundle, a .pth hook). pip and setuptools are installed afresh, offline, from the
    # wheels the interpreter bundles (ensurepip) -- the same versions pyenv installed.
    tar -C "$PY_PREFIX" --exclude=./lib/python3.10/site-packages -c . | tar -C "$root/usr/local" -x
    install -d "$lib/site-packages"
    local f
    for f in "$root"/usr/local/bin/*; do
        case ${f##*/} in
            python*|pydoc*|2to3*) ;;
            *) rm -f "$f" ;;  # pip* (re-created below) and scripts of host-installed packages
        esac
    done
    # The pyenv prefix is written into scripts' #! lines, sysconfig data, python-config, the
    # Makefile and pkg-config files: point all text files at /usr/local.
    grep -rlIZF -- "$PY_PREFIX" "$root/usr/local" | xargs -0 -r sed -i "s#$PY_PREFIX#/usr/local#g"
    in_root "$root" ldconfig
    in_root "$root" /usr/local/bin/python3.10 -m ensurepip --default-pip >>"$APT_LOG" 2>&1 \
        || { tail -n 20 "$APT_LOG" >&2; die "$tag: ensurepip failed"; }
    # What the official image removes (tests, bytecode, the static library), plus Tk and IDLE,
    # for which the image has no Tk libraries.
    rm -rf "$lib/idlelib" "$lib/tkinter" "$lib/turtledemo" \
        "$lib"/lib-dynload/_tkinter.*.so "$root"/usr/local/bin/idle* "$root/usr/local/bin/python3.10-gdb.py"
    find "$root/usr/local" -depth \
        \( \( -type d -a \( -name test -o -name tests -o -name idle_test \) \) \
        -o \( -type f -a \( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' \) \) \) \
        -exec rm -rf '{}' +
    find "$root/usr/local" -depth -type d -name __pycache__ -empty -delete
    for f in "$root"/usr/local/bin/*; do
        [[ -f $f && ! -L $f ]] || continue
        if head -n1 "$f" | grep -q '^#!.*python'; then
            sed -i '1s|^#!.*$|#!/usr/local/bin/python3.10|' "$f"
        fi
    done
    if grep -rlIF -- "/root/.pyenv" "$root/usr/local" >"$WORK/logs/python-leftover-paths.txt"; then
        die "$tag: files still name /root/.pyenv (see $WORK/logs/python-leftover-paths.txt)"
    fi
    rm -f "$root/var/cache/ldconfig/aux-cache"
    # Fail here rather than in a container.
    in_root "$root" /usr/local/bin/python -c 'import ssl, sqlite3, bz2, lzma, ctypes, readline, zlib, uuid, hashlib, curses' \
        || die "$tag: the interpreter cannot import its standard extension modules"
    find "$root/usr/local" -depth -type d -name __pycache__ -exec rm -rf '{}' +

    local pip_version setuptools_version
    pip_version=$(in_root "$root" /usr/local/bin/python -c 'import importlib.metadata as m; print(m.version("pip"))')
    setuptools_version=$(in_root "$root" /usr/local/bin/python -c 'import importlib.metadata as m; print(m.version("setuptools"))')
    find "$root/usr/local" -depth -type d -name __pycache__ -exec rm -rf '{}' +
    local changes=(
        --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin'
        --change 'ENV LANG=C.UTF-8'
        --change "ENV PYTHON_VERSION=$PY_VERSION"
        --change "ENV PYTHON_PIP_VERSION=$pip_version"
        --change "ENV PYTHON_SETUPTOOLS_VERSION=$setuptools_version"
        --change 'CMD ["python3"]'
    )
    if ((${#host_cas[@]})); then
        # pip trusts only its own certifi bundle unless told otherwise.
        changes+=(--change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt'
                  --change "LABEL $LABEL_NS.host-cas=$(IFS=,; echo "${host_cas[*]##*/}")")
    fi
    import_tree "$root" "$tag" "${changes[@]}" \
        --change "LABEL $LABEL_NS.python=$PY_VERSION" \
        --change "LABEL $LABEL_NS.python-from=$PY_PREFIX"
    remove_tree "$root"
}

# ------------------------------------------------------------------ postgres:15
build_postgres() {
    local tag=${TAG[postgres]} root=$WORK/postgres
    new_tree "$root"
    enter "$root"
    # uid/gid 999 like the official image, so that a data volume can move between the two.
    in_root "$root" groupadd -r -g 999 postgres
    in_root "$root" useradd -r -g postgres -u 999 -d /var/lib/postgresql -s /bin/bash postgres
    install -d -o 999 -g 999 "$root/var/lib/postgresql"
    # No cluster under /var/lib/postgresql/15/main: the entrypoint runs initdb into PGDATA.
    apt_install "$root" postgresql-common
    sed -ri 's/#?(create_main_cluster) .*$/\1 = false/' "$root/etc/postgresql-common/createcluster.conf"
    apt_install "$root" "postgresql-$PG_MAJOR" locales
    # ssl-cert made a snakeoil key pair at install time; PGDATA's configuration does not use
    # it, and a private key shared by every copy of the image is better not shipped.
    rm -f "$root/etc/ssl/private/ssl-cert-snakeoil.key" "$root/etc/ssl/certs/ssl-cert-snakeoil.pem"
    # en_US.UTF-8 is the official image's locale; a data directory initialised there needs it.
    in_root "$root" localedef -i en_US -c -f UTF-8 -A /usr/share/locale/locale.alias en_US.UTF-8
    # initdb copies this sample: listen on all addresses, like the official image.
    sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" "$root/usr/share/postgresql/$PG_MAJOR/postgresql.conf.sample"
    grep -F "listen_addresses = '*'" "$root/usr/share/postgresql/$PG_MAJOR/postgresql.conf.sample" >/dev/null \
        || die "$tag: could not set listen_addresses in the sample configuration"
    install -d -o 999 -g 999 -m 3777 "$root/var/run/postgresql"
    install -d -o 999 -g 999 -m 1777 "$root/var/lib/postgresql/data"
    install -d "$root/docker-entrypoint-initdb.d"
    install -m 755 "$HERE/postgres-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
    local version
    version=$(pkg_version "$root" "postgresql-$PG_MAJOR")
    finalize "$root"
    import_tree "$root" "$tag" \
        --change "ENV PATH=/usr/lib/postgresql/$PG_MAJOR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        --change 'ENV LANG=en_US.utf8' \
        --change "ENV PG_MAJOR=$PG_MAJOR" \
        --change "ENV PG_VERSION=$version" \
        --change 'ENV PGDATA=/var/lib/postgresql/data' \
        --change 'VOLUME /var/lib/postgresql/data' \
        --change 'EXPOSE 5432' \
        --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
        --change 'CMD ["postgres"]' \
        --change "LABEL $LABEL_NS.postgresql=$version"
    add_stopsignal "$tag" SIGINT
    remove_tree "$root"
}

# ------------------------------------------------------------------ redis:7
build_redis() {
    local tag=${TAG[redis]} root=$WORK/redis
    new_tree "$root"
    enter "$root"
    in_root "$root" groupadd -r -g 999 redis
    in_root "$root" useradd -r -g redis -u 999 -d /data -s /usr/sbin/nologin redis
    apt_install "$root" redis-server redis-tools
    install -d -o 999 -g 999 "$root/data"
    install -m 755 "$HERE/redis-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
    local version
    version=$(pkg_version "$root" redis-server)
    finalize "$root"
    import_tree "$root" "$tag" \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change "ENV REDIS_VERSION=${version#*:}" \
        --change 'USER redis' \
        --change 'WORKDIR /data' \
        --change 'VOLUME /data' \
        --change 'EXPOSE 6379' \
        --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
        --change 'CMD ["redis-server"]' \
        --change "LABEL $LABEL_NS.redis=$version"
    remove_tree "$root"
}

# ------------------------------------------------------------------ main
# What a stand-in is made from: this script and the image's entrypoint. A stand-in whose label
# differs was built by an older version of them and is built again (an official image never is).
declare -A ENTRYPOINT=([python]= [postgres]=postgres-entrypoint.sh [redis]=redis-entrypoint.sh)
recipe_of() {
    cat "${BASH_SOURCE[0]}" ${ENTRYPOINT[$1]:+"$HERE/${ENTRYPOINT[$1]}"} | sha256sum | cut -c1-16
}
label_of() { docker image inspect -f "{{index .Config.Labels \"$LABEL_NS.$2\"}}" "$1"; }

REBUILD_BASE=$REBUILD
SECONDS=0
built=()
for target in "${TARGETS[@]}"; do
    tag=${TAG[$target]}
    RECIPE=$(recipe_of "$target")
    if ((!REBUILD)) && docker image inspect "$tag" >/dev/null 2>&1; then
        if [[ -z $(label_of "$tag" built) ]]; then
            log "$tag: exists and is not one of ours (official image?); skipped, --rebuild to replace"
            continue
        elif [[ $(label_of "$tag" recipe) == "$RECIPE" ]]; then
            log "$tag: exists (stand-in built $(label_of "$tag" built)); skipped, --rebuild to replace"
            continue
        fi
        log "$tag: the stand-in was built by another version of build.sh or its entrypoint; building it again"
    fi
    start=$SECONDS
    build_base
    REBUILD_BASE=0
    APT_LOG=$WORK/logs/$target.log
    : >"$APT_LOG"
    log "$tag: building (package manager output: $APT_LOG)"
    "build_$target"
    log "$tag: done in $((SECONDS - start)) s, $(docker image inspect -f '{{.Size}}' "$tag" | numfmt --to=iec) "
    built+=("$tag")
done
if ((${#built[@]})); then
    log "built ${built[*]} in $SECONDS s"
fi
docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}\t{{.CreatedSince}}' \
    | grep -E "^(${TAG[python]}|${TAG[postgres]}|${TAG[redis]})\b" >&2 || true
