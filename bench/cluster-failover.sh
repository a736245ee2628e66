#!/usr/bin/env bash
# Time from SIGKILL of the silo that hosts the scheduler to (a) a successor hosting the scheduler and (b) the first
# reconciliation by the successors: a container killed right after the silo is replaced. Three Orleans silos on one
# PostgreSQL (ADO.NET clustering), one Docker host; Orleans declares a silo dead after three missed 1-second probes.
#   bench/cluster-failover.sh [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${1:-3}
work=$(mktemp -d); chmod 755 "$work"
orca="dotnet $here/src/Cli/bin/Release/net10.0/orca.dll"
cleanup() {
  pkill -9 -f "orca.dll silo run --db Host=127.0.0.1;Port=$pgport" 2>/dev/null || true
  "$here/scripts/docker-hosts.sh" stop "$work/docker" >/dev/null 2>&1 || true
  "$here/scripts/postgres.sh" stop "$work/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$here/orca" sim validate "$here/scenarios/quickstart.csv" >/dev/null
pgport=$(( 20000 + RANDOM % 10000 ))
pg=$("$here/scripts/postgres.sh" start "$work/pg" $pgport)
sock=$("$here/scripts/docker-hosts.sh" start "$work/docker" 1)
D="docker -H unix://$sock"
now() { date +%s.%N; }
echo "round,scheduler_taken_over_s,container_replaced_s"
for r in $(seq 1 "$rounds"); do
  db="Host=127.0.0.1;Port=$pgport;Database=orca;Username=postgres"
  su postgres -c "psql -h 127.0.0.1 -p $pgport -U postgres -c 'DROP DATABASE IF EXISTS r$r' -c 'CREATE DATABASE r$r'" >/dev/null
  db="Host=127.0.0.1;Port=$pgport;Database=r$r;Username=postgres"
  ports=(); for k in 1 2 3; do p=$(( 18000 + r * 10 + k )); ports+=($p)
    ($orca silo run --db "$db" --cluster bench --port $p >"$work/silo-$r-$k.log" 2>&1 &); done
  for p in "${ports[@]}"; do until curl -sf "http://127.0.0.1:$p/v1/cluster" | grep -q '"active":3'; do sleep 0.2; done; done
  O="$orca --silo http://127.0.0.1:${ports[0]},http://127.0.0.1:${ports[1]},http://127.0.0.1:${ports[2]}"
  $O node add n1 --docker "unix://$sock" >/dev/null
  $O service create web --image orca-test/busybox:1 --replicas 4 --restart-delay 0s -- sleep 3600 >/dev/null
  until [ "$($D ps -q --filter label=orca.service=web | wc -l)" -eq 4 ]; do sleep 0.2; done
  victim=""
  for _ in $(seq 1 100); do
    for p in "${ports[@]}"; do curl -s "http://127.0.0.1:$p/v1/activations" | grep -q scheduler/scheduler && victim=$p; done
    [ -n "$victim" ] && break; sleep 0.1
  done
  [ -n "$victim" ] || { echo "no silo hosts the scheduler" >&2; exit 1; }
  survivors=(); for p in "${ports[@]}"; do [ "$p" != "$victim" ] && survivors+=($p); done
  container=$($D ps -q --filter label=orca.service=web | head -1)
  t0=$(now)
  pkill -9 -f "orca.dll silo run --db $db --cluster bench --port $victim"
  $D kill "$container" >/dev/null
  t1=""; t2=""
  deadline=$(( $(date +%s) + 60 ))
  while [ -z "$t1" ] || [ -z "$t2" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "round $r: within 60 s: scheduler taken over: ${t1:-no}; container replaced: ${t2:-no}" >&2
      for p in "${survivors[@]}"; do echo "silo :$p hosts $(curl -s "http://127.0.0.1:$p/v1/activations")" >&2; done
      $D ps -a --format '{{.Names}} {{.State}}' >&2
      exit 1
    fi
    if [ -z "$t1" ]; then for p in "${survivors[@]}"; do curl -s "http://127.0.0.1:$p/v1/activations" | grep -q scheduler/scheduler && t1=$(now) && break; done; fi
    if [ -z "$t2" ] && [ "$($D ps -q --filter label=orca.service=web | wc -l)" -eq 4 ]; then t2=$(now); fi
    sleep 0.05
  done
  echo "$r,$(echo "$t1 - $t0" | bc),$(echo "$t2 - $t0" | bc)"
  pkill -9 -f "orca.dll silo run --db $db" || true
  $D ps -aq | xargs -r $D rm -f >/dev/null
done
