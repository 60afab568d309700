#!/bin/sh
# Builds CoreDNS, the cluster DNS (its kubernetes plugin serves Services and the
# hostname.subdomain names of pods).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/lib.sh"
kit_go_binary "coredns $KIT_COREDNS_VERSION" "$KIT_CACHE/coredns-$KIT_COREDNS_VERSION" \
  github.com/coredns/coredns "$KIT_COREDNS_VERSION" github.com/coredns/coredns coredns
