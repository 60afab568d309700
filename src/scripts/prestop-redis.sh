#!/bin/sh
# prestop-redis.sh: preStop hook of the Redis set's `redis` container
# (`sh /scripts/prestop-redis.sh`; the kubelet runs it before it sends SIGTERM).
#
# Environment: see common.sh (RS_SENTINEL_HOST/PORT, RS_MASTER_NAME, RS_ANNOUNCE_HOST,
# RS_BIND, RS_REDIS_PORT, REDISCLI_AUTH), plus:
#   RS_PRESTOP_TIMEOUT_S    longest wait for the handover in seconds [20]; keep it well
#                           below the pod's terminationGracePeriodSeconds
#   RS_PRESTOP_SYNC_WAIT_S  longest wait for the replicas to catch up, seconds [5]
#
# A replica (or a master the Sentinels do not name) stops at once. The master hands over
# first, so a rolling update or a node drain does not leave writes failing until Sentinel
# notices the master is gone (down-after-milliseconds):
# 1. No replica online: nothing can take over; stop (Sentinel handles it as a failure).
# 2. CLIENT PAUSE WRITE: writes now wait here instead of landing on a server that stops.
# 3. Wait (bounded) until every online replica has the master's replication offset, so
#    the replica Sentinel promotes has every acknowledged write.
# 4. SENTINEL FAILOVER through the Sentinel Service.
# 5. Wait (bounded) until the Sentinels name another server and it serves as master.
# Once the failover may have been asked for (OK, INPROG, or no answer), the pause is never
# lifted (as in the seed retirement): writes it holds fail over with the clients when
# redis-server stops, none lands here. Only an explicit refusal lifts it.
# Before pausing, the hook writes $RS_DATA_DIR/rs-handover-started (removed when
# redis-server starts), so the SIGTERM handler does not hand over a second time; after
# pausing it records the replication offset (the cold-start rank) as the handler does.
# If every replica stops meanwhile (the whole set stopping), it stops waiting.
# Exit status 1 when the handover was not confirmed in time; the kubelet stops the pod
# either way.
set -u
RS_ROLE=prestop-redis
RS_SCRIPTS_DIR=${RS_SCRIPTS_DIR:-$(dirname "$0")}
# shellcheck source=common.sh
. "$RS_SCRIPTS_DIR/common.sh"
: "${RS_PRESTOP_TIMEOUT_S:=20}"
: "${RS_PRESTOP_SYNC_WAIT_S:=5}"

me=$(rs_local_host)
started=$(date +%s)
deadline=$((started + RS_PRESTOP_TIMEOUT_S))

elapsed() {
  echo "$(($(date +%s) - started))s"
}

# online_replicas INFO: "host port" of each replica with state=online, one per line.
online_replicas() {
  printf '%s\n' "$1" | sed -n 's/^slave[0-9]*:ip=\([^,]*\),port=\([0-9]*\),state=online,.*/\1 \2/p'
}

# lagging REPLICAS TARGET: the replicas (of "host port" lines) whose own replication
# offset is below TARGET, asked from each replica: the master's view of them is only
# refreshed by their once-a-second acknowledgements.
lagging() {
  printf '%s\n' "$1" | while read -r _rh _rp; do
    [ -n "$_rh" ] || continue
    _ro=$(rs_info_field "$(rs_cli "$_rh" "$_rp" INFO replication)" master_repl_offset)
    case "$_ro" in ''|*[!0-9]*) _ro=-1 ;; esac
    [ "$_ro" -ge "$2" ] || echo "$_rh@$_ro"
  done
}

role=$(rs_cli "$me" "$RS_REDIS_PORT" ROLE | sed -n 1p)
if [ "$role" != master ]; then
  rs_log "stopping as ${role:-an unreachable server}: no handover needed"
  exit 0
fi
named=$(rs_ask_sentinels)
if [ "${named%% *}" != "$RS_ANNOUNCE_HOST" ]; then
  rs_log "stopping: the sentinel service names ${named:-no master} as master, not this pod: no handover needed"
  exit 0
fi

replicas=$(online_replicas "$(rs_cli "$me" "$RS_REDIS_PORT" INFO replication)")
if [ -z "$replicas" ]; then
  rs_log "stopping the master with no replica online: nothing can take over; Sentinel fails over after down-after-milliseconds if a replica appears"
  exit 0
fi

# all_down REPLICAS: true when none of the replicas ("host port" lines) answers PING.
all_down() {
  _up=$(printf '%s\n' "$1" | while read -r _rh _rp; do
    [ -n "$_rh" ] || continue
    [ "$(rs_cli "$_rh" "$_rp" PING)" = PONG ] && echo up
  done)
  [ -z "$_up" ]
}

: >"$RS_HANDOVER_MARKER" 2>/dev/null || rs_log "handover: cannot write $RS_HANDOVER_MARKER"
pause_ms=$(((RS_PRESTOP_TIMEOUT_S + 30) * 1000))
if [ "$(rs_cli "$me" "$RS_REDIS_PORT" CLIENT PAUSE "$pause_ms" WRITE)" != OK ]; then
  rs_log "handover: CLIENT PAUSE WRITE failed; asking for the failover anyway"
fi
rs_record_offset
target=$(rs_info_field "$(rs_cli "$me" "$RS_REDIS_PORT" INFO replication)" master_repl_offset)
case "$target" in ''|*[!0-9]*) target=0 ;; esac
sync_deadline=$(($(date +%s) + RS_PRESTOP_SYNC_WAIT_S))
rs_log "handover: writes paused at offset $target; waiting for the online replicas to reach it: $(echo "$replicas" | cut -d' ' -f1 | tr '\n' ' ')"
while :; do
  behind=$(lagging "$replicas" "$target")
  [ -z "$behind" ] && break
  if all_down "$replicas"; then
    rs_log "handover: every replica stopped meanwhile: nothing can take over; resuming writes and stopping without a handover"
    rs_cli "$me" "$RS_REDIS_PORT" CLIENT UNPAUSE >/dev/null
    exit 0
  fi
  if [ "$(date +%s)" -ge "$sync_deadline" ]; then
    rs_log "handover: after ${RS_PRESTOP_SYNC_WAIT_S}s still below offset $target: $(echo "$behind" | tr '\n' ' '); failing over anyway (Sentinel promotes the most up-to-date replica)"
    break
  fi
  sleep 0.05
done

reply=$(rs_cli "$RS_SENTINEL_HOST" "$RS_SENTINEL_PORT" SENTINEL FAILOVER "$RS_MASTER_NAME")
case "$reply" in
  OK) rs_log "handover: SENTINEL FAILOVER accepted after $(elapsed)" ;;
  INPROG*) rs_log "handover: a failover is already in progress; waiting for it" ;;
  '')
    # The request may have reached a sentinel: never lift the pause now.
    rs_log "handover: SENTINEL FAILOVER $RS_MASTER_NAME via $RS_SENTINEL_HOST:$RS_SENTINEL_PORT got no answer; stopping with writes paused"
    exit 1 ;;
  *)
    rs_log "handover: SENTINEL FAILOVER $RS_MASTER_NAME via $RS_SENTINEL_HOST:$RS_SENTINEL_PORT answered '${reply:-nothing}'; resuming writes and stopping without a handover"
    rs_cli "$me" "$RS_REDIS_PORT" CLIENT UNPAUSE >/dev/null
    exit 1 ;;
esac

last=""
while [ "$(date +%s)" -lt "$deadline" ]; do
  named=$(rs_ask_sentinels)
  last=${named:-no answer}
  if [ -n "$named" ] && [ "${named%% *}" != "$RS_ANNOUNCE_HOST" ]; then
    # shellcheck disable=SC2086
    if rs_is_master $named; then
      rs_log "handover: ${named%% *} serves as master after $(elapsed); stopping"
      exit 0
    fi
  fi
  if all_down "$replicas"; then
    rs_log "handover: every replica stopped before one took over (the sentinel service last named: $last); stopping with writes paused"
    exit 1
  fi
  sleep 0.1
done
rs_log "handover: no other master confirmed within ${RS_PRESTOP_TIMEOUT_S}s (the sentinel service last named: $last); stopping with writes paused"
exit 1
