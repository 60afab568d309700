#!/bin/sh
# down.sh RUN_DIR [--keep]: stops everything up.sh started (containers, shims, daemons),
# unmounts what they mounted, removes the pod network namespaces, the iptables rules of
# kube-proxy and the bridge, then RUN_DIR itself unless --keep. Safe to run twice, and
# on a half-started cluster.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../kit/versions.sh"
. "$here/config.sh"
run=${1:?usage: down.sh RUN_DIR [--keep]}
[ -d "$run" ] || exit 0
run=$(cd "$run" && pwd)
k8s="$KIT_CACHE/k8s-$KIT_K8S_VERSION/bin"

# This script and its ancestors name RUN_DIR on their command lines too: never kill them.
spare=" $$ "
p=$$
while [ "$p" -gt 1 ] 2>/dev/null; do
  p=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null) || break
  spare="$spare$p "
done
spared() { case "$spare" in *" $1 "*) return 0 ;; esac; return 1; }

stop() { # stop NAME: TERM, then KILL after 5 s
  f="$run/pids/$1"
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill "$pid" 2>/dev/null; then
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$f"
}

# The kubelet first, so that nothing restarts the containers.
stop kubelet
sock="$run/containerd/containerd.sock"
if [ -S "$sock" ]; then
  for task in $(ctr --address "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
    ctr --address "$sock" -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1
  done
fi
# Every process of a pod or a shim of this containerd (their command lines name RUN_DIR
# or they live in this run's pod cgroups).
for p in /proc/[0-9]*; do
  pid=${p#/proc/}
  if grep -q "$run" "$p/cmdline" 2>/dev/null || grep -q "/kubepods" "$p/cgroup" 2>/dev/null; then
    spared "$pid" && continue
    case " $(cat "$run"/pids/* 2>/dev/null | tr '\n' ' ') " in *" $pid "*) continue ;; esac
    kill -9 "$pid" 2>/dev/null
  fi
done
for name in coredns kube-proxy containerd kube-scheduler kube-controller-manager kube-apiserver etcd; do
  stop "$name"
done
# Nothing may survive: any process still naming RUN_DIR is killed.
for p in /proc/[0-9]*; do
  pid=${p#/proc/}
  spared "$pid" && continue
  grep -q "$run" "$p/cmdline" 2>/dev/null && kill -9 "$pid" 2>/dev/null
done

[ -x "$k8s/kube-proxy" ] && "$k8s/kube-proxy" --cleanup >/dev/null 2>&1
# kube-proxy --cleanup leaves KUBE-FIREWALL (seen with v1.34): drop every KUBE-* rule and
# chain, keeping every other rule as it is.
for ipt in iptables ip6tables; do
  command -v "$ipt-save" >/dev/null 2>&1 || continue
  if "$ipt-save" 2>/dev/null | grep -q 'KUBE-'; then
    "$ipt-save" | grep -v -- 'KUBE-' | "$ipt-restore"
  fi
done

# Mounts under RUN_DIR (pod volumes, overlay snapshots, shm), deepest first.
awk -v r="$run" '$2 ~ "^"r {print $2}' /proc/mounts | sort -r | while read -r m; do
  umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
done
# Pod network namespaces that this run created.
if [ -d /var/run/netns ]; then
  for ns in /var/run/netns/cni-*; do
    [ -e "$ns" ] || continue
    grep -qx "$(basename "$ns")" "$run/netns.before" 2>/dev/null && continue
    ip netns delete "$(basename "$ns")" 2>/dev/null || { umount "$ns" 2>/dev/null; rm -f "$ns"; }
  done
fi
# The pods' cgroups, and the cgroupRoot paths up.sh created (deepest first).
if [ -f "$run/cgroups.created" ]; then
  sort -r "$run/cgroups.created" | while read -r cg; do
    [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
fi
if [ -f "$run/sysctl.before" ]; then
  while IFS= read -r kv; do
    [ -n "${kv#*=}" ] && sysctl -qw "$kv" 2>/dev/null
  done <"$run/sysctl.before"
fi
ip link show "$E2E_BRIDGE" >/dev/null 2>&1 && ip link delete "$E2E_BRIDGE"
if [ "${2:-}" != "--keep" ]; then
  rm -rf "$run"
fi
exit 0
