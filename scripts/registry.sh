#!/usr/bin/env bash
# Starts or stops a Docker registry (Debian's docker-registry, the CNCF distribution server) on 127.0.0.1:PORT with
# its storage under DIR, for the tests that pull images. Docker daemons pull from a registry on loopback over plain
# HTTP without being told to.
#   scripts/registry.sh start DIR PORT    prints 127.0.0.1:PORT once the registry answers
#   scripts/registry.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?DIR}

case "$cmd" in
  start)
    port=${3:?PORT}
    if ! command -v docker-registry >/dev/null 2>&1; then
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >&2
    fi
    mkdir -p "$dir/data"
    cat > "$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$port
YAML
    docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
    echo $! > "$dir/registry.pid"
    for _ in $(seq 1 100); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "127.0.0.1:$port"; exit 0; fi
      sleep 0.1
    done
    echo "the registry did not start; see $dir/registry.log" >&2; tail -5 "$dir/registry.log" >&2; exit 1
    ;;
  stop)
    [ -f "$dir/registry.pid" ] || exit 0
    pid=$(cat "$dir/registry.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir/registry.pid"
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
