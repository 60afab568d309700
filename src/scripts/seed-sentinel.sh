#!/bin/sh
# seed-sentinel.sh: the `sentinel` container of the seed pod. It shares the pod's
# network namespace with the seed's Redis, so it finds the first master at its own pod's
# address (RS_SEED_HOST), as in the seed procedure.
#
# Environment: see common.sh and sentinel.sh (same variables; RS_ANNOUNCE_HOST is the
# seed's name).
#
# 1. the Sentinel Service names a master (other sentinels already run): monitor it;
# 2. else a sentinel.conf on the volume monitors a master: start from that state;
# 3. else ask the seed's own Redis: serving as master -> monitor it; replica of X ->
#    monitor X; not answering yet -> wait and retry with a bounded backoff.
set -u
RS_ROLE=seed-sentinel
RS_SCRIPTS_DIR=${RS_SCRIPTS_DIR:-$(dirname "$0")}
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$RS_SCRIPTS_DIR/common.sh"
rs_wait_term

attempt=0
while :; do
  attempt=$((attempt + 1))
  rs_monitor_known_master
  state=$(rs_node_state "$RS_SEED_HOST" "$RS_REDIS_PORT")
  # shellcheck disable=SC2086
  set -- $state
  case "$1" in
    master) rs_run_sentinel "$RS_SEED_HOST" "$RS_REDIS_PORT" ;;
    replica) rs_run_sentinel "$2" "$3" ;;
  esac
  rs_log "seed Redis $RS_SEED_HOST:$RS_REDIS_PORT is $1 and no master known by sentinel service ${RS_SENTINEL_HOST:-}:$RS_SENTINEL_PORT yet (attempt $attempt, retry in $(rs_backoff "$attempt")s)"
  rs_sleep "$(rs_backoff "$attempt")"
done
