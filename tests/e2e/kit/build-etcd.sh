#!/bin/sh
# Builds etcd (Debian's 3.4 is too old for a v1.34 apiserver).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/lib.sh"
kit_go_binary "etcd $KIT_ETCD_VERSION" "$KIT_CACHE/etcd-$KIT_ETCD_VERSION" \
  go.etcd.io/etcd/server/v3 "$KIT_ETCD_VERSION" go.etcd.io/etcd/server/v3 etcd
