#!/usr/bin/env bash
# Runs every test of Orca and ends with one line: "N passed, N failed[, N skipped]".
# Installs what the suites need from Debian's packages (docker.io and busybox-static for the real Docker hosts,
# docker-registry to pull images from, postgresql for the persistence tests, chromium for the report's browser
# test, fonts-dejavu-core for the plots' text),
# builds once (Release), then runs each test project in turn (two cores: no parallel builds fighting).
# The test fixtures start the Docker daemons and PostgreSQL they use (scripts/) and stop them at the end.
set -uo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK (dotnet) is required" >&2
  exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the tests use, installed when missing.
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
[ -x /bin/busybox ] || missing+=(busybox-static)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
      || echo "warning: could not install ${missing[*]}; the tests that need them will fail"
  else
    echo "warning: ${missing[*]} missing and not root: run 'sudo apt-get install ${missing[*]}'; the tests that need them will fail"
  fi
fi
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

echo "== build"
if ! dotnet build Orca.sln -c Release -nologo -v q -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0 failed=0 skipped=0
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  echo "== $name"
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$results/$name.trx" --logger "console;verbosity=minimal"
  trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "$name produced no results (it crashed or did not start)"
    failed=$((failed + 1))
    continue
  fi
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  p=$(count passed); f=$(count failed); e=$(count error); t=$(count total); x=$(count executed)
  passed=$((passed + p))
  failed=$((failed + f + e))
  skipped=$((skipped + t - x))
done

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
