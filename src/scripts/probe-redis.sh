#!/bin/sh
# probe-redis.sh: readiness of a Redis container (`sh /scripts/probe-redis.sh`).
# Ready: a master that serves (not waiting in a cold-start election), or a replica whose
# link to its master is up. Also records the replication offset on the data volume
# (the rank used by a cold-start election, see replica.sh).
# Environment: see common.sh (RS_BIND, RS_REDIS_PORT, RS_DATA_DIR, REDISCLI_AUTH).
set -u
RS_ROLE=probe-redis
RS_SCRIPTS_DIR=${RS_SCRIPTS_DIR:-$(dirname "$0")}
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$RS_SCRIPTS_DIR/common.sh"

info=$(rs_cli "$(rs_local_host)" "$RS_REDIS_PORT" INFO replication)
role=$(rs_info_field "$info" role)
offset=$(rs_info_field "$info" master_repl_offset)
case "$offset" in ''|*[!0-9]*|0) ;; *) echo "$offset" >"$RS_OFFSET_FILE.tmp.$$" && mv -f "$RS_OFFSET_FILE.tmp.$$" "$RS_OFFSET_FILE" ;; esac
case "$role" in
  master)
    case "$(rs_node_state "$(rs_local_host)" "$RS_REDIS_PORT")" in
      master) exit 0 ;;
      *) echo "not ready: waiting in a cold-start election"; exit 1 ;;
    esac ;;
  slave)
    link=$(rs_info_field "$info" master_link_status)
    [ "$link" = up ] && exit 0
    echo "not ready: link to master $(rs_info_field "$info" master_host) is $link"; exit 1 ;;
  *) echo "not ready: Redis does not answer"; exit 1 ;;
esac
