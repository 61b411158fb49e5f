#!/usr/bin/env bash
# shellcheck disable=SC2016  # the single-quoted $VARs are expanded inside the containers
# Checks the three base images (the stand-ins from build.sh, or the official ones) against
# what Lotse needs from them. Publishes no host port: the services are reached from client
# containers on a private Docker network. Only the pip checks reach the outside (PyPI), with
# --network host; --offline skips them. Everything it creates is named lotse-verify* and is
# removed at the end; the images stay.
#
#   deploy/base-images/verify.sh [--offline] [--pip-cert FILE]
#
# --pip-cert FILE: a CA bundle (PEM) for pip, where a proxy re-signs TLS (pip in the image
# trusts only its own certifi bundle). It is mounted into the test containers and copied into
# the throw-away test image only; the base images are not changed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
COMPOSE_FILE=$(cd "$HERE/../.." && pwd)/docker-compose.yml
PY=python:3.10.13-slim PG=postgres:15 REDIS=redis:7
NET=lotse-verify VOL=lotse-verify-pgdata PROJECT=lotse-verify
OFFLINE=0 PIP_CERT_FILE=
while (($#)); do
    case $1 in
        --offline) OFFLINE=1 ;;
        --pip-cert) PIP_CERT_FILE=$(realpath "$2"); shift ;;
        *) echo "usage: $0 [--offline] [--pip-cert FILE]" >&2; exit 2 ;;
    esac
    shift
done
[[ -z $PIP_CERT_FILE || -f $PIP_CERT_FILE ]] || { echo "no such file: $PIP_CERT_FILE" >&2; exit 2; }
TMP=$(mktemp -d /tmp/lotse-verify.XXXXXX)

passed=0 failed=0
ok() { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }
bad() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"; [[ -z ${2:-} ]] || printf '      %s\n' "$2" | head -n 20; }
# check NAME CMD...: passes when CMD exits 0.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}
# check_fails NAME CMD...: passes when CMD exits non-zero (and prints why).
check_fails() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then bad "$name" "unexpectedly succeeded: $out"; else ok "$name"; fi
}

cleanup() {
    docker rm -f -v lotse-verify-pg lotse-verify-redis >/dev/null 2>&1 || true
    if [[ -f $TMP/compose-env ]]; then
        docker compose -p "$PROJECT" --project-directory "$TMP" --env-file "$TMP/compose-env" -f "$COMPOSE_FILE" \
            down -v --remove-orphans >/dev/null 2>&1 || true
    fi
    docker volume rm "$VOL" >/dev/null 2>&1 || true
    docker network rm "$NET" >/dev/null 2>&1 || true
    docker image rm lotse-verify-app >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
cleanup_start() { cleanup; TMP=$(mktemp -d /tmp/lotse-verify.XXXXXX); }
cleanup_start

# wait_for SECONDS CMD...: retries CMD once a second.
wait_for() {
    local n=$1
    shift
    for ((i = 0; i < n; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 1
    done
    "$@"
}

for image in "$PY" "$PG" "$REDIS"; do
    docker image inspect "$image" >/dev/null 2>&1 || { echo "missing image $image: run build.sh first" >&2; exit 1; }
done
docker network create "$NET" >/dev/null

echo "== $PY"
check "python imports ssl, sqlite3, bz2, lzma, ctypes, readline, zlib, uuid, hashlib" \
    docker run --rm --network none "$PY" python -c 'import ssl, sqlite3, bz2, lzma, ctypes, readline, zlib, uuid, hashlib, json, decimal, ctypes.util; assert ctypes.CDLL(None)'
check "python is 3.10.13, the default command is python3" \
    bash -c "[[ \$(docker run --rm --network none $PY python -c 'import platform; print(platform.python_version())') == 3.10.13 ]] \
             && [[ \$(docker image inspect -f '{{json .Config.Cmd}}' $PY) == '[\"python3\"]' ]]"
check "pip --version" docker run --rm --network none "$PY" pip --version
check "python, python3, pip, pip3 on PATH; #! lines point at /usr/local/bin/python3.10" \
    docker run --rm --network none "$PY" sh -c 'for c in python python3 python3.10 pip pip3 pydoc3; do command -v $c >/dev/null || exit 1; done; head -n1 /usr/local/bin/pip | grep -qx "#!/usr/local/bin/python3.10"'
check "useradd --create-home --uid 1001 lotse (the project's Dockerfile step)" \
    docker run --rm --network none "$PY" sh -c 'useradd --create-home --uid 1001 lotse && setpriv --reuid=1001 --regid=1001 --clear-groups python -c "import os; assert os.getuid() == 1001"'
if ((!OFFLINE)); then
    cert_run=() cert_build=
    if [[ -n $PIP_CERT_FILE ]]; then
        cert_run=(-v "$PIP_CERT_FILE:/etc/lotse-verify-pip-cert.pem:ro" -e PIP_CERT=/etc/lotse-verify-pip-cert.pem)
        cert_build=$'COPY pip-cert.pem /etc/lotse-verify-pip-cert.pem\nENV PIP_CERT=/etc/lotse-verify-pip-cert.pem'
    fi
    check "pip install six in a container (--network host)" \
        docker run --rm --network host "${cert_run[@]}" "$PY" sh -c 'pip install --no-cache-dir --disable-pip-version-check -q six==1.16.0 && python -c "import six"'
    mkdir -p "$TMP/app"
    [[ -z $PIP_CERT_FILE ]] || cp "$PIP_CERT_FILE" "$TMP/app/pip-cert.pem"
    cat >"$TMP/app/Dockerfile" <<EOF
FROM $PY
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
$cert_build
RUN useradd --create-home --uid 1001 lotse
WORKDIR /app
RUN pip install --no-cache-dir six==1.16.0 && pip check
USER lotse
CMD ["python", "-c", "import getpass, six; print(getpass.getuser(), six.__version__)"]
EOF
    check "docker build --network host of a Dockerfile shaped like the project's" \
        docker build -q --network host -t lotse-verify-app "$TMP/app"
    check "... and its image runs as lotse" \
        bash -c "[[ \$(docker run --rm --network none lotse-verify-app) == 'lotse 1.16.0' ]]"
fi

echo "== $PG"
pg_env=(-e POSTGRES_USER=lotse -e POSTGRES_PASSWORD=first-secret -e POSTGRES_DB=lotse)
pg_client() { docker run --rm --network "$NET" -e PGPASSWORD="$1" -e PGCONNECT_TIMEOUT=5 "$PG" "${@:2}"; }
docker run -d --name lotse-verify-pg --network "$NET" --network-alias pg "${pg_env[@]}" \
    -v "$VOL:/var/lib/postgresql/data" "$PG" >/dev/null
check "first start: initdb, then ready over TCP from another container (pg_isready -h pg)" \
    wait_for 60 pg_client '' pg_isready -h pg -p 5432 -U lotse -d lotse
check "first start ran the initialisation" \
    bash -c 'docker logs lotse-verify-pg 2>&1 | grep -q "PostgreSQL init process complete"'
check_fails "... without an ERROR in the server's log" \
    bash -c 'docker logs lotse-verify-pg 2>&1 | grep -A2 "ERROR"'
check "the compose healthcheck (pg_isready -U \"\$POSTGRES_USER\" -d \"\$POSTGRES_DB\" via sh)" \
    docker exec lotse-verify-pg sh -c 'pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB"'
check "server is PID 1, user postgres (uid 999), PostgreSQL 15" \
    docker exec lotse-verify-pg sh -c 'grep -qx postgres /proc/1/comm && awk "/^Uid:/ {exit \$2 != 999}" /proc/1/status && postgres --version | grep -q " 15\."'
check "user lotse with the password creates a table in database lotse" \
    pg_client first-secret psql -h pg -U lotse -d lotse -v ON_ERROR_STOP=1 -qc 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (42);'
check "the password is stored as SCRAM-SHA-256" \
    bash -c "[[ \$(docker run --rm --network $NET -e PGPASSWORD=first-secret $PG psql -h pg -U lotse -d lotse -tAc \"SELECT rolpassword LIKE 'SCRAM-SHA-256%' FROM pg_authid WHERE rolname = 'lotse'\") == t ]]"
check_fails "no password from another container is refused" \
    pg_client '' psql -h pg -U lotse -d lotse -w -c 'SELECT 1'
check_fails "a wrong password from another container is refused" \
    pg_client wrong psql -h pg -U lotse -d lotse -c 'SELECT 1'
check "database encoding UTF8, locale en_US.utf8 (as in the official image)" \
    bash -c "[[ \$(docker run --rm --network $NET -e PGPASSWORD=first-secret $PG psql -h pg -U lotse -d lotse -tAc \"SELECT pg_encoding_to_char(encoding) || ' ' || datcollate FROM pg_database WHERE datname = 'lotse'\") == 'UTF8 en_US.utf8' ]]"
start=$(date +%s)
check "docker stop sends SIGINT: fast shutdown, exit code 0" \
    bash -c 'docker stop -t 30 lotse-verify-pg >/dev/null && [[ $(docker inspect -f "{{.State.ExitCode}}" lotse-verify-pg) == 0 ]] && docker logs lotse-verify-pg 2>&1 | grep -q "received fast shutdown request"'
echo "      (stopped in $(($(date +%s) - start)) s)"
docker rm lotse-verify-pg >/dev/null
docker run -d --name lotse-verify-pg --network "$NET" --network-alias pg -e POSTGRES_USER=lotse \
    -e POSTGRES_PASSWORD=ignored-on-second-start -e POSTGRES_DB=lotse -v "$VOL:/var/lib/postgresql/data" "$PG" >/dev/null
check "second start on the same volume: ready, initialisation skipped" \
    bash -c "sleep 1; for i in \$(seq 60); do docker run --rm --network $NET $PG pg_isready -q -h pg -U lotse -d lotse && break; sleep 1; done; docker logs lotse-verify-pg 2>&1 | grep -q 'Skipping initialization'"
check "second start: the data and the first password are kept" \
    bash -c "[[ \$(docker run --rm --network $NET -e PGPASSWORD=first-secret $PG psql -h pg -U lotse -d lotse -tAc 'SELECT x FROM kept') == 42 ]]"
check_fails "a container without POSTGRES_PASSWORD on an empty volume refuses to start" \
    docker run --rm --network none "$PG"
docker rm -f -v lotse-verify-pg >/dev/null

echo "== $REDIS"
docker run -d --name lotse-verify-redis --network "$NET" --network-alias redis -e REDIS_PASSWORD=redis-secret "$REDIS" \
    sh -c "exec redis-server --save '' --appendonly no --requirepass \"\$REDIS_PASSWORD\"" >/dev/null
redis_cli() { docker run --rm --network "$NET" "$REDIS" redis-cli -h redis "$@"; }
check "the compose command starts; ping with the password from another container: PONG" \
    wait_for 30 bash -c "[[ \$(docker run --rm --network $NET $REDIS redis-cli -h redis -a redis-secret --no-auth-warning ping) == PONG ]]"
check_fails "ping without the password is refused (NOAUTH)" \
    bash -c "out=\$(docker run --rm --network $NET $REDIS redis-cli -h redis ping 2>&1); echo \"\$out\"; [[ \$out == PONG ]]"
check_fails "ping with a wrong password is refused" \
    bash -c "[[ \$(docker run --rm --network $NET $REDIS redis-cli -h redis -a wrong --no-auth-warning ping 2>&1) == PONG ]]"
check "the compose healthcheck (REDISCLI_AUTH=... redis-cli ping | grep -q PONG)" \
    docker exec lotse-verify-redis sh -c 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli ping | grep -q PONG'
check "redis-server is PID 1 (exec'd by sh -c), user redis (uid 999), version 7" \
    docker exec lotse-verify-redis sh -c 'grep -qx redis-server /proc/1/comm && awk "/^Uid:/ {exit \$2 != 999}" /proc/1/status && redis-server --version | grep -q "v=7\."'
check "redis-server listens on all addresses (bind * -::*)" \
    bash -c "docker run --rm --network $NET $REDIS redis-cli -h redis -a redis-secret --no-auth-warning config get bind | grep -qF '*'"
docker rm -f -v lotse-verify-redis >/dev/null

echo "== docker compose: the postgres and redis services of $COMPOSE_FILE"
cat >"$TMP/compose-env" <<'EOF'
POSTGRES_PASSWORD=compose-pg-secret
REDIS_PASSWORD=compose-redis-secret
ACTION_SERVER_TOKEN=unused
RASA_TOKEN=unused
TELEGRAM_BOT_TOKEN=unused
LOTSE_PSEUDONYM_KEY=unused
LOTSE_ADVISORS_CHAT_ID=unused
EOF
if [[ ! -f $COMPOSE_FILE ]]; then
    bad "docker compose" "no $COMPOSE_FILE"
elif ! docker compose version >/dev/null 2>&1; then
    bad "docker compose" "the docker compose v2 plugin is missing"
else
    # Only postgres and redis: they publish no port. --project-directory keeps any .env of the
    # repository out of it.
    check "docker compose up --wait postgres redis: both healthy" \
        timeout 180 docker compose -p "$PROJECT" --project-directory "$TMP" --env-file "$TMP/compose-env" -f "$COMPOSE_FILE" \
            up -d --wait postgres redis
    docker compose -p "$PROJECT" --project-directory "$TMP" --env-file "$TMP/compose-env" -f "$COMPOSE_FILE" ps \
        --format '      {{.Service}}: {{.Status}}' 2>/dev/null || true
fi

echo "$passed passed, $failed failed"
((failed == 0))
