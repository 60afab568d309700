#!/bin/sh
# prestop-redis.sh: preStop hook of the Redis set's `redis` container
# (`sh /scripts/prestop-redis.sh`; the kubelet runs it before it sends SIGTERM). The
# SIGTERM handler of common.sh runs it too when no hook did.
#
# A stopping master hands over first (handover.sh run: the same in-pod handover the seed
# retirement starts), so a rolling update or a node drain does not leave writes failing
# until Sentinel notices the master is gone (down-after-milliseconds). A replica, or a
# master the Sentinels do not name, stops at once. Environment (defaults for this use):
#   RS_PRESTOP_TIMEOUT_S    the budget of this shutdown's handover in seconds [20]: it ends
#                           within it (handover.sh --timeout-s), and `timeout` stops it 3 s
#                           later at the latest; the pod's terminationGracePeriodSeconds keeps
#                           25 s more for the SIGTERM handler and redis-server's shutdown
#   RS_PRESTOP_SYNC_WAIT_S  longest wait for the replicas to catch up, seconds [5]; after
#                           it, the failover is asked for anyway
#   RS_SENTINEL_HOSTS       the Sentinels handed over with (else the Sentinel Service)
#   RS_DATA_DIR             the data volume [/data]: rs-prestop-started records when this
#                           shutdown's first handover began (removed when redis-server starts)
# The replicas are those this master lists online. One budget per shutdown: run again (the
# SIGTERM handler after a hook whose handover was not confirmed), it hands over with what is
# left of it, or not at all when less than 3 s is left. Exit status 1 when the handover was not confirmed in time; the
# kubelet stops the pod either way.
set -u
RS_ROLE=prestop-redis
export RS_ROLE
RS_SCRIPTS_DIR=${RS_SCRIPTS_DIR:-$(dirname "$0")}
started="${RS_DATA_DIR:-/data}/rs-prestop-started"
budget=${RS_PRESTOP_TIMEOUT_S:-20}
case "$budget" in ''|*[!0-9]*) budget=20 ;; esac
now=$(date +%s)
first=$(head -n 1 "$started" 2>/dev/null)
# The kubelet sends SIGTERM as soon as the hook ended (within the budget and its 3 s
# backstop): an older record is not this shutdown's (a hook whose container went on running).
case "$first" in ''|*[!0-9]*) ;; *) [ $((now - first)) -gt $((budget + 10)) ] && first="" ;; esac
case "$first" in
  ''|*[!0-9]*) echo "$now" >"$started" 2>/dev/null ;;
  *)
    budget=$((first + budget - now))
    # Less than 3 s leaves no time to pause, catch up, fail over and confirm.
    if [ "$budget" -lt 3 ]; then
      echo "$(date -u '+%Y-%m-%dT%H:%M:%SZ') $RS_ROLE: this shutdown's handover budget (${RS_PRESTOP_TIMEOUT_S:-20}s) is spent (${budget}s left): no second handover"
      exit 1
    fi ;;
esac
# The backstop, should the handover overrun its own deadline: TERM 3 s after the budget, KILL a
# second later. --foreground keeps it in the container's process group (coreutils timeout);
# without it (busybox), the handover's own deadline is the only bound.
if timeout --foreground -k 1 1 true 2>/dev/null; then
  exec timeout --foreground -k 1 $((budget + 3)) sh "$RS_SCRIPTS_DIR/handover.sh" run --timeout-s "$budget"
fi
exec sh "$RS_SCRIPTS_DIR/handover.sh" run --timeout-s "$budget"
