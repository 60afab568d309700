#!/bin/sh
# seed-master.sh: the `redis` container of the seed (bootstrap) pod.
#
# Environment: see common.sh (RS_ANNOUNCE_HOST is the seed's own name, RS_SEED_HOST,
# RS_SENTINEL_HOST/PORT, RS_REDIS_HOSTS, RS_DATA_DIR, REDIS_PASSWORD, ...).
#
# Starts as master only when no master exists anywhere (the first boot). Never two masters:
# - the Sentinel Service names another pod serving as master (the seed restarted
#   after a failover, or recreated by a later `pulumi up`): start as its replica;
# - it names this pod (seed container restarted before the sentinels failed over): master;
# - it names a master that does not serve yet: wait and ask again;
# - nothing answers / no master known: a pod of RS_REDIS_HOSTS serving as master is
#   followed; pods holding data and waiting in a cold-start election are joined
#   (replica.sh); otherwise (no Redis pod answers, or only empty ones wait) this is
#   the first boot: start as master.
set -u
RS_ROLE=seed-master
RS_SCRIPTS_DIR=${RS_SCRIPTS_DIR:-$(dirname "$0")}
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$RS_SCRIPTS_DIR/common.sh"
rs_wait_term

attempt=0
while :; do
  attempt=$((attempt + 1))
  if ! rs_follow_master "$attempt"; then
    for c in $(rs_candidates); do
      [ "$c" = "$RS_ANNOUNCE_HOST" ] && continue
      # shellcheck disable=SC2046
      set -- $(rs_node_state "$c" "$RS_REDIS_PORT")
      # Pods waiting with data are electing a master after a cold start: join them.
      # Empty ones started before any master existed: this is still the first boot.
      if [ "$1" = standby ] && [ $(($2 + $3)) -gt 0 ]; then
        rs_log "Redis pods holding data are electing a master after a cold start: joining"
        rs_cold_start; rs_wait_child
      fi
    done
    rs_log "first boot: no master known and no Redis pod holds data: starting as master"
    rs_write_redis_conf master; rs_start_redis; rs_wait_child
  fi
  rs_sleep "$(rs_backoff "$attempt")"
done
