#!/bin/sh
# The e2e kit's one entry point (`npm run e2e:env`): installs the Debian packages the
# node needs, then builds every piece from Go modules into $KIT_CACHE (outside the
# repository). Each piece is skipped when already built: a second run builds nothing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/lib.sh"

mkdir -p "$KIT_CACHE"
kit_log "kit: cache $KIT_CACHE"

# Debian packages: the container runtime, CNI plugins, image tools, iptables.
pkgs="containerd runc containernetworking-plugins debootstrap umoci openssl iptables iproute2 gcc libc6-dev redis-tools"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  [ "$(id -u)" = 0 ] || kit_die "Debian packages" "missing:$missing; run as root or install them"
  kit_log "kit: apt-get install$missing"
  kit_run "Debian packages" "$KIT_CACHE/apt.log" apt-get update -qq
  # shellcheck disable=SC2086
  kit_run "Debian packages" "$KIT_CACHE/apt.log" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
command -v go >/dev/null 2>&1 || kit_die "Go toolchain" "go is not on PATH"

for piece in images etcd coredns k8s pulumi provider-kubernetes provider-random; do
  sh "$here/build-$piece.sh"
done
kit_log "kit: every piece is built"
