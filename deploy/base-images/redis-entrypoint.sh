#!/bin/sh
# Entrypoint of the local redis:7 stand-in (deploy/base-images/build.sh copies it to
# /usr/local/bin/docker-entrypoint.sh). The image runs as the user redis (USER redis), so
# whatever command a container gets -- `redis-server ...` or the `sh -c "exec redis-server
# ..."` of Lotse's docker-compose.yml -- runs unprivileged. Like the official entrypoint:
# arguments that start with '-' or name a .conf file are arguments of redis-server, and
# files are private to the user unless a umask other than 0022 was set.
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi

# Started as root anyway (`docker run --user root`): hand /data to redis and drop to it.
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups -- "$0" "$@"
fi

um="$(umask)"
if [ "$um" = 0022 ]; then
    umask 0077
fi

exec "$@"
