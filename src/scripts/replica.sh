#!/bin/sh
# replica.sh: container command of a pod of the Redis set (`sh /scripts/replica.sh`).
#
# Environment: see common.sh (RS_SENTINEL_HOST/PORT, RS_MASTER_NAME, RS_ANNOUNCE_HOST,
# RS_REDIS_HOSTS, RS_SEED_HOST, RS_DATA_DIR, REDIS_PASSWORD, ...).
#
# 1. Ask the Sentinel Service for the master.
#    - It names another pod that serves as master: start as its replica.
#    - It names this pod (the sentinels remember it as master, e.g. every pod restarted
#      with the sentinel state kept on its volume): start as master with the data on
#      this pod's volume. The master had the newest data, so the newest data wins.
#    - It names a master that does not serve yet: ask once more, then start as its replica
#      anyway (it may never come back: a replica gives the Sentinels a pod to promote).
# 2. Nothing answers or no master is known: if a pod among RS_REDIS_HOSTS and the seed
#    serves as master (sentinels all restarting), start as its replica.
# 3. Otherwise this is a cold start with no master anywhere (every pod restarted at
#    once and the sentinels lost their state). Cold-start election:
#    - Start redis-server in standby: data loaded from the volume, writes refused and
#      replication to others refused (ACL), and the rank published as the name of a
#      disabled ACL user. Rank = (replication offset recorded on the volume by the
#      readiness probe and at shutdown, number of keys loaded).
#    - Every second: if the sentinels now name a master or a peer serves as master,
#      follow it. Otherwise read the state of every candidate (RS_REDIS_HOSTS, then the
#      seed). Once every pod of RS_REDIS_HOSTS answers (or RS_ELECTION_WAIT_S has passed
#      and a majority answers), the candidate with the highest rank wins, ties to the
#      first in RS_REDIS_HOSTS order. The winner leaves standby and serves as master;
#      the others follow it as soon as it serves. A pod that others already replicate
#      from serves as master; while peers replicate from another pod, wait for that
#      one. An empty server never outranks one holding data it has recorded or loaded,
#      and when no pod holds data the winner waits RS_ELECTION_WAIT_S first (a seed
#      starting meanwhile takes the first boot).
#    The sentinels find the elected master by asking the same pods (sentinel.sh).
#    Limits: Redis does not restore replication offsets from AOF, hence the recorded
#    offset (exact after SIGTERM, as of the last readiness probe after a crash). Once
#    RS_ELECTION_WAIT_S has passed, pods that see different majorities could each
#    elect themselves; keep it well above a pod's start time. A pod the sentinels name
#    as master starts as master with what its volume holds, even if the volume was lost.
# Redis (and the data) stay running in the background; SIGTERM records the offset.
set -u
RS_ROLE=replica
RS_SCRIPTS_DIR=${RS_SCRIPTS_DIR:-$(dirname "$0")}
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$RS_SCRIPTS_DIR/common.sh"
rs_wait_term

attempt=0
while :; do
  attempt=$((attempt + 1))
  if ! rs_follow_master "$attempt"; then
    rs_cold_start
    rs_wait_child
  fi
  rs_sleep "$(rs_backoff "$attempt")"
done
