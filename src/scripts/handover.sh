#!/bin/sh
# handover.sh: the planned switchover of a serving master, run INSIDE its pod's `redis`
# container. The one handover implementation: the seed retirement starts it with one
# Kubernetes exec, the Redis set's preStop hook (prestop-redis.sh) and the SIGTERM handler
# (common.sh) run it in the foreground. It reaches the replicas and the Sentinels over the
# pod network with redis-cli (password from REDISCLI_AUTH), so nothing between the pause
# and the moved clients waits on the Kubernetes API server.
# Environment: the role scripts' (docs/internals.md); REDISCLI_AUTH, RS_SENTINEL_HOSTS,
# RS_PRESTOP_TIMEOUT_S and RS_PRESTOP_SYNC_WAIT_S give the defaults of the options below.
#
#   sh /scripts/handover.sh start [OPTIONS]  start a handover detached from this exec (or
#       join the one already running), wait up to --wait-s for its result, print the state
#   sh /scripts/handover.sh status           print the state of the last handover
#   sh /scripts/handover.sh run [OPTIONS]    hand over in the foreground; if one is already
#       running, wait for it instead. Exit 0: handed over or none needed; 1: not confirmed
#   sh /scripts/handover.sh demote --master HOST   this server is master but the Sentinels
#       name HOST: pause writes, become HOST's replica, disconnect the clients
#
# Options:
#   --sentinels "H ..."   Sentinels (pod host names) to hand over with; the first naming this
#                         server is the leader (INFO alignment, SENTINEL FAILOVER)
#                         [RS_SENTINEL_HOSTS; none: the Sentinel Service, not aligned]
#   --replicas "H ..."    replicas that must reach the paused offset [those listed online]
#   --require-sync        fail (pause lifted, no failover) when they do not catch up within
#                         --sync-wait-s [preStop: fail over anyway; Sentinel promotes the
#                         most up-to-date replica]
#   --timeout-s N         the handover's budget: it ends within N s of its start, whatever
#                         does not answer (see "Budget" below) [RS_PRESTOP_TIMEOUT_S, 20]
#   --sync-wait-s N       longest wait for the catch-up [RS_PRESTOP_SYNC_WAIT_S, 5]
#   --pause-ms N          CLIENT PAUSE length [(timeout + 30 s)]
#   --failover-retry-ms N retry a SENTINEL FAILOVER refused with an error [5000]
#   --failover-at-ms N    send SENTINEL FAILOVER N ms after the leader's INFO of the
#                         replicas [720]; --no-align: at once
#   --converge-ms N       after the leader names the new master, wait at most N ms for
#                         every Sentinel to name it before moving the clients [0]
#   --wait-s N            (start) how long the exec waits for the result [10]
#   --id TEXT             a name for this handover, shown in the state
#
# Steps (each recorded in the state file, read back by `status`):
#  1. check: this server is master and a Sentinel names it (else: nothing to do, state
#     skipped); the leader is the first listed Sentinel that names it;
#  2. align-info: the leader refreshes its INFO of every replica now (info-period 100 ms for
#     a moment, its own period put back). During a failover it polls the promoted replica's
#     INFO once a second and switches only on the INFO showing the promotion, which Sentinel
#     sends three timer ticks (~110-300 ms) after SENTINEL FAILOVER: sent 720 ms after that
#     refresh, the next INFO is due 280 ms later, in or after the promotion's tick, instead of
#     up to a second later (sent after ~800 ms it may miss it: a second more);
#  3. pause: CLIENT PAUSE WRITE, just in time for the catch-up check to end at that moment;
#  4. catch-up: every replica's slave_repl_offset reaches the paused offset;
#  5. failover: SENTINEL FAILOVER on the leader (an error reply is retried on the next
#     Sentinel; INPROG or no answer count as issued);
#  6. confirm: the Sentinel that took it (any Sentinel if it does not answer) names another
#     server, and that server answers ROLE master. A Sentinel names the promoted replica
#     only once its failover reached the reconfiguration state, with the new configuration
#     epoch, which the others adopt from the hello message it sends at its next tick;
#  7. move-clients: REPLICAOF the new master (this server can no longer take a write, and a
#     client that a lagging Sentinel still sends here sees a replica and asks again), then
#     CLIENT KILL every client but the Sentinels' links: clients reconnect through Sentinel
#     and resend what the pause held;
#  8. converge: wait (bounded, off the critical path) until every Sentinel names it, then
#     disconnect the clients that reconnected here meanwhile.
# Safety: once SENTINEL FAILOVER may have been issued (OK, INPROG, no answer, or a signal
# while it was being sent), the pause is never lifted; it ends on its own after --pause-ms.
# Only a refusal, replicas that did not catch up with --require-sync, the budget running out
# before the failover was sent, or a SIGTERM before it was sent, lift it.
#
# Budget: the handover ends within --timeout-s of its start (the preStop hook gives it
# RS_PRESTOP_TIMEOUT_S and the pod's grace period keeps 25 s more for redis-server's
# shutdown). Every redis-cli is bounded by the time left (3 s at most, 0.5 s at least, so a
# last UNPAUSE or REPLICAOF still goes out); SENTINEL FAILOVER is sent only while a quarter of
# the budget (2-5 s) is left for the confirmation, so the INFO alignment, the catch-up and the
# retries of a refused failover are cut short to keep it; the confirmation and the wait for the
# other Sentinels end at the deadline. A budget that runs out before the failover was sent lifts
# the pause (state failed, still master); after, the pause stays (state failed, paused).
#
# Files on the data volume (docs/internals.md): rs-handover.state (key=value lines,
# rewritten atomically at each step), rs-handover.log (this handover's log, the previous
# one in .log.1), rs-handover.lock/ (a directory made with mkdir: at most one handover;
# holds the runner's pid), rs-handover-started (marker for the SIGTERM handler). The lock
# and the marker are removed when redis-server starts.
set -u
RS_ROLE=${RS_ROLE:-handover}
RS_SCRIPTS_DIR=${RS_SCRIPTS_DIR:-$(dirname "$0")}
# shellcheck source=common.sh
. "$RS_SCRIPTS_DIR/common.sh"

HO_SCRIPT="$RS_SCRIPTS_DIR/handover.sh"
HO_FINAL=" done failed skipped "

now_ms() {
  _t=$(date +%s%3N 2>/dev/null)
  case "$_t" in ''|*[!0-9]*) _t=$(($(date +%s) * 1000)) ;; esac
  echo "$_t"
}

sleep_ms() {
  [ "$1" -gt 0 ] 2>/dev/null || return 0
  sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"
}

# one_line TEXT: TEXT on one line (state values are single lines).
one_line() {
  printf '%s' "$1" | tr '\r\n' '  ' | sed 's/  */ /g; s/ $//'
}

ho_usage() {
  echo "usage: handover.sh start|status|run|demote [options]; see the header of $HO_SCRIPT" >&2
  exit 2
}

# ---- options --------------------------------------------------------------------------
opt_sentinels=${RS_SENTINEL_HOSTS:-}
opt_replicas=""
opt_require_sync=no
opt_timeout_s=${RS_PRESTOP_TIMEOUT_S:-20}
opt_sync_wait_s=${RS_PRESTOP_SYNC_WAIT_S:-5}
opt_pause_ms=""
opt_retry_ms=5000
opt_align=yes
opt_at_ms=720
opt_converge_ms=0
opt_wait_s=10
opt_id=""
opt_master=""

parse_opts() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --require-sync) opt_require_sync=yes; shift; continue ;;
      --no-align) opt_align=no; shift; continue ;;
      --locked) shift; continue ;;
    esac
    [ $# -ge 2 ] || ho_usage
    case "$1" in
      --sentinels) opt_sentinels=$2 ;;
      --replicas) opt_replicas=$2 ;;
      --timeout-s) opt_timeout_s=$2 ;;
      --sync-wait-s) opt_sync_wait_s=$2 ;;
      --pause-ms) opt_pause_ms=$2 ;;
      --failover-retry-ms) opt_retry_ms=$2 ;;
      --failover-at-ms) opt_at_ms=$2 ;;
      --converge-ms) opt_converge_ms=$2 ;;
      --wait-s) opt_wait_s=$2 ;;
      --id) opt_id=$(one_line "$2") ;;
      --master) opt_master=$2 ;;
      *) ho_usage ;;
    esac
    shift 2
  done
  for _n in "$opt_timeout_s" "$opt_sync_wait_s" "$opt_retry_ms" "$opt_at_ms" "$opt_converge_ms" "$opt_wait_s" ${opt_pause_ms:+"$opt_pause_ms"}; do
    case "$_n" in ''|*[!0-9]*) echo "handover.sh: not a whole number: $_n" >&2; exit 2 ;; esac
  done
  [ -n "$opt_pause_ms" ] || opt_pause_ms=$(((opt_timeout_s + 30) * 1000))
}

# ---- state file, log, lock ---------------------------------------------------------------
ho_state=none; ho_phase=""; ho_issued=no; ho_leader=""; ho_new_master=""; ho_unmet=""
ho_observed=""; ho_left=""; ho_phases=""; ho_started_at=""; ho_paused_at=""; ho_pause_ms=""
ho_failover_ms=""; ho_after_info_ms=""; ho_converged_ms=""; ho_phase_at=""

ho_save() {
  {
    echo "handover-state v1"
    echo "id=$opt_id"
    echo "state=$ho_state"
    echo "phase=$ho_phase"
    echo "issued=$ho_issued"
    echo "host=$RS_ANNOUNCE_HOST"
    echo "pid=$$"
    echo "started_at=$ho_started_at"
    echo "deadline_at=$ho_deadline"
    echo "updated_at=$(now_ms)"
    echo "leader=$ho_leader"
    echo "new_master=$ho_new_master"
    echo "pause_ms=$ho_pause_ms"
    echo "failover_ms=$ho_failover_ms"
    echo "failover_after_info_ms=$ho_after_info_ms"
    echo "converged_ms=$ho_converged_ms"
    echo "phases=$ho_phases"
    printf 'unmet=%s\n' "${ho_unmet:+$(one_line "$ho_unmet")}"
    printf 'observed=%s\n' "${ho_observed:+$(one_line "$ho_observed")}"
    printf 'left=%s\n' "${ho_left:+$(one_line "$ho_left")}"
  } >"$RS_HANDOVER_STATE.tmp.$$" && mv -f "$RS_HANDOVER_STATE.tmp.$$" "$RS_HANDOVER_STATE"
}

# rs_log, also appended to the log file when the output is not already that file.
rs_log() {
  _line="$(date -u '+%Y-%m-%dT%H:%M:%SZ') $RS_ROLE: $*"
  printf '%s\n' "$_line"
  [ "${HO_TEE:-}" = yes ] && printf '%s\n' "$_line" >>"$RS_HANDOVER_LOG"
  return 0
}

ho_log() {
  rs_log "[+$(($(now_ms) - ho_started_at)) ms] $*"
}

# ho_phase NAME: NAME starts now (the previous phase's duration is recorded).
ho_phase() {
  [ "$1" = "$ho_phase" ] && { ho_save; return 0; }
  _n=$(now_ms)
  [ -n "$ho_phase" ] && [ -n "$ho_phase_at" ] && ho_phases="${ho_phases:+$ho_phases,}$ho_phase:$((_n - ho_phase_at))"
  ho_phase=$1
  ho_phase_at=$_n
  bound_rc "$_n"
  ho_save
}

# mark NAME: like ho_phase without writing the state file (the critical path).
mark() {
  [ "$1" = "$ho_phase" ] && return 0
  _n=$(now_ms)
  [ -n "$ho_phase" ] && [ -n "$ho_phase_at" ] && ho_phases="${ho_phases:+$ho_phases,}$ho_phase:$((_n - ho_phase_at))"
  ho_phase=$1
  ho_phase_at=$_n
  bound_rc "$_n"
}

ho_end_phase() {
  _n=$(now_ms)
  [ -n "$ho_phase_at" ] && ho_phases="${ho_phases:+$ho_phases,}$ho_phase:$((_n - ho_phase_at))"
  ho_phase_at=""
}

# The pid holding the lock, if that process is still a running handover.
lock_holder() {
  _lp=$(cat "$RS_HANDOVER_LOCK/pid" 2>/dev/null)
  case "$_lp" in ''|*[!0-9]*) return 1 ;; esac
  kill -0 "$_lp" 2>/dev/null || return 1
  if [ -r "/proc/$_lp/cmdline" ] && ! tr '\0' ' ' <"/proc/$_lp/cmdline" | grep -q 'handover\.sh'; then
    return 1
  fi
  echo "$_lp"
}

lock_held() {
  [ -d "$RS_HANDOVER_LOCK" ] || return 1
  lock_holder >/dev/null && return 0
  # Made but no pid yet: its maker is writing it.
  [ -s "$RS_HANDOVER_LOCK/pid" ] && return 1
  sleep 0.2
  lock_holder >/dev/null
}

# take_lock: 0 when this process now holds the lock (a stale one is replaced).
take_lock() {
  if ! mkdir "$RS_HANDOVER_LOCK" 2>/dev/null; then
    lock_held && return 1
    rm -rf "$RS_HANDOVER_LOCK"
    mkdir "$RS_HANDOVER_LOCK" 2>/dev/null || return 1
  fi
  echo "$$" >"$RS_HANDOVER_LOCK/pid"
}

# The state as `status` prints it: a running handover whose process is gone is interrupted.
print_state() {
  if [ ! -s "$RS_HANDOVER_STATE" ]; then
    echo "handover-state v1"
    echo "state=none"
  else
    _st=$(sed -n 's/^state=//p' "$RS_HANDOVER_STATE")
    if [ "$_st" = running ] && ! lock_held; then
      sed 's/^state=running$/state=interrupted/' "$RS_HANDOVER_STATE"
    else
      cat "$RS_HANDOVER_STATE"
    fi
  fi
  [ -f "$RS_HANDOVER_LOG" ] && sed 's/^/log=/' "$RS_HANDOVER_LOG" | tail -n 60
  return 0
}

state_of_file() {
  sed -n 's/^state=//p' "$RS_HANDOVER_STATE" 2>/dev/null
}

# wait_final SECONDS [DEADLINE_MS]: until the state file holds a final state or no handover
# runs, for at most SECONDS, and at most until DEADLINE_MS when given.
wait_final() {
  _until=$(($(now_ms) + $1 * 1000))
  case "${2:-}" in ''|*[!0-9]*) ;; *) [ "$2" -lt "$_until" ] && _until=$2 ;; esac
  while [ "$(now_ms)" -lt "$_until" ]; do
    case "$HO_FINAL" in *" $(state_of_file) "*) return 0 ;; esac
    lock_held || return 0
    sleep 0.02
  done
  return 1
}

# ---- small redis helpers ------------------------------------------------------------------
me=$(rs_local_host)
SP=$RS_SENTINEL_LISTEN_PORT
RC_TIMEOUT=""
command -v timeout >/dev/null 2>&1 && RC_TIMEOUT="timeout 3"
# The handover's deadline (ms; set when it begins) and the latest moment SENTINEL FAILOVER may
# be sent (the rest of the budget is the confirmation's).
ho_deadline=""
fo_by=""

# bound_rc [NOW]: each redis-cli from now on waits at most the time left before the deadline
# (3 s at most, 0.5 s at least).
bound_rc() {
  [ -n "$RC_TIMEOUT" ] && [ -n "$ho_deadline" ] || return 0
  _left=$((ho_deadline - ${1:-$(now_ms)}))
  [ "$_left" -gt 3000 ] && _left=3000
  [ "$_left" -lt 500 ] && _left=500
  RC_TIMEOUT="timeout $((_left / 1000)).$(printf '%03d' $((_left % 1000)))"
}

# past_deadline: true once the budget is spent.
past_deadline() {
  [ -n "$ho_deadline" ] && [ "$(now_ms)" -ge "$ho_deadline" ]
}

# rc HOST PORT ARGS...: redis-cli, raw output, bounded by 3 s: the lean form of rs_cli for
# the critical path (no pipe; INFO output keeps its \r).
rc() {
  _h=$1; _p=$2; shift 2
  # shellcheck disable=SC2086
  $RC_TIMEOUT redis-cli $RS_CLI_TLS --no-auth-warning -h "$_h" -p "$_p" "$@" 2>/dev/null
}

# master_named_by HOST PORT: "host port" of the master that Sentinel names, or nothing.
master_named_by() {
  # shellcheck disable=SC2046
  set -- $(rc "$1" "$2" SENTINEL get-master-addr-by-name "$RS_MASTER_NAME")
  [ $# -eq 2 ] || return 0
  case "$2" in ''|*[!0-9]*) return 0 ;; esac
  echo "$1 $2"
}

role_of() {
  # shellcheck disable=SC2046
  set -- $(rc "$1" "$2" ROLE)
  echo "${1:-}"
}

# lagging TARGET: the replicas that can be promoted and are not yet at offset TARGET with
# their link to this server up
# ("host (master, link, offset)"), asked in parallel from the replicas themselves.
lagging() {
  _i=0
  for _h in $replicas; do
    _i=$((_i + 1))
    { echo "host:$_h"; rc "$_h" "$RS_REDIS_PORT" INFO replication; } >"$tmp/r$_i" &
  done
  # The replicas this server still has a link to: one that stopped (a scale-down removes it
  # with the master) is no longer listed, and is not waited for.
  rc "$me" "$RS_REDIS_PORT" INFO replication >"$tmp/m" &
  wait
  _online=" $(sed -n 's/^slave[0-9]*:ip=\([^,]*\),port=[0-9]*,state=online,.*/\1/p' "$tmp/m" | tr '\n' ' ') "
  _i=0; _files=""
  for _h in $replicas; do _i=$((_i + 1)); _files="$_files $tmp/r$_i"; done
  # Prints each replica that can still be promoted and is behind; writes how many can be
  # promoted and are there to $tmp/ready. Not waited for: a replica with replica-priority 0
  # (a stopping one set it: Sentinel never promotes it), and one that answers nothing while
  # this server lists it no more (it stopped).
  # shellcheck disable=SC2086
  awk -v target="$1" -v me="$RS_ANNOUNCE_HOST" -v online="$_online" -v ready="$tmp/ready" '
    function check() {
      if (h == "") return
      if (prio == "0") return
      if (!answered && index(online, " " h " ") == 0) return
      if (link != "up" || of != me || off < target) printf "%s (master %s, link %s, offset %s)\n", h, (of == "" ? "?" : of), (link == "" ? "?" : link), off
      else n++
    }
    FNR == 1 { check(); h = ""; link = ""; of = ""; off = -1; prio = ""; answered = 0 }
    { sub(/\r$/, "") }
    /^host:/ { h = substr($0, 6); next }
    /^role:/ { answered = 1 }
    /^master_link_status:/ { link = substr($0, 20) }
    /^master_host:/ { of = substr($0, 13) }
    /^slave_repl_offset:/ { off = substr($0, 19) + 0 }
    /^slave_priority:/ { prio = substr($0, 16) }
    END { check(); print n + 0 > ready }' $_files
}

# all_replicas_down: no replica answers PING (asked in parallel: a frozen one costs one
# bounded wait, not one per replica).
all_replicas_down() {
  _i=0
  for _h in $replicas; do
    _i=$((_i + 1))
    rc "$_h" "$RS_REDIS_PORT" PING >"$tmp/p$_i" &
  done
  wait
  _i=0
  for _h in $replicas; do
    _i=$((_i + 1))
    [ "$(tr -d '\r' <"$tmp/p$_i")" = PONG ] && return 1
  done
  return 0
}

# ---- outcomes ------------------------------------------------------------------------------
# finish STATE EXIT UNMET OBSERVED LEFT
finish() {
  ho_end_phase
  ho_state=$1; ho_unmet=$3; ho_observed=$4; ho_left=$5
  ho_save
  exit "$2"
}

skip() {
  ho_log "no handover needed: $1"
  rm -f "$RS_HANDOVER_MARKER"
  finish skipped 0 "" "$1" "unchanged"
}

# fail_unpaused PHASE UNMET OBSERVED: nothing was issued; the pause (if any) is lifted.
fail_unpaused() {
  mark "$1"
  if [ -n "$ho_paused_at" ]; then
    rc "$me" "$RS_REDIS_PORT" CLIENT UNPAUSE >/dev/null
    ho_log "$2 not met ($3): resuming writes; no failover was issued"
  else
    ho_log "$2 not met ($3); no failover was issued"
  fi
  rm -f "$RS_HANDOVER_MARKER"
  finish failed 1 "$2" "$3" "running as master; no failover was issued${ho_paused_at:+ and its pause was lifted}"
}

# fail_paused UNMET OBSERVED: SENTINEL FAILOVER may have been issued; the pause stays.
fail_paused() {
  _end=$((ho_paused_at + opt_pause_ms))
  ho_log "$1 not met ($2); writes stay paused (never lifted once a failover may have been issued)"
  finish failed 1 "$1" "$2" "paused until $(date -u -d "@$((_end / 1000))" '+%Y-%m-%dT%H:%M:%SZ' 2>/dev/null || echo "$_end ms"), never unpaused: SENTINEL FAILOVER was issued (${ho_issued})"
}

# ---- the handover -------------------------------------------------------------------------
cleanup() {
  [ -n "${restore_period:-}" ] && rc "$ho_leader" "$SP" SENTINEL DEBUG info-period "$restore_period" >/dev/null
  [ -n "${tmp:-}" ] && rm -rf "$tmp"
  [ "$(cat "$RS_HANDOVER_LOCK/pid" 2>/dev/null)" = "$$" ] && rm -rf "$RS_HANDOVER_LOCK"
}

begin() {
  ho_started_at=$(now_ms)
  ho_deadline=$((ho_started_at + opt_timeout_s * 1000))
  # SENTINEL FAILOVER only while a quarter of the budget (2-5 s) is left for the confirmation.
  _reserve=$((opt_timeout_s * 250))
  [ "$_reserve" -lt 2000 ] && _reserve=2000
  [ "$_reserve" -gt 5000 ] && _reserve=5000
  fo_by=$((ho_deadline - _reserve))
  bound_rc "$ho_started_at"
  ho_state=running
  trap cleanup EXIT
  trap 'on_signal' TERM INT
  echo "$$" >"$RS_HANDOVER_LOCK/pid"
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/rs-handover.XXXXXX")
  : >"$RS_HANDOVER_MARKER" 2>/dev/null || rs_log "cannot write $RS_HANDOVER_MARKER"
  ho_phase check
  ho_log "handover ${opt_id:+$opt_id }started (pid $$)"
}

# on_signal: stopped (SIGTERM, or the preStop hook's backstop): a pause with no failover
# possibly sent is lifted, as on any failure before it; once one may have been sent, it stays.
on_signal() {
  [ -n "${moved_at:-}" ] && finish "done" 0 "" "" "replica of $ho_new_master, clients disconnected"
  [ -n "$ho_paused_at" ] && [ "$ho_issued" != no ] && fail_paused "the handover ends before it is stopped" "a signal arrived after SENTINEL FAILOVER may have been sent"
  fail_unpaused "${ho_phase:-check}" "the handover ends before it is stopped" "a signal arrived before SENTINEL FAILOVER was sent"
}

# choose_leader: ho_leader = the first Sentinel naming this server; "service" when only the
# Sentinel Service names it. Skips when the Sentinels name another server.
choose_leader() {
  named=""
  for _s in $opt_sentinels; do
    past_deadline && fail_unpaused check "a Sentinel names this server within the ${opt_timeout_s}s budget" "no answer naming it from [${opt_sentinels}] before the deadline"
    _n=$(master_named_by "$_s" "$SP")
    [ -n "$_n" ] || continue
    named=${_n%% *}
    if [ "$named" = "$RS_ANNOUNCE_HOST" ]; then ho_leader=$_s; return 0; fi
  done
  if [ -z "$opt_sentinels" ] && [ -n "${RS_SENTINEL_HOST:-}" ]; then
    _n=$(rs_ask_sentinels)
    named=${_n%% *}
    if [ "$named" = "$RS_ANNOUNCE_HOST" ]; then ho_leader=service; return 0; fi
  fi
  [ -n "$named" ] && skip "the sentinels name ${named} as master, not this server"
  fail_unpaused check "a Sentinel names this server as master" "no Sentinel of [${opt_sentinels:-${RS_SENTINEL_HOST:-none}}] answered"
}

# sentinel_at HOST: host and port to reach a Sentinel ("service" = the Sentinel Service).
sentinel_at() {
  if [ "$1" = service ]; then echo "$RS_SENTINEL_HOST $RS_SENTINEL_PORT"; else echo "$1 $SP"; fi
}

# align: sets t0 (ms) = when the leader's INFO of every replica was refreshed, or nothing.
align() {
  t0=""
  [ "$opt_align" = yes ] && [ "$ho_leader" != service ] || return 0
  ho_phase align-info
  _period=$(rc "$ho_leader" "$SP" SENTINEL DEBUG | awk 'NR % 2 == 1 { k = $0; next } toupper(k) == "INFO-PERIOD" { print; exit }')
  case "$_period" in
    ''|*[!0-9]*) ho_log "INFO alignment skipped (SENTINEL DEBUG not available on $ho_leader); the failover runs at Sentinel's usual pace"; return 0 ;;
  esac
  if [ $(($(now_ms) + 3000)) -gt "$fo_by" ]; then
    ho_log "INFO alignment skipped: the budget leaves no time for it"; return 0
  fi
  restore_period=$_period
  rc "$ho_leader" "$SP" SENTINEL DEBUG info-period 100 >/dev/null
  _until=$(($(now_ms) + 3000))
  _want=$(echo "$replicas" | wc -w)
  while :; do
    _asked=$(now_ms)
    _out=$(rc "$ho_leader" "$SP" SENTINEL REPLICAS "$RS_MASTER_NAME")
    _back=$(now_ms)
    # "count max-age bad" over the replicas handed over to
    # shellcheck disable=SC2046
    set -- $(printf '%s\n' "$_out" | awk -v want=" $replicas " '
      NR % 2 == 1 { k = $0; next }
      k == "ip" { ip = $0 }
      k == "info-refresh" && index(want, " " ip " ") { n++; a = $0 + 0; if (a > m) m = a; if (a < 0 || a >= 150) bad = 1 }
      END { print n + 0, m + 0, bad + 0 }')
    if [ "$1" -eq "$_want" ] && [ "$3" -eq 0 ]; then
      t0=$((_asked + (_back - _asked) / 2 - $2))
      break
    fi
    if [ "$(now_ms)" -gt "$_until" ]; then
      ho_log "INFO alignment skipped: the leader did not refresh every replica within 3 s"
      break
    fi
    sleep 0.02
  done
  rc "$ho_leader" "$SP" SENTINEL DEBUG info-period "$restore_period" >/dev/null
  restore_period=""
}

# failover: SENTINEL FAILOVER; sets ho_issued, fo_sentinel and fo_at, or fails unpaused on a
# refusal. Logs are kept for later (the clients wait meanwhile).
failover() {
  mark failover
  _retry_until=$(($(now_ms) + opt_retry_ms))
  [ "$_retry_until" -gt "$fo_by" ] && _retry_until=$fo_by
  _order="$ho_leader $(for _s in $opt_sentinels; do [ "$_s" = "$ho_leader" ] || echo "$_s"; done)"
  while :; do
    for fo_sentinel in $_order; do
      fo_at=$(now_ms)
      [ "$fo_at" -ge "$fo_by" ] && fail_unpaused failover "SENTINEL FAILOVER is sent while the budget leaves time to confirm it" "${_refusal:-the steps before it used the budget}"
      # A signal while it is being sent: it may have been issued.
      ho_issued=maybe
      # shellcheck disable=SC2046
      _reply=$(rc $(sentinel_at "$fo_sentinel") SENTINEL FAILOVER "$RS_MASTER_NAME")
      case "$_reply" in
        OK) ho_issued=yes; later="SENTINEL FAILOVER accepted by $fo_sentinel${t0:+ $((fo_at - t0)) ms after its INFO of the replicas}"; return 0 ;;
        INPROG*) ho_issued=yes; later="a failover is already in progress ($fo_sentinel: $_reply); confirmed it"; return 0 ;;
        '') ho_issued=maybe; ho_save; ho_log "SENTINEL FAILOVER on $fo_sentinel got no answer: it may have been issued; confirming, the pause stays"; return 0 ;;
      esac
      ho_issued=no
      _refusal="$fo_sentinel replied $_reply"
      if [ $(($(now_ms) + 200)) -gt "$_retry_until" ]; then
        fail_unpaused failover "Sentinel accepts SENTINEL FAILOVER" "$_refusal"
      fi
      ho_log "SENTINEL FAILOVER refused ($_refusal); retrying"
      sleep 0.2
    done
  done
}

# confirm: until the Sentinel that took the failover (any Sentinel when it does not answer,
# when the answer was unknown, or after 2 s) names another server that answers ROLE
# master. Sets ho_new_master, new_port, confirmed_by.
confirm() {
  mark confirm
  _deadline=$((ho_started_at + opt_timeout_s * 1000))
  _all_after=$((fo_at + 2000))
  [ "$ho_issued" = maybe ] && _all_after=0
  _down_at=$((fo_at + 1000))
  _last=""
  # shellcheck disable=SC2046
  set -- $(sentinel_at "$fo_sentinel")
  _fh=$1; _fp=$2
  while :; do
    bound_rc
    # shellcheck disable=SC2046
    set -- $(rc "$_fh" "$_fp" SENTINEL get-master-addr-by-name "$RS_MASTER_NAME")
    if [ $# -eq 2 ] && [ "$1" != "$RS_ANNOUNCE_HOST" ]; then
      if [ "$(role_of "$1" "$2")" = master ]; then
        ho_new_master=$1; new_port=$2; confirmed_by=$fo_sentinel
        return 0
      fi
      _last="$fo_sentinel -> $1 (not answering role master yet)"
    else
      _last="$fo_sentinel -> ${1:-no answer}"
      [ $# -eq 2 ] || _all_after=0
    fi
    _now=$(now_ms)
    if [ "$_now" -ge "$_all_after" ]; then
      _all_after=$((_now + 250))
      for _s in $opt_sentinels; do
        past_deadline && break
        bound_rc
        _n=$(master_named_by "$_s" "$SP")
        if [ -z "$_n" ] || [ "${_n%% *}" = "$RS_ANNOUNCE_HOST" ]; then continue; fi
        if [ "$(role_of "${_n%% *}" "${_n##* }")" = master ]; then
          ho_new_master=${_n%% *}; new_port=${_n##* }; confirmed_by=$_s
          return 0
        fi
      done
      _now=$(now_ms)
    fi
    if [ "$_now" -ge "$_deadline" ]; then
      mark confirm
      fail_paused "another server serves as master within ${opt_timeout_s}s" "last seen: ${_last:-no answer}"
    fi
    if [ "$_now" -ge "$_down_at" ] && [ "$_now" -lt "$_deadline" ]; then
      _down_at=$((_now + 1000))
      if all_replicas_down; then
        mark confirm
        fail_paused "a replica takes over" "every replica stopped before one took over (last seen: ${_last:-no answer})"
      fi
    fi
    sleep 0.005
  done
}

# names_all HOST: true when every listed Sentinel names HOST (asked in parallel).
names_all() {
  [ -n "$opt_sentinels" ] || return 0
  _i=0
  for _s in $opt_sentinels; do
    _i=$((_i + 1))
    master_named_by "$_s" "$SP" >"$tmp/s$_i" &
  done
  wait
  _i=0
  for _s in $opt_sentinels; do
    _i=$((_i + 1))
    read -r _named _ <"$tmp/s$_i" || return 1
    [ "$_named" = "$1" ] || return 1
  done
  return 0
}

# kill_clients CLIENT-LIST: disconnect the listed clients (normal and pubsub) except the
# Sentinels' links (named sentinel-*) and replication links: a Sentinel whose link was just
# cut reports its master "disconnected" for a moment, and a client asking it then (node-redis)
# gives up on that answer and backs off for a second.
kill_clients() {
  _kills=$(printf '%s\n' "$1" | awk '
    { id = ""; name = ""; flags = ""
      for (i = 1; i <= NF; i++) { eq = index($i, "="); k = substr($i, 1, eq - 1); v = substr($i, eq + 1)
        if (k == "id") id = v; else if (k == "name") name = v; else if (k == "flags") flags = v } }
    id != "" && name !~ /^sentinel-/ && flags !~ /[SM]/ { print "CLIENT KILL ID " id }')
  [ -z "$_kills" ] || printf '%s\n' "$_kills" | rc "$me" "$RS_REDIS_PORT" >/dev/null
}

# move_clients: follow the new master (so this server cannot take a write, and a client sent
# here by a lagging Sentinel sees a replica), then disconnect the clients.
move_clients() {
  mark move-clients
  kill_clients "$(printf 'REPLICAOF %s %s\nCLIENT LIST\n' "$ho_new_master" "$new_port" | rc "$me" "$RS_REDIS_PORT")"
  moved_at=$(now_ms)
  ho_pause_ms=$((moved_at - ho_paused_at))
  ho_failover_ms=$((moved_at - fo_at))
}

handover() {
  begin
  role=$(role_of "$me" "$RS_REDIS_PORT")
  if [ "$role" = slave ] && [ "${RS_ROLE:-}" = prestop-redis ]; then
    # A stopping replica is never promoted: a scale-down (podManagementPolicy Parallel)
    # stops the master and replicas at once, and the master's handover must pick a pod that
    # stays (seen on the e2e cluster: a 9 s write stall when it picked a stopping one).
    rc "$me" "$RS_REDIS_PORT" CONFIG SET replica-priority 0 >/dev/null 2>&1 || :
    skip "this server is a replica (stopping: replica-priority 0, never promoted)"
  fi
  [ "$role" = master ] || skip "this server is ${role:-not answering}, not a master"
  choose_leader
  ho_leader=${ho_leader:-}
  if [ -n "$opt_replicas" ]; then
    replicas=$opt_replicas
  else
    replicas=$(rs_cli "$me" "$RS_REDIS_PORT" INFO replication | sed -n 's/^slave[0-9]*:ip=\([^,]*\),port=[0-9]*,state=online,.*/\1/p' | tr '\n' ' ')
  fi
  [ -n "$(echo "$replicas" | tr -d ' ')" ] || skip "no replica online: nothing can take over"
  ho_save
  # Sentinel can promote no replica with replica-priority 0 (a stopping one sets it), nor one
  # that stopped: with none left (none behind, none there), do not pause (or align) for a
  # failover that cannot happen. A replica that does not answer but is still linked (frozen,
  # slow) stays a candidate.
  _candidates=$(lagging 0)
  [ -z "$_candidates" ] && [ "$(cat "$tmp/ready" 2>/dev/null)" = 0 ] && fail_unpaused check "a replica that can take over (replica-priority above 0, linked to this server)" "none of [$(echo "$replicas" | tr -s ' ' | sed 's/ $//')]: stopped, or stopping (replica-priority 0)"

  align
  # The catch-up check's duration, measured now: the pause starts that much before the
  # failover is due.
  bound_rc
  _a=$(now_ms); rc "$me" "$RS_REDIS_PORT" INFO replication >/dev/null; lagging 0 >/dev/null; _b=$(now_ms)
  # No pause that could not be followed by a failover within the budget.
  if [ $(($(now_ms) + 1000)) -ge "$fo_by" ]; then
    fail_unpaused check "the budget leaves time to pause, catch up and fail over" "${opt_timeout_s}s budget, $(( ($(now_ms) - ho_started_at) / 1000 ))s used before the pause"
  fi
  ho_phase pause
  [ -n "$t0" ] && sleep_ms $((t0 + opt_at_ms - 2 * (_b - _a) - 10 - $(now_ms)))
  ho_phase_at=$(now_ms)

  # From the pause to the moved clients nothing is written to the state file or the log,
  # and commands to this server go in one redis-cli each.
  _out=$(printf 'CLIENT PAUSE %s WRITE\nINFO replication\n' "$opt_pause_ms" | rc "$me" "$RS_REDIS_PORT")
  ho_paused_at=$(now_ms)
  mark catch-up
  case "$_out" in
    OK*) ;;
    *) ho_paused_at=""; fail_unpaused pause "CLIENT PAUSE WRITE is accepted" "no OK from $me:$RS_REDIS_PORT" ;;
  esac
  target=$(printf '%s\n' "$_out" | awk -F: '$1 == "master_repl_offset" { sub(/\r$/, "", $2); print $2 }')
  case "$target" in ''|*[!0-9]*) fail_unpaused catch-up "this server reports its replication offset" "INFO replication gave none" ;; esac
  _sync_until=$((ho_paused_at + opt_sync_wait_s * 1000))
  # The failover must still be sent in time to be confirmed within the budget.
  [ "$_sync_until" -gt $((fo_by - 1000)) ] && _sync_until=$((fo_by - 1000))
  checks=0; first_behind=""
  while :; do
    checks=$((checks + 1))
    behind=$(lagging "$target")
    if [ -z "$behind" ]; then
      [ "$(cat "$tmp/ready" 2>/dev/null)" = 0 ] || break
      # Every replica stopped meanwhile, or is stopping (replica-priority 0): none can take over.
      fail_unpaused catch-up "a replica that can take over (replica-priority above 0, linked to this server)" "none left of [$(echo "$replicas" | tr -s ' ' | sed 's/ $//')]: stopped, or stopping (replica-priority 0)"
    fi
    [ -n "$first_behind" ] || first_behind=$behind
    if all_replicas_down; then
      ho_log "every replica stopped meanwhile: nothing can take over"
      rc "$me" "$RS_REDIS_PORT" CLIENT UNPAUSE >/dev/null
      rm -f "$RS_HANDOVER_MARKER"
      finish skipped 0 "" "every replica stopped" "running as master; the pause was lifted"
    fi
    _now=$(now_ms)
    bound_rc "$_now"
    if [ "$_now" -ge "$_sync_until" ]; then
      _why="every replica reached offset $target within ${opt_sync_wait_s}s (and the budget)"
      [ "$opt_require_sync" = yes ] && fail_unpaused catch-up "$_why" "behind: $(echo "$behind" | tr '\n' ';')"
      ho_log "still behind offset $target after ${opt_sync_wait_s}s: $(echo "$behind" | tr '\n' ';') failing over anyway (Sentinel promotes the most up-to-date replica)"
      break
    fi
    sleep 0.005
  done
  [ -n "$t0" ] && [ $((t0 + opt_at_ms)) -lt "$fo_by" ] && sleep_ms $((t0 + opt_at_ms - $(now_ms)))

  later=""
  failover
  [ -n "$t0" ] && ho_after_info_ms=$((fo_at - t0))
  confirm
  confirm_at=$(now_ms)
  if [ "$opt_converge_ms" -gt 0 ]; then
    _c_until=$((confirm_at + opt_converge_ms))
    [ "$_c_until" -gt "$ho_deadline" ] && _c_until=$ho_deadline
    until names_all "$ho_new_master" || [ "$(now_ms)" -ge "$_c_until" ]; do sleep 0.005; done
  fi
  move_clients
  ho_phase converge
  [ -n "$later" ] && ho_log "$later"
  ho_log "clients moved to $ho_new_master (named by $confirmed_by): writes were paused ${ho_pause_ms} ms (paused at offset $target, replicas there after $checks check(s)${first_behind:+, first: $(echo "$first_behind" | tr '\n' ';')}), failover confirmed $((confirm_at - fo_at)) ms after SENTINEL FAILOVER; this server now replicates from it"
  echo "$target" >"$RS_OFFSET_FILE.tmp.$$" && mv -f "$RS_OFFSET_FILE.tmp.$$" "$RS_OFFSET_FILE"

  # A client that reconnected meanwhile through a Sentinel that still named this server is
  # connected here, to a replica whose writes stay paused (a client that checks the role,
  # like ioredis, left by itself): once every Sentinel names the new master, disconnect the
  # clients again, so they ask again and get it.
  _c_until=$(($(now_ms) + 5000))
  [ "$_c_until" -gt "$ho_deadline" ] && _c_until=$ho_deadline
  until names_all "$ho_new_master"; do
    if [ "$(now_ms)" -ge "$_c_until" ]; then ho_log "not every Sentinel names $ho_new_master yet (they learn it from the leader's hello messages)"; break; fi
    sleep 0.005
  done
  if ! past_deadline && names_all "$ho_new_master"; then
    ho_converged_ms=$(($(now_ms) - fo_at))
  fi
  kill_clients "$(rc "$me" "$RS_REDIS_PORT" CLIENT LIST)"
  ho_log "done: $ho_new_master is master${ho_converged_ms:+; every Sentinel named it ${ho_converged_ms} ms after SENTINEL FAILOVER}"
  finish "done" 0 "" "" "replica of $ho_new_master, clients disconnected"
}

# demote: the Sentinels name another master: hold this server's writes, follow it, move clients.
demote() {
  begin
  [ -n "$opt_master" ] || fail_unpaused check "--master names the master" "none given"
  [ "$(role_of "$me" "$RS_REDIS_PORT")" = master ] || skip "this server is not a master"
  [ "$(role_of "$opt_master" "$RS_REDIS_PORT")" = master ] || fail_unpaused check "$opt_master answers ROLE master" "it does not"
  ho_phase pause
  rc "$me" "$RS_REDIS_PORT" CLIENT PAUSE "$opt_pause_ms" WRITE >/dev/null
  ho_paused_at=$(now_ms)
  ho_issued=yes
  ho_new_master=$opt_master; new_port=$RS_REDIS_PORT; fo_at=$ho_paused_at
  move_clients
  ho_log "this server followed $ho_new_master (named by the Sentinels) and its clients were disconnected"
  finish "done" 0 "" "" "replica of $ho_new_master, clients disconnected"
}

# ---- commands ----------------------------------------------------------------------------------
cmd=${1:-}
[ $# -gt 0 ] && shift
parse_opts "$@"
case "$cmd" in
  status)
    print_state ;;
  start)
    action=joined
    if take_lock; then
      action=started
      [ -f "$RS_HANDOVER_LOG" ] && mv -f "$RS_HANDOVER_LOG" "$RS_HANDOVER_LOG.1"
      ho_started_at=$(now_ms); ho_state=running; ho_phase=starting
      ho_save
      # Detached from this exec: a new session, no terminal, output to the log file, so
      # the handover goes on when the exec's connection drops.
      if command -v setsid >/dev/null 2>&1; then
        setsid sh "$HO_SCRIPT" run --locked "$@" </dev/null >>"$RS_HANDOVER_LOG" 2>&1 &
      else
        nohup sh "$HO_SCRIPT" run --locked "$@" </dev/null >>"$RS_HANDOVER_LOG" 2>&1 &
      fi
      # The lock holds this process's pid until the handover wrote its own.
      _until=$(($(now_ms) + 3000))
      while [ "$(cat "$RS_HANDOVER_LOCK/pid" 2>/dev/null)" = "$$" ] && [ "$(now_ms)" -lt "$_until" ]; do sleep 0.01; done
    fi
    wait_final "$opt_wait_s"
    echo "action=$action"
    print_state ;;
  run)
    case " $* " in
      *" --locked "*) trap '' HUP; handover ;;
    esac
    if ! take_lock; then
      # At most until its own deadline (its budget) and a second more.
      _their=$(sed -n 's/^deadline_at=//p' "$RS_HANDOVER_STATE" 2>/dev/null)
      case "$_their" in ''|*[!0-9]*) _their="" ;; *) _their=$((_their + 1000)) ;; esac
      rs_log "a handover is already running (pid $(lock_holder)): waiting for it (at most ${opt_timeout_s}s${_their:+, and until its deadline})"
      wait_final "$opt_timeout_s" "$_their"
      _st=$(state_of_file)
      rs_log "the running handover ended: ${_st:-unknown}"
      [ "$_st" = "done" ] || [ "$_st" = skipped ]
      exit $?
    fi
    [ -f "$RS_HANDOVER_LOG" ] && mv -f "$RS_HANDOVER_LOG" "$RS_HANDOVER_LOG.1"
    HO_TEE=yes
    handover ;;
  demote)
    take_lock || { rs_log "a handover is running: not demoting"; exit 1; }
    demote ;;
  *) ho_usage ;;
esac
