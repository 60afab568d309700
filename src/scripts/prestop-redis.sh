#!/bin/sh
# prestop-redis.sh: preStop hook of the Redis set's `redis` container
# (`sh /scripts/prestop-redis.sh`; the kubelet runs it before it sends SIGTERM). The
# SIGTERM handler of common.sh runs it too when no hook did.
#
# A stopping master hands over first (handover.sh run: the same in-pod handover the seed
# retirement starts), so a rolling update or a node drain does not leave writes failing
# until Sentinel notices the master is gone (down-after-milliseconds). A replica, or a
# master the Sentinels do not name, stops at once. Environment (defaults for this use):
#   RS_PRESTOP_TIMEOUT_S    longest wait for the handover in seconds [20]; keep it well
#                           below the pod's terminationGracePeriodSeconds
#   RS_PRESTOP_SYNC_WAIT_S  longest wait for the replicas to catch up, seconds [5]; after
#                           it, the failover is asked for anyway
#   RS_SENTINEL_HOSTS       the Sentinels handed over with (else the Sentinel Service)
# The replicas are those this master lists online. Exit status 1 when the handover was not
# confirmed in time; the kubelet stops the pod either way.
set -u
RS_ROLE=prestop-redis
export RS_ROLE
RS_SCRIPTS_DIR=${RS_SCRIPTS_DIR:-$(dirname "$0")}
exec sh "$RS_SCRIPTS_DIR/handover.sh" run
