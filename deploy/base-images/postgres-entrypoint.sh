#!/usr/bin/env bash
# Entrypoint of the local postgres:15 stand-in (deploy/base-images/build.sh copies it to
# /usr/local/bin/docker-entrypoint.sh). It follows the official image's interface:
#   POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER
#   (default postgres), POSTGRES_DB (default: $POSTGRES_USER), POSTGRES_INITDB_ARGS,
#   POSTGRES_HOST_AUTH_METHOD (default scram-sha-256), each also as *_FILE;
#   PGDATA (default /var/lib/postgresql/data) is initialised on the first start when empty,
#   /docker-entrypoint-initdb.d/*.sh, *.sql, *.sql.gz run once after that;
#   connections over the socket and from 127.0.0.1 are trusted, from anywhere else they need
#   the password; the server runs as the user postgres and is exec'd so that it gets signals.
set -Eeo pipefail

# file_env VAR [DEFAULT]: VAR from the environment, or from the file named by VAR_FILE.
file_env() {
    local var=$1 def=${2:-} fvar="${1}_FILE" val
    if [[ -n ${!var:-} && -n ${!fvar:-} ]]; then
        echo >&2 "error: both $var and $fvar are set (but are exclusive)"
        exit 1
    fi
    val=$def
    if [[ -n ${!var:-} ]]; then
        val=${!var}
    elif [[ -n ${!fvar:-} ]]; then
        val=$(<"${!fvar}")
    fi
    export "$var"="$val"
    unset "$fvar"
}

setup_env() {
    file_env POSTGRES_PASSWORD
    file_env POSTGRES_USER postgres
    file_env POSTGRES_DB "$POSTGRES_USER"
    file_env POSTGRES_INITDB_ARGS
    : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
    export PGDATA=${PGDATA:-/var/lib/postgresql/data}
    DATABASE_ALREADY_EXISTS=
    [[ -s $PGDATA/PG_VERSION ]] && DATABASE_ALREADY_EXISTS=true
    return 0
}

# As root: create and own the directories, then start this script again as postgres.
create_dirs_and_drop() {
    mkdir -p "$PGDATA"
    chmod 00700 "$PGDATA" || :
    mkdir -p /var/run/postgresql
    chmod 03775 /var/run/postgresql || :
    find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
    exec setpriv --reuid=postgres --regid=postgres --init-groups -- "${BASH_SOURCE[0]}" "$@"
}

init_database() {
    if [[ -z $POSTGRES_PASSWORD && $POSTGRES_HOST_AUTH_METHOD != trust ]]; then
        cat >&2 <<'EOE'
Error: Database is uninitialized and superuser password is not specified.
       Set POSTGRES_PASSWORD to a non-empty value for the superuser, or
       POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without a password
       (not recommended).
EOE
        exit 1
    fi
    # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of words, as in the official image
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
    # initdb trusts local connections; everything else must authenticate.
    printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

    # A server on the socket only, for the one-off set-up.
    PGUSER=$POSTGRES_USER pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
    local psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
    if [[ $POSTGRES_DB != postgres ]]; then
        # On standard input, not with -c: psql fills in variables (:'db') only in what it reads.
        # Assigned first, so that a failing query stops the script (set -e) instead of reading
        # as "no such database".
        local exists
        exists=$("${psql[@]}" --dbname postgres -tA --set db="$POSTGRES_DB" \
            <<<"SELECT 1 FROM pg_database WHERE datname = :'db' ;")
        if [[ -z $exists ]]; then
            "${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db" ;'
            echo "created database $POSTGRES_DB"
        fi
    fi
    local f
    for f in /docker-entrypoint-initdb.d/*; do
        case $f in
            *.sh)
                # shellcheck disable=SC1090  # the init scripts are the user's
                if [[ -x $f ]]; then echo "$0: running $f"; "$f"; else echo "$0: sourcing $f"; . "$f"; fi ;;
            *.sql) echo "$0: running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
            *.sql.gz) echo "$0: running $f"; gunzip -c "$f" | "${psql[@]}" --dbname "$POSTGRES_DB" ;;
            */\*) ;;  # empty directory
            *) echo "$0: ignoring $f" ;;
        esac
    done
    PGUSER=$POSTGRES_USER pg_ctl -D "$PGDATA" -m fast -w stop
    echo
    echo 'PostgreSQL init process complete; ready for start up.'
    echo
}

main() {
    # `docker run postgres:15 -c shared_buffers=256MB` means `postgres -c ...`.
    if [[ ${1:0:1} == - ]]; then
        set -- postgres "$@"
    fi
    if [[ $1 == postgres ]]; then
        setup_env
        if [[ $(id -u) == 0 ]]; then
            create_dirs_and_drop "$@"
        fi
        if [[ -z $DATABASE_ALREADY_EXISTS ]]; then
            init_database
        else
            echo
            echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
            echo
        fi
    fi
    exec "$@"
}

main "$@"
