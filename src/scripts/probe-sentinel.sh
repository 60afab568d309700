#!/bin/sh
# probe-sentinel.sh: readiness of a Sentinel container (`sh /scripts/probe-sentinel.sh`).
# Ready: it monitors a master and sees a quorum of sentinels (SENTINEL CKQUORUM). The
# seed's sentinel is alone until the Sentinel set starts, so it is ready as soon as it
# monitors a master (the Sentinel Service needs it to bootstrap the others).
# Environment: see common.sh (RS_BIND, RS_SENTINEL_LISTEN_PORT, RS_MASTER_NAME,
# RS_ANNOUNCE_HOST, RS_SEED_HOST, REDISCLI_AUTH).
set -u
RS_ROLE=probe-sentinel
RS_SCRIPTS_DIR=${RS_SCRIPTS_DIR:-$(dirname "$0")}
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$RS_SCRIPTS_DIR/common.sh"

me=$(rs_local_host)
master=$(rs_cli "$me" "$RS_SENTINEL_LISTEN_PORT" SENTINEL get-master-addr-by-name "$RS_MASTER_NAME" | sed -n 1p)
case "$master" in
  ''|*' '*|ERR*|NOAUTH*) echo "not ready: monitors no master $RS_MASTER_NAME"; exit 1 ;;
esac
[ "$RS_ANNOUNCE_HOST" = "${RS_SEED_HOST:-}" ] && exit 0
quorum=$(rs_cli "$me" "$RS_SENTINEL_LISTEN_PORT" SENTINEL CKQUORUM "$RS_MASTER_NAME")
case "$quorum" in
  OK*) exit 0 ;;
  *) echo "not ready: master $master, quorum check: $quorum"; exit 1 ;;
esac
