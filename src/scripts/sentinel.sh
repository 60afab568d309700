#!/bin/sh
# sentinel.sh: container command of a pod of the Sentinel set.
#
# Environment: see common.sh (RS_SENTINEL_HOST/PORT, RS_MASTER_NAME, RS_QUORUM (see rs_quorum),
# RS_DOWN_AFTER_MS, RS_FAILOVER_TIMEOUT_MS, RS_PARALLEL_SYNCS, RS_SENTINEL_DIR,
# RS_REDIS_HOSTS, RS_SEED_HOST, REDIS_PASSWORD, ...).
#
# Finds the master, in this order, then becomes redis-sentinel monitoring it:
# 1. the Sentinel Service names one: monitor it (reusing the state on the volume if it
#    already monitors that master);
# 2. nothing answers but sentinel.conf on the volume monitors a master (every pod
#    restarted): start from that state; the sentinels agree again through their epochs;
# 3. a pod among RS_SEED_HOST and RS_REDIS_HOSTS serves as master (e.g. elected after a
#    cold start that lost the sentinel state): monitor it;
# 4. otherwise wait and retry with a bounded backoff.
# The config lives on the writable volume RS_SENTINEL_DIR: Sentinel rewrites it and
# refuses to start on a read-only file.
#
# Defaults (tunable per deployment):
# - down-after-milliseconds 5000: a dead master is noticed in 5 s, not the 60 s of the
#   seed and the most used chart; lower values risk failovers on a GC pause or a slow
#   node, and 5 s is well above Redis's sub-millisecond PING replies on a pod network.
# - failover-timeout 60000: also the pause before a sentinel retries a failover that
#   stalled and the time allowed to reconfigure replicas; 60 s leaves a full resync of a
#   few GB time to finish before sentinels try again, and still retries within a minute.
# - parallel-syncs 1: after a failover, replicas resync from the new master one at a
#   time, so the others keep serving reads with the old data meanwhile and the new
#   master does not fork for several full syncs at once.
set -u
RS_ROLE=sentinel
RS_SCRIPTS_DIR=${RS_SCRIPTS_DIR:-$(dirname "$0")}
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$RS_SCRIPTS_DIR/common.sh"
rs_wait_term

attempt=0
while :; do
  attempt=$((attempt + 1))
  rs_monitor_known_master
  serving=$(rs_find_serving_master)
  if [ -n "$serving" ]; then
    # shellcheck disable=SC2086
    rs_run_sentinel $serving
  fi
  rs_log "no master known by sentinel service $RS_SENTINEL_HOST:$RS_SENTINEL_PORT yet and none serving (attempt $attempt, retry in $(rs_backoff "$attempt")s)"
  rs_sleep "$(rs_backoff "$attempt")"
done
