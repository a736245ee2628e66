#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster on a loopback port, owned by the postgres user.
#   scripts/postgres.sh start DIR PORT    prints a connection string when it answers
#   scripts/postgres.sh resume DIR        starts a stopped cluster again (same port and data)
#   scripts/postgres.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?DIR}

bin() {
  local b; b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$b" ] || { echo "postgresql is not installed (apt-get install postgresql)" >&2; exit 1; }
  echo "$b"
}

case "$cmd" in
  start)
    port=${3:?PORT}
    if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    fi
    b=$(bin)
    mkdir -p "$dir"; chown postgres "$dir"
    su postgres -c "$b/initdb -D '$dir/data' -A trust -U postgres" >/dev/null
    echo "-c listen_addresses=127.0.0.1 -p $port -k '$dir'" > "$dir/options"
    su postgres -c "$b/pg_ctl -D '$dir/data' -l '$dir/log' -o \"$(cat "$dir/options")\" -w start" >/dev/null
    su postgres -c "$b/psql -h 127.0.0.1 -p $port -U postgres -c 'CREATE DATABASE orca'" >/dev/null
    echo "Host=127.0.0.1;Port=$port;Database=orca;Username=postgres"
    ;;
  resume)
    b=$(bin)
    su postgres -c "$b/pg_ctl -D '$dir/data' -l '$dir/log' -o \"$(cat "$dir/options")\" -w start" >/dev/null
    ;;
  stop)
    b=$(bin)
    [ -d "$dir/data" ] && su postgres -c "$b/pg_ctl -D '$dir/data' -m fast -w stop" >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
