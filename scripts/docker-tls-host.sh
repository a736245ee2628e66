#!/usr/bin/env bash
# Starts or stops a Docker daemon that only speaks TLS with client certificates, on a loopback TCP port, with the
# certificates made here by openssl (a throwaway CA, a server certificate for 127.0.0.1, a client certificate)
# and the local image orca-test/busybox:1.
#   scripts/docker-tls-host.sh start DIR PORT    prints the endpoint as Orca takes it
#   scripts/docker-tls-host.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?DIR}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "$cmd" in
  start)
    port=${3:?PORT}
    mkdir -p "$dir"; cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 2 -subj "/CN=orca-test-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
    printf "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n" > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server.pem -days 2 -extfile server.ext 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout key.pem -out client.csr -subj "/CN=orca-client" 2>/dev/null
    printf "extendedKeyUsage=clientAuth\n" > client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out cert.pem -days 2 -extfile client.ext 2>/dev/null
    dockerd --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none --data-root="$dir/data" --exec-root="$dir/exec" \
      --pidfile="$dir/docker.pid" -H "tcp://127.0.0.1:$port" --tlsverify --tlscacert="$dir/ca.pem" --tlscert="$dir/server.pem" \
      --tlskey="$dir/server-key.pem" >"$dir/dockerd.log" 2>&1 &
    D="docker --tlsverify --tlscacert=$dir/ca.pem --tlscert=$dir/cert.pem --tlskey=$dir/key.pem -H tcp://127.0.0.1:$port"
    for _ in $(seq 1 150); do $D version >/dev/null 2>&1 && break; sleep 0.2; done
    "$here/docker-hosts.sh" rootfs "$dir" >/dev/null
    $D import "$dir/rootfs.tar" orca-test/busybox:1 >/dev/null
    echo "tcp://127.0.0.1:$port?tlsca=$dir/ca.pem&tlscert=$dir/cert.pem&tlskey=$dir/key.pem"
    ;;
  stop)
    [ -f "$dir/docker.pid" ] && kill "$(cat "$dir/docker.pid")" 2>/dev/null || true
    ;;
esac
