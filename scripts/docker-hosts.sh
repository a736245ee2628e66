#!/usr/bin/env bash
# Starts or stops N Docker daemons side by side, each its own Docker host: vfs storage, no iptables, no bridge,
# its own data root, exec root, pidfile and unix socket under DIR/hostK/. Each gets a local image built with
# `docker import` from busybox (no registry is reachable): orca-test/busybox:1.
#   scripts/docker-hosts.sh start DIR N     prints one socket path a line when all answer
#   scripts/docker-hosts.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?DIR}
image=orca-test/busybox:1

install_missing() {
  local need=()
  command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
  [ -x /bin/busybox ] || need+=(busybox-static)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
  fi
}

rootfs_tar() {
  local root; root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc"
  cp /bin/busybox "$root/bin/busybox"
  for app in sh sleep echo cat ls true false kill env ps wget nc httpd date; do ln -s busybox "$root/bin/$app"; done
  echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
  tar -C "$root" -cf "$dir/rootfs.tar" .
  rm -rf "$root"
}

case "$cmd" in
  start)
    n=${3:?N}
    install_missing
    mkdir -p "$dir"
    rootfs_tar
    for k in $(seq 1 "$n"); do
      h="$dir/host$k"; mkdir -p "$h"
      dockerd --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none --label "orca.host=host$k" \
        --data-root="$h/data" --exec-root="$h/exec" --pidfile="$h/docker.pid" -H "unix://$h/docker.sock" \
        >"$h/dockerd.log" 2>&1 &
    done
    for k in $(seq 1 "$n"); do
      h="$dir/host$k"
      for _ in $(seq 1 150); do
        docker -H "unix://$h/docker.sock" version >/dev/null 2>&1 && break
        sleep 0.2
      done
      docker -H "unix://$h/docker.sock" version >/dev/null 2>&1 || { echo "dockerd $k did not start; see $h/dockerd.log" >&2; tail -5 "$h/dockerd.log" >&2; exit 1; }
      docker -H "unix://$h/docker.sock" import "$dir/rootfs.tar" "$image" >/dev/null
      echo "$h/docker.sock"
    done
    ;;
  stop)
    for pidfile in "$dir"/host*/docker.pid; do
      [ -f "$pidfile" ] || continue
      pid=$(cat "$pidfile")
      h=$(dirname "$pidfile")
      docker -H "unix://$h/docker.sock" ps -aq 2>/dev/null | xargs -r docker -H "unix://$h/docker.sock" rm -f >/dev/null 2>&1 || true
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    done
    # A container on the host's network leaves dockerd's bind mount of that namespace (exec/netns/default) behind.
    grep -o " $dir/[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    ;;
  rootfs)
    mkdir -p "$dir"
    rootfs_tar
    ;;
  *) echo "usage: $0 start DIR N | stop DIR | rootfs DIR" >&2; exit 2 ;;
esac
