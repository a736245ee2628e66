#!/usr/bin/env bash
# Orca against Docker's own orchestrator (swarm mode) on the same Docker daemon: the time for a 20-replica
# service to be fully running, and the time to replace 5 killed containers (restart delay 0 s in both).
# Both are timed the same way: counting running containers on the daemon every 20 ms.
#   bench/swarm-compare.sh [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${1:-3}
work=$(mktemp -d)
trap '"$here/scripts/docker-hosts.sh" stop "$work" >/dev/null 2>&1; pkill -f "orca.dll silo run --db $work" 2>/dev/null || true; rm -rf "$work"' EXIT
sock=$("$here/scripts/docker-hosts.sh" start "$work" 1)
D="docker -H unix://$sock"
image=orca-test/busybox:1
now() { date +%s.%N; }
running() { $D ps --filter "label=$1" --filter status=running -q | wc -l; }
wait_running() { # label count
  local deadline=$(( $(date +%s) + 120 ))
  until [ "$(running "$1")" -ge "$2" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "timed out waiting for $2 running ($1)" >&2; exit 1; }
    sleep 0.02
  done
}
elapsed() { echo "$2 - $1" | bc; }
kill5() { $D ps --filter "label=$1" --filter status=running -q | head -5 | xargs $D kill >/dev/null; }
wait_replaced() { # label: 20 running again, none of the killed ones
  local deadline=$(( $(date +%s) + 120 ))
  sleep 0.05
  until [ "$(running "$1")" -ge 20 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "timed out waiting for replacements ($1)" >&2; exit 1; }
    sleep 0.02
  done
}

"$here/orca" sim validate "$here/scenarios/quickstart.csv" >/dev/null   # builds the CLI first, outside the timings
echo "round,system,create_20_s,replace_5_s"
for r in $(seq 1 "$rounds"); do
  # Orca: a fresh silo with this daemon as its only node.
  port=$(( 17000 + r ))
  (cd "$work" && dotnet "$here/src/Cli/bin/Release/net10.0/orca.dll" silo run --db "$work/orca-$r.db" --port "$port" >"$work/silo-$r.log" 2>&1 &)
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.1; done
  O="dotnet $here/src/Cli/bin/Release/net10.0/orca.dll --silo http://127.0.0.1:$port"
  $O node add n1 --docker "unix://$sock" >/dev/null
  t0=$(now)
  $O service create bench --image $image --replicas 20 --restart-delay 0s -- sleep 3600 >/dev/null
  wait_running orca.service=bench 20; t1=$(now)
  kill5 orca.service=bench; t2=$(now)
  wait_replaced orca.service=bench; t3=$(now)
  echo "$r,orca,$(elapsed "$t0" "$t1"),$(elapsed "$t2" "$t3")"
  $O service rm bench >/dev/null
  until [ "$($D ps -aq --filter label=orca.service=bench | wc -l)" -eq 0 ]; do sleep 0.2; done
  pkill -f "orca.dll silo run --db $work/orca-$r.db" || true

  # Swarm mode on the same daemon.
  $D swarm init --advertise-addr 127.0.0.1 >/dev/null
  t0=$(now)
  $D service create --name bench --replicas 20 --restart-delay 0s --detach $image sleep 3600 >/dev/null
  wait_running com.docker.swarm.service.name=bench 20; t1=$(now)
  kill5 com.docker.swarm.service.name=bench; t2=$(now)
  wait_replaced com.docker.swarm.service.name=bench; t3=$(now)
  echo "$r,swarm,$(elapsed "$t0" "$t1"),$(elapsed "$t2" "$t3")"
  $D service rm bench >/dev/null
  $D swarm leave --force >/dev/null
  until [ "$($D ps -aq | wc -l)" -eq 0 ]; do $D ps -aq | xargs -r $D rm -f >/dev/null 2>&1; sleep 0.2; done
done
