# shellcheck shell=sh
# common.sh: helpers sourced by the role scripts (seed-master.sh, seed-sentinel.sh,
# replica.sh, sentinel.sh) and the probes. Not run on its own.
#
# Environment (docs/internals.md, "Script environment"); defaults in brackets:
#   REDIS_PASSWORD          password for clients, replication and sentinels [none: no auth]
#   REDISCLI_AUTH           same password, read by redis-cli [REDIS_PASSWORD]
#   RS_MASTER_NAME          Sentinel master name [mymaster]
#   RS_ANNOUNCE_HOST        this pod's DNS name [$(hostname).$RS_HEADLESS_DOMAIN]
#   RS_HEADLESS_DOMAIN      headless Service domain, used for the default above
#   RS_SEED_HOST            the seed pod's DNS name
#   RS_SENTINEL_HOST/_PORT  the Sentinel Service [26379]
#   RS_BIND                 addresses to listen on [0.0.0.0]
#   RS_REDIS_PORT           Redis port [6379]
#   RS_SENTINEL_LISTEN_PORT Sentinel port [26379]
#   RS_QUORUM               Sentinel quorum, when neither the running Sentinels nor
#                           $RS_SCRIPTS_DIR/quorum give one (see rs_quorum) [2]
#   RS_DOWN_AFTER_MS        [5000] see sentinel.sh for why
#   RS_FAILOVER_TIMEOUT_MS  [60000] see sentinel.sh for why
#   RS_PARALLEL_SYNCS       [1] see sentinel.sh for why
#   RS_DATA_DIR             Redis data dir, a writable volume [/data]
#   RS_SENTINEL_DIR         Sentinel config dir, a writable volume [/sentinel]
#   RS_APPENDONLY           AOF persistence [yes]
#   RS_PREVIOUS_PASSWORD_SHA256  SHA-256 (hex, space separated) of earlier passwords still
#                           accepted during a password rotation (the auth Secret's
#                           previous-password-sha256); with the list password.sh keeps on
#                           the volume (rs_accepted_hashes) [none]
#   RS_REDIS_HOSTS          DNS names of the Redis set's pods, space separated: read at
#                           use time from $RS_SCRIPTS_DIR/redis-hosts (a key of the scripts
#                           ConfigMap, one name a line, updated in place when the set scales,
#                           so no pod template lists them) when that file exists
#   RS_MAXMEMORY            Redis maxmemory in bytes [unset: no limit]
#   RS_MAXMEMORY_POLICY     Redis maxmemory-policy [unset: Redis's noeviction]
#   RS_REPLICA_BUFFER_BYTES client-output-buffer-limit of a replica, bytes [unset: Redis's]
#   RS_REPL_BACKLOG_BYTES   repl-backlog-size, bytes [unset: Redis's]
#   RS_REDIS_CONF           extra redis.conf lines (option redisConfig), before the managed ones
#   RS_SENTINEL_CONF        extra sentinel.conf lines (option sentinelConfig), at its end
#   RS_SENTINEL_HOSTS       DNS names of the Sentinel set's pods (the preStop handover's
#                           Sentinels), from $RS_SCRIPTS_DIR/sentinel-hosts likewise
#   RS_TLS                  yes: Redis and Sentinel listen on TLS only (port 0), replicate,
#                           monitor and talk to each other over TLS, and every redis-cli here
#                           connects with --tls [no]
#   RS_TLS_DIR              directory holding tls.crt, tls.key and ca.crt (a kubernetes.io/tls
#                           Secret's keys); a path without spaces [/tls]
# Optional (tests shorten them):
#   RS_SCRIPTS_DIR          where common.sh lives [the role script's own directory]
#   RS_RETRY_MAX_S          cap of the wait/retry backoff, seconds [16]
#   RS_ELECTION_WAIT_S      cold start: how long to wait for absent peers [60]
#
# The password is only ever written to config files of mode 0600 on the writable
# volumes and passed to redis-cli through REDISCLI_AUTH; never on a command line or in a log.
# umask 077: the files Redis and Sentinel rewrite (CONFIG REWRITE) hold it too.
umask 077

: "${RS_MASTER_NAME:=mymaster}"
: "${RS_SENTINEL_PORT:=26379}"
: "${RS_BIND:=0.0.0.0}"
: "${RS_REDIS_PORT:=6379}"
: "${RS_SENTINEL_LISTEN_PORT:=26379}"
: "${RS_QUORUM:=2}"
: "${RS_DOWN_AFTER_MS:=5000}"
: "${RS_FAILOVER_TIMEOUT_MS:=60000}"
: "${RS_PARALLEL_SYNCS:=1}"
: "${RS_DATA_DIR:=/data}"
: "${RS_SENTINEL_DIR:=/sentinel}"
: "${RS_APPENDONLY:=yes}"
: "${RS_RETRY_MAX_S:=16}"
: "${RS_ELECTION_WAIT_S:=60}"
: "${RS_ROLE:=redis}"
: "${RS_TLS:=no}"
: "${RS_TLS_DIR:=/tls}"
# redis-cli's TLS options (word-split on use: RS_TLS_DIR holds no spaces). The server
# certificate is checked against the CA; clients present none (tls-auth-clients no: they
# authenticate with the password, as without TLS).
RS_CLI_TLS=""
[ "$RS_TLS" = yes ] && RS_CLI_TLS="--tls --cacert $RS_TLS_DIR/ca.crt"
if [ -z "${RS_ANNOUNCE_HOST:-}" ]; then
  RS_ANNOUNCE_HOST="$(hostname)${RS_HEADLESS_DOMAIN:+.$RS_HEADLESS_DOMAIN}"
fi
if [ -n "${REDIS_PASSWORD:-}" ] && [ -z "${REDISCLI_AUTH:-}" ]; then
  REDISCLI_AUTH="$REDIS_PASSWORD"
fi
export REDISCLI_AUTH

# rs_hosts redis|sentinel: the DNS names of that set's pods, space separated, read now.
rs_hosts() {
  _f="${RS_SCRIPTS_DIR:-/scripts}/$1-hosts"
  if [ -r "$_f" ]; then
    tr '\n' ' ' <"$_f" | sed 's/  */ /g; s/^ //; s/ $//'
  elif [ "$1" = redis ]; then
    echo "${RS_REDIS_HOSTS:-}"
  else
    echo "${RS_SENTINEL_HOSTS:-}"
  fi
}
RS_REDIS_HOSTS=$(rs_hosts redis)
RS_SENTINEL_HOSTS=$(rs_hosts sentinel)
export RS_REDIS_HOSTS RS_SENTINEL_HOSTS

# The marker user a Redis server carries while it waits in a cold-start election;
# its name carries the server's rank (see replica.sh).
RS_RANK_USER_PREFIX="rs-cold-start-rank-"
RS_OFFSET_FILE="$RS_DATA_DIR/rs-last-offset"
# Written by handover.sh when it starts a handover (removed again when it ended without
# issuing a failover); removed when redis-server starts.
RS_HANDOVER_MARKER="$RS_DATA_DIR/rs-handover-started"
# handover.sh's state (key=value lines), its log, and its lock (a directory holding the
# runner's pid); see handover.sh.
# shellcheck disable=SC2034
RS_HANDOVER_STATE="$RS_DATA_DIR/rs-handover.state"
# shellcheck disable=SC2034
RS_HANDOVER_LOG="$RS_DATA_DIR/rs-handover.log"
RS_HANDOVER_LOCK="$RS_DATA_DIR/rs-handover.lock"

rs_log() {
  printf '%s %s: %s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$RS_ROLE" "$*"
}

# rs_cli HOST PORT ARGS...: redis-cli with a time limit; the password comes from REDISCLI_AUTH.
rs_cli() {
  _h=$1; _p=$2; shift 2
  if command -v timeout >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    timeout 3 redis-cli $RS_CLI_TLS --no-auth-warning -h "$_h" -p "$_p" "$@" 2>/dev/null | tr -d '\r'
  else
    # shellcheck disable=SC2086
    redis-cli $RS_CLI_TLS --no-auth-warning -h "$_h" -p "$_p" "$@" 2>/dev/null | tr -d '\r'
  fi
}

# rs_info_field TEXT FIELD: the value of "FIELD:value" in INFO output.
rs_info_field() {
  printf '%s\n' "$1" | sed -n "s/^$2:\(.*\)$/\1/p" | head -n 1
}

# rs_wait_term: a role script waiting for a master (sh as PID 1 ignores a signal it has no
# trap for) stops at once on SIGTERM; rs_start_redis replaces the trap.
rs_wait_term() {
  trap 'rs_log "stopping: SIGTERM while waiting for a master"; exit 0' TERM INT
}

# rs_sleep SECONDS: sleep, interruptible by a trapped signal.
rs_sleep() {
  sleep "$1" &
  wait $!
}

# rs_backoff ATTEMPT: 1, 2, 4, ... seconds, capped at RS_RETRY_MAX_S.
rs_backoff() {
  _d=1; _i=1
  while [ "$_i" -lt "$1" ] && [ "$_d" -lt "$RS_RETRY_MAX_S" ]; do _d=$((_d * 2)); _i=$((_i + 1)); done
  [ "$_d" -gt "$RS_RETRY_MAX_S" ] && _d=$RS_RETRY_MAX_S
  echo "$_d"
}

# rs_ask_sentinels: prints "host port" of the master the Sentinel Service names, or
# nothing when nothing answers or no master is known.
rs_ask_sentinels() {
  [ -n "${RS_SENTINEL_HOST:-}" ] || return 0
  _a=$(rs_cli "$RS_SENTINEL_HOST" "$RS_SENTINEL_PORT" SENTINEL get-master-addr-by-name "$RS_MASTER_NAME")
  _mh=$(printf '%s\n' "$_a" | sed -n 1p)
  _mp=$(printf '%s\n' "$_a" | sed -n 2p)
  case "$_mp" in
    ''|*[!0-9]*) return 0 ;;
  esac
  case "$_mh" in
    ''|*' '*) return 0 ;;
  esac
  echo "$_mh $_mp"
}

# rs_node_state HOST PORT: one line describing a Redis server:
#   down | master | standby RANK KEYS | replica MASTERHOST MASTERPORT | unknown
rs_node_state() {
  # ACL USERS before ROLE: a server leaving standby turns replica (REPLICAOF) before it
  # drops its rank user, so it can never look like a serving master in between.
  _users=$(rs_cli "$1" "$2" ACL USERS)
  _rank=$(printf '%s\n' "$_users" | sed -n "s/^$RS_RANK_USER_PREFIX\([0-9]*\)$/\1/p" | head -n 1)
  _role=$(rs_cli "$1" "$2" ROLE)
  case "$(printf '%s\n' "$_role" | sed -n 1p)" in
    master)
      if ! printf '%s\n' "$_users" | grep -qx default; then
        echo unknown  # ACL USERS did not answer (loading, timeout): not known to serve
      elif [ -n "$_rank" ]; then
        _keys=$(rs_cli "$1" "$2" INFO keyspace | sed -n 's/^db[0-9]*:keys=\([0-9]*\),.*/\1/p' | awk '{s+=$1} END {print s+0}')
        echo "standby $_rank $_keys"
      else
        echo master
      fi ;;
    slave) echo "replica $(printf '%s\n' "$_role" | sed -n 2p) $(printf '%s\n' "$_role" | sed -n 3p)" ;;
    '') echo down ;;
    *) echo unknown ;;
  esac
}

# rs_is_master HOST PORT: true if HOST is a serving master (not a cold-start standby).
rs_is_master() {
  [ "$(rs_node_state "$1" "$2")" = master ]
}

# rs_q VALUE: VALUE as a double-quoted redis.conf / sentinel.conf argument (write it
# with printf '%s\n': dash's echo would interpret its backslashes).
rs_q() {
  printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

rs_write_private() {  # rs_write_private FILE: stdin -> FILE with mode 0600
  _tmp="$1.tmp.$$"
  (umask 077 && cat >"$_tmp") && chmod 600 "$_tmp" && mv -f "$_tmp" "$1"
}

# rs_accepted_file redis|sentinel: where password.sh keeps the SHA-256 of the passwords a
# rotation added to that server (on its volume: a restart before the Secret changes keeps them).
rs_accepted_file() {
  if [ "$1" = sentinel ]; then echo "$RS_SENTINEL_DIR/rs-accepted-sha256"; else echo "$RS_DATA_DIR/rs-accepted-sha256"; fi
}

# rs_accepted_hashes redis|sentinel: the passwords accepted besides REDIS_PASSWORD, as ACL
# rules (`#<sha256>`, one a line): RS_PREVIOUS_PASSWORD_SHA256 and the volume's list, only
# well-formed hashes, without REDIS_PASSWORD's own.
rs_accepted_hashes() {
  _own=$(printf '%s' "${REDIS_PASSWORD:-}" | sha256sum 2>/dev/null | cut -d' ' -f1)
  { printf '%s\n' "${RS_PREVIOUS_PASSWORD_SHA256:-}" | tr ' ' '\n'; cat "$(rs_accepted_file "$1")" 2>/dev/null; } |
    tr 'A-F' 'a-f' | grep -E '^[0-9a-f]{64}$' | grep -vx "${_own:-x}" | awk '!seen[$0]++ { print "#" $0 }'
}

# rs_default_user redis|sentinel [RULES...]: the `user default` line accepting REDIS_PASSWORD
# and the hashes above, with RULES after the usual ones; nothing when there is no password.
rs_default_user() {
  [ -n "${REDIS_PASSWORD:-}" ] || return 0
  _role=$1; shift
  printf '%s\n' "user default on $(rs_q ">$REDIS_PASSWORD") $(rs_accepted_hashes "$_role" | tr '\n' ' ')~* &* +@all${*:+ $*}"
}

# rs_single_bind: RS_BIND when it is one specific address (then outgoing connections
# use it too, so a loopback "pod" is seen at its own address), else nothing.
rs_single_bind() {
  case "$RS_BIND" in
    *' '*|0.0.0.0|'*'|'::'|'') ;;
    *) echo "$RS_BIND" ;;
  esac
}

# rs_listen_conf PORT: the listening port directives of redis.conf / sentinel.conf. With
# RS_TLS=yes the plain-text port is closed (port 0), PORT speaks TLS only, and outgoing
# connections (replication; Sentinel to Redis and to other Sentinels) use TLS too.
rs_listen_conf() {
  if [ "$RS_TLS" = yes ]; then
    echo "port 0"
    echo "tls-port $1"
    echo "tls-cert-file $RS_TLS_DIR/tls.crt"
    echo "tls-key-file $RS_TLS_DIR/tls.key"
    echo "tls-ca-cert-file $RS_TLS_DIR/ca.crt"
    echo "tls-auth-clients no"
    echo "tls-replication yes"
  else
    echo "port $1"
  fi
}

# rs_redis_conf_extra: the first lines of redis.conf: the memory and disk headroom settings
# (README, "Memory and disk"), then the user's extra directives (option `redisConfig`, one a
# line in RS_REDIS_CONF, checked and quoted by the component). The lines the component
# manages come after them, so Redis keeps the component's value of those.
rs_redis_conf_extra() {
  # The AOF is the persistence: no RDB snapshot points (each one a fork and a dump.rdb
  # beside the AOF). Its rewrite starts a new base once it has doubled (64mb at least).
  echo 'save ""'
  echo "appendfsync everysec"
  echo "aof-use-rdb-preamble yes"
  echo "auto-aof-rewrite-percentage 100"
  echo "auto-aof-rewrite-min-size 64mb"
  # A full sync streams the snapshot to the replica's socket: no dump.rdb on the master's volume.
  echo "repl-diskless-sync yes"
  # Sized from the memory limit by the manifests; unset: Redis's defaults.
  case "${RS_REPLICA_BUFFER_BYTES:-}" in
    ''|*[!0-9]*) ;;
    *) echo "client-output-buffer-limit replica $RS_REPLICA_BUFFER_BYTES 0 0" ;;
  esac
  case "${RS_REPL_BACKLOG_BYTES:-}" in
    ''|*[!0-9]*) ;;
    *) echo "repl-backlog-size $RS_REPL_BACKLOG_BYTES" ;;
  esac
  [ -n "${RS_REDIS_CONF:-}" ] && printf '%s\n' "$RS_REDIS_CONF"
  return 0
}

# rs_write_redis_conf MODE [MASTERHOST MASTERPORT]: MODE is master, replica or standby.
rs_write_redis_conf() {
  mkdir -p "$RS_DATA_DIR"
  {
    rs_redis_conf_extra
    echo "bind $RS_BIND"
    rs_listen_conf "$RS_REDIS_PORT"
    echo "dir $RS_DATA_DIR"
    echo 'logfile ""'
    echo "appendonly $RS_APPENDONLY"
    case "${RS_MAXMEMORY:-}" in
      '') ;;
      *[!0-9]*) rs_log "ignoring RS_MAXMEMORY: not a number of bytes: $RS_MAXMEMORY" >&2 ;;
      *) echo "maxmemory $RS_MAXMEMORY" ;;
    esac
    case "${RS_MAXMEMORY_POLICY:-}" in
      '') ;;
      *[!a-z-]*) rs_log "ignoring RS_MAXMEMORY_POLICY: not a policy name: $RS_MAXMEMORY_POLICY" >&2 ;;
      *) echo "maxmemory-policy $RS_MAXMEMORY_POLICY" ;;
    esac
    echo "replica-announce-ip $RS_ANNOUNCE_HOST"
    echo "replica-announce-port $RS_REDIS_PORT"
    _src=$(rs_single_bind)
    [ -n "$_src" ] && echo "bind-source-addr $_src"
    if [ -n "${REDIS_PASSWORD:-}" ]; then
      printf '%s\n' "requirepass $(rs_q "$REDIS_PASSWORD")"
      printf '%s\n' "masterauth $(rs_q "$REDIS_PASSWORD")"
      # During a password rotation the earlier passwords stay accepted (by hash).
      [ "$1" != standby ] && [ -n "$(rs_accepted_hashes redis)" ] && rs_default_user redis
    else
      echo "protected-mode no"
    fi
    if [ "$1" = standby ]; then
      # Waiting in a cold-start election: no writes, no replica may sync from this
      # server, and the rank is published as the name of a disabled user.
      if [ -n "${REDIS_PASSWORD:-}" ]; then rs_default_user redis -@write -sync -psync
      else echo "user default on nopass ~* &* +@all -@write -sync -psync"; fi
      echo "user $RS_RANK_USER_PREFIX$(rs_recorded_offset) off"
    fi
    [ "$1" = replica ] && echo "replicaof $2 $3"
  } | rs_write_private "$RS_DATA_DIR/redis.conf"
}

# The replication offset this server last recorded on its volume (probe, shutdown).
rs_recorded_offset() {
  _o=$(head -n 1 "$RS_OFFSET_FILE" 2>/dev/null)
  case "$_o" in ''|*[!0-9]*) _o=0 ;; esac
  echo "$_o"
}

rs_record_offset() {
  _o=$(rs_info_field "$(rs_cli "$(rs_local_host)" "$RS_REDIS_PORT" INFO replication)" master_repl_offset)
  case "$_o" in ''|*[!0-9]*|0) return 0 ;; esac
  echo "$_o" >"$RS_OFFSET_FILE.tmp.$$" && mv -f "$RS_OFFSET_FILE.tmp.$$" "$RS_OFFSET_FILE"
}

# Address to reach this pod's own servers.
rs_local_host() {
  _b=$(rs_single_bind)
  echo "${_b:-127.0.0.1}"
}

# rs_start_redis: run redis-server on the generated config in the background; a
# SIGTERM hands a serving master over (unless the preStop hook did), records the
# replication offset, then stops redis-server.
rs_start_redis() {
  rm -rf "$RS_HANDOVER_MARKER" "$RS_HANDOVER_LOCK" "$RS_DATA_DIR/rs-prestop-started"
  redis-server "$RS_DATA_DIR/redis.conf" &
  RS_CHILD=$!
  trap 'rs_on_term' TERM INT
}

rs_on_term() {
  _me=$(rs_local_host)
  # A serving master (not a replica, not a cold-start standby) hands over first, as its
  # preStop hook would: without it Sentinel only starts counting down-after-milliseconds
  # once redis-server has stopped answering. Skipped when the hook (or the seed
  # retirement) already started one; one still running is waited for.
  if [ "$(rs_node_state "$_me" "$RS_REDIS_PORT")" = master ]; then
    if [ -e "$RS_HANDOVER_MARKER" ]; then
      rs_log "stopping: the preStop hook already handed over for this shutdown"
      if [ -d "$RS_HANDOVER_LOCK" ]; then
        sh "${RS_SCRIPTS_DIR:-/scripts}/handover.sh" run || rs_log "stopping: the handover was not confirmed (see above)"
      fi
    else
      rs_log "stopping a serving master without its preStop hook: handing over first (prestop-redis.sh, at most ${RS_PRESTOP_TIMEOUT_S:-20}s)"
      sh "${RS_SCRIPTS_DIR:-/scripts}/prestop-redis.sh" || rs_log "stopping: the handover was not confirmed (see above)"
    fi
  fi
  rs_log "stopping: recording the replication offset, then shutting redis-server down"
  # A master stops accepting writes first, so the offset it records is its last one.
  # (A longer pause of the handover stays: Redis keeps the later end of the two.)
  if [ "$(rs_cli "$_me" "$RS_REDIS_PORT" ROLE | sed -n 1p)" = master ]; then
    rs_cli "$_me" "$RS_REDIS_PORT" CLIENT PAUSE 30000 WRITE >/dev/null
  fi
  rs_record_offset
  kill -TERM "$RS_CHILD" 2>/dev/null
}

# rs_wait_child: wait for redis-server to exit (waits again after a trapped signal).
rs_wait_child() {
  while kill -0 "$RS_CHILD" 2>/dev/null; do
    wait "$RS_CHILD"
    _rc=$?
  done
  exit "${_rc:-0}"
}

# rs_follow_master ATTEMPT: start Redis as what the running topology says this pod is,
# and never return once it started:
# - the Sentinel Service names this pod: master (with the data on its volume);
# - it names another pod that serves as master: its replica;
# - no sentinel answers or knows a master, but a pod of RS_SEED_HOST/RS_REDIS_HOSTS
#   serves as master: its replica.
# Returns 0 when the named master does not serve yet (ask again later), 1 when no master
# is known anywhere (the caller decides: first boot or cold-start election).
rs_follow_master() {
  _attempt=$1
  _named=$(rs_ask_sentinels)
  if [ -n "$_named" ]; then
    # shellcheck disable=SC2086
    set -- $_named
    if [ "$1" = "$RS_ANNOUNCE_HOST" ]; then
      # A sentinel that has not seen a failover yet still names this (restarted) pod:
      # if another pod already serves as master, follow it. Never two masters.
      _other=$(rs_find_serving_master)
      if [ -n "$_other" ]; then
        # shellcheck disable=SC2086
        set -- $_other
        rs_log "a master already exists at $1:$2 (a sentinel still names this pod): starting as its replica"
        rs_write_redis_conf replica "$1" "$2"; rs_start_redis; rs_wait_child
      fi
      rs_log "the sentinel service names this pod as master: starting as master"
      rs_write_redis_conf master; rs_start_redis; rs_wait_child
    fi
    if rs_is_master "$1" "$2"; then
      rs_log "a master already exists at $1:$2 (sentinel service): starting as its replica"
      rs_write_redis_conf replica "$1" "$2"; rs_start_redis; rs_wait_child
    fi
    # It may never come back (its node and volume gone): from the second ask on, start as
    # its replica anyway, with the data on this volume, so the Sentinels have a replica to
    # promote; if it does come back this pod syncs from it.
    if [ "$_attempt" -gt 1 ]; then
      rs_log "master $1:$2 named by sentinel service $RS_SENTINEL_HOST:$RS_SENTINEL_PORT still does not serve: starting as its replica, so the Sentinels can promote this pod if it never comes back"
      rs_write_redis_conf replica "$1" "$2"; rs_start_redis; rs_wait_child
    fi
    rs_log "master $1:$2 named by sentinel service $RS_SENTINEL_HOST:$RS_SENTINEL_PORT does not serve yet (attempt $_attempt, retry in $(rs_backoff "$_attempt")s)"
    return 0
  fi
  _serving=$(rs_find_serving_master)
  if [ -n "$_serving" ]; then
    # shellcheck disable=SC2086
    set -- $_serving
    rs_log "no master known by sentinel service; $1:$2 serves as master: starting as its replica"
    rs_write_redis_conf replica "$1" "$2"; rs_start_redis; rs_wait_child
  fi
  return 1
}

# rs_wait_up HOST PORT: wait until a server answers PING (it may be loading data).
rs_wait_up() {
  _n=0
  while [ "$(rs_cli "$1" "$2" PING)" != PONG ]; do
    _n=$((_n + 1))
    if [ $((_n % 50)) -eq 0 ]; then rs_log "waiting for $1:$2 to answer PING"; fi
    kill -0 "$RS_CHILD" 2>/dev/null || { rs_log "redis-server exited while starting"; exit 1; }
    sleep 0.2
  done
}

# rs_candidates: the Redis set's pods, then the seed (the seed loses ties).
rs_candidates() {
  RS_REDIS_HOSTS=$(rs_hosts redis)
  echo "$RS_REDIS_HOSTS ${RS_SEED_HOST:-}" | tr ' ' '\n' | awk 'NF && !seen[$0]++'
}

# rs_find_serving_master: prints "host port" of a serving master among the candidates
# other than this pod, or nothing.
rs_find_serving_master() {
  for _c in $(rs_candidates); do
    [ "$_c" = "$RS_ANNOUNCE_HOST" ] && continue
    if rs_is_master "$_c" "$RS_REDIS_PORT"; then echo "$_c $RS_REDIS_PORT"; return 0; fi
  done
}

# rs_leave_standby [MASTERHOST MASTERPORT]: end the cold-start wait, either as the
# elected master (no argument) or as a replica of the given master.
rs_leave_standby() {
  _me=$(rs_local_host)
  if [ $# -eq 2 ]; then rs_cli "$_me" "$RS_REDIS_PORT" REPLICAOF "$1" "$2" >/dev/null; fi
  rs_cli "$_me" "$RS_REDIS_PORT" ACL SETUSER default +@all >/dev/null
  for _u in $(rs_cli "$_me" "$RS_REDIS_PORT" ACL USERS | grep "^$RS_RANK_USER_PREFIX"); do
    rs_cli "$_me" "$RS_REDIS_PORT" ACL DELUSER "$_u" >/dev/null
  done
}

# rs_cold_start: no master is known by the Sentinel Service and none is serving.
# Start redis-server in standby (data loaded, no writes, no replica can sync from it)
# and elect the master among the candidates (see replica.sh for the algorithm).
# Returns once this server serves, as the master or as a replica.
rs_cold_start() {
  rs_write_redis_conf standby
  rs_start_redis
  _me=$(rs_local_host)
  rs_wait_up "$_me" "$RS_REDIS_PORT"
  _since=$(date +%s)
  _n=0
  rs_log "cold start: no master known by sentinel service ${RS_SENTINEL_HOST:-}:$RS_SENTINEL_PORT and none serving; standby with rank $(rs_node_state "$_me" "$RS_REDIS_PORT" | cut -d' ' -f2-) (recorded offset, keys)"
  while :; do
    _n=$((_n + 1))
    _named=$(rs_ask_sentinels)
    if [ -n "$_named" ]; then
      # shellcheck disable=SC2086
      set -- $_named
      if [ "$1" = "$RS_ANNOUNCE_HOST" ]; then
        rs_log "cold start: the sentinels name this pod as master: serving as master"
        rs_leave_standby; return 0
      fi
      if rs_is_master "$1" "$2"; then
        rs_log "cold start: the sentinels name $1:$2 as master: replicating from it"
        rs_leave_standby "$1" "$2"; return 0
      fi
    fi
    _serving=$(rs_find_serving_master)
    if [ -n "$_serving" ]; then
      # shellcheck disable=SC2086
      set -- $_serving
      rs_log "cold start: $1:$2 serves as master: replicating from it"
      rs_leave_standby "$1" "$2"; return 0
    fi
    # Collect the ranks of the candidates waiting in standby (the set as listed now).
    RS_REDIS_HOSTS=$(rs_hosts redis)
    _total=$(echo "$RS_REDIS_HOSTS" | wc -w)
    _best=""; _bestr=-1; _bestk=-1; _answered=0; _missing=""; _followers=0; _pending=""
    for _c in $(rs_candidates); do
      if [ "$_c" = "$RS_ANNOUNCE_HOST" ]; then _st=$(rs_node_state "$_me" "$RS_REDIS_PORT")
      else _st=$(rs_node_state "$_c" "$RS_REDIS_PORT"); fi
      _inset=no
      case " ${RS_REDIS_HOSTS:-} " in *" $_c "*) _inset=yes ;; esac
      # shellcheck disable=SC2086
      set -- $_st
      case "$1" in
        down|unknown) [ "$_inset" = yes ] && _missing="$_missing $_c"; continue ;;
        standby)
          if [ "$2" -gt "$_bestr" ] || { [ "$2" -eq "$_bestr" ] && [ "$3" -gt "$_bestk" ]; }; then
            _best=$_c; _bestr=$2; _bestk=$3
          fi ;;
        replica)
          if [ "$2" = "$RS_ANNOUNCE_HOST" ]; then _followers=$((_followers + 1)); else _pending=$2; fi ;;
        master)
          # Promoted since the check above: follow it.
          rs_log "cold start: $_c:$RS_REDIS_PORT serves as master: replicating from it"
          rs_leave_standby "$_c" "$RS_REDIS_PORT"; return 0 ;;
      esac
      [ "$_inset" = yes ] && _answered=$((_answered + 1))
    done
    _waited=$(( $(date +%s) - _since ))
    if [ "$_followers" -gt 0 ]; then
      rs_log "cold start: $_followers peer(s) already replicate from this pod: serving as master"
      rs_leave_standby; return 0
    fi
    if [ -n "$_pending" ] && [ "$_waited" -lt "$RS_ELECTION_WAIT_S" ]; then
      rs_log "cold start: peers replicate from $_pending; waiting for it to serve (attempt $_n, ${_waited}s of ${RS_ELECTION_WAIT_S}s)"
    elif [ -z "$_missing" ] || { [ "$_waited" -ge "$RS_ELECTION_WAIT_S" ] && [ $((_answered * 2)) -gt "$_total" ]; }; then
      if [ "$_best" = "$RS_ANNOUNCE_HOST" ] && [ $((_bestr + _bestk)) -eq 0 ] && [ "$_waited" -lt "$RS_ELECTION_WAIT_S" ]; then
        # Nobody holds data: give a starting seed the first boot before serving empty.
        rs_log "cold start: no pod holds data; waiting for a seed or a master (attempt $_n, ${_waited}s of ${RS_ELECTION_WAIT_S}s)"
      elif [ "$_best" = "$RS_ANNOUNCE_HOST" ] && [ -z "$(rs_find_serving_master)" ]; then
        rs_log "cold start: elected master (highest rank $_bestr/$_bestk among the answering candidates${_missing:+; absent:$_missing})"
        rs_leave_standby; return 0
      else
        rs_log "cold start: $_best has the newest data (rank $_bestr/$_bestk); waiting for it to serve (attempt $_n)"
      fi
    else
      rs_log "cold start: waiting for peers to answer:$_missing (attempt $_n, ${_waited}s of ${RS_ELECTION_WAIT_S}s)"
    fi
    sleep 1
  done
}

# rs_sentinel_conf MASTERHOST MASTERPORT: sentinel.conf monitoring that master, written
# afresh at every start, so the current settings (down-after, failover-timeout,
# parallel-syncs, password) always take effect; the quorum is the running Sentinels' (set by
# rs_run_sentinel from rs_quorum, RS_QUORUM_NOW). Kept from the file on the volume: this
# sentinel's id and its current epoch, and, when it monitors the same master, that
# master's epochs and the replicas and sentinels it learned (state, not settings).
rs_sentinel_conf() {
  mkdir -p "$RS_SENTINEL_DIR"
  _old="$RS_SENTINEL_DIR/sentinel.conf"
  _kept=""
  if [ "$(rs_persisted_master)" = "$1 $2" ]; then
    _kept=$(grep -E "^sentinel (config-epoch|leader-epoch|known-replica|known-sentinel) $RS_MASTER_NAME " "$_old" 2>/dev/null)
  fi
  {
    echo "bind $RS_BIND"
    rs_listen_conf "$RS_SENTINEL_LISTEN_PORT"
    echo "dir $RS_SENTINEL_DIR"
    echo 'logfile ""'
    _src=$(rs_single_bind)
    [ -n "$_src" ] && echo "bind-source-addr $_src"
    grep -E '^sentinel (myid [0-9a-f]+|current-epoch [0-9]+)$' "$_old" 2>/dev/null
    echo "sentinel resolve-hostnames yes"
    echo "sentinel announce-hostnames yes"
    echo "sentinel announce-ip $RS_ANNOUNCE_HOST"
    echo "sentinel announce-port $RS_SENTINEL_LISTEN_PORT"
    if [ -n "${REDIS_PASSWORD:-}" ]; then
      printf '%s\n' "requirepass $(rs_q "$REDIS_PASSWORD")"
      printf '%s\n' "sentinel sentinel-pass $(rs_q "$REDIS_PASSWORD")"
      [ -n "$(rs_accepted_hashes sentinel)" ] && rs_default_user sentinel
    else
      echo "protected-mode no"
    fi
    echo "sentinel monitor $RS_MASTER_NAME $1 $2 ${RS_QUORUM_NOW:-$RS_QUORUM}"
    [ -n "${REDIS_PASSWORD:-}" ] && printf '%s\n' "sentinel auth-pass $RS_MASTER_NAME $(rs_q "$REDIS_PASSWORD")"
    echo "sentinel down-after-milliseconds $RS_MASTER_NAME $RS_DOWN_AFTER_MS"
    echo "sentinel failover-timeout $RS_MASTER_NAME $RS_FAILOVER_TIMEOUT_MS"
    echo "sentinel parallel-syncs $RS_MASTER_NAME $RS_PARALLEL_SYNCS"
    [ -n "$_kept" ] && printf '%s\n' "$_kept"
    # The user's extra directives (option `sentinelConfig`), after the monitor line that
    # per-master ones need; written afresh at every start like the rest.
    [ -n "${RS_SENTINEL_CONF:-}" ] && printf '%s\n' "$RS_SENTINEL_CONF"
  } | rs_write_private "$RS_SENTINEL_DIR/sentinel.conf"
}

# rs_quorum: the quorum a starting Sentinel monitors with. No pod template holds it (a scale
# that changes the default quorum would roll every Sentinel): the running Sentinels carry it,
# changed by the reconcile of the seed retirement resource (SENTINEL SET <master> quorum N,
# src/retirement), so a Sentinel that starts (restart, scale-up) takes theirs, asked through
# the Sentinel Service; when none answers (first boot, every Sentinel down), the `quorum`
# file of the scripts ConfigMap, read now; else RS_QUORUM.
rs_quorum() {
  if [ -n "${RS_SENTINEL_HOST:-}" ]; then
    _q=$(rs_cli "$RS_SENTINEL_HOST" "$RS_SENTINEL_PORT" SENTINEL MASTER "$RS_MASTER_NAME" | awk 'NR % 2 == 1 { k = $0; next } k == "quorum" { print; exit }')
    case "$_q" in ''|*[!0-9]*|0) ;; *) echo "$_q"; return 0 ;; esac
  fi
  _q=$(head -n 1 "${RS_SCRIPTS_DIR:-/scripts}/quorum" 2>/dev/null | tr -d ' \r')
  case "$_q" in ''|*[!0-9]*|0) _q=$RS_QUORUM ;; esac
  echo "$_q"
}

# The master a sentinel.conf left on the volume monitors ("host port"), or nothing.
rs_persisted_master() {
  sed -n "s/^sentinel monitor $RS_MASTER_NAME \([^ ]*\) \([0-9]*\) .*/\1 \2/p" "$RS_SENTINEL_DIR/sentinel.conf" 2>/dev/null | head -n 1
}

# rs_monitor_known_master: become redis-sentinel monitoring the master the Sentinel
# Service names, else the one the sentinel.conf on the volume monitors (every pod
# restarted). Does not return once Sentinel started; returns when neither is known.
rs_monitor_known_master() {
  _named=$(rs_ask_sentinels)
  if [ -n "$_named" ]; then
    # shellcheck disable=SC2086
    rs_run_sentinel $_named
  fi
  _persisted=$(rs_persisted_master)
  if [ -n "$_persisted" ]; then
    rs_log "no master known by sentinel service ${RS_SENTINEL_HOST:-}:$RS_SENTINEL_PORT; starting from the state on the volume"
    # shellcheck disable=SC2086
    rs_run_sentinel $_persisted
  fi
}

# rs_run_sentinel MASTERHOST MASTERPORT: monitor that master with the current settings
# (keeping the state on the volume, see rs_sentinel_conf) and become redis-sentinel.
rs_run_sentinel() {
  RS_QUORUM_NOW=$(rs_quorum)
  if [ "$(rs_persisted_master)" = "$1 $2" ]; then
    rs_log "monitoring $1:$2 with the state kept on the volume (quorum $RS_QUORUM_NOW, down-after ${RS_DOWN_AFTER_MS}ms)"
  else
    rs_log "monitoring $1:$2 (quorum $RS_QUORUM_NOW, down-after ${RS_DOWN_AFTER_MS}ms)"
  fi
  rs_sentinel_conf "$1" "$2"
  exec redis-sentinel "$RS_SENTINEL_DIR/sentinel.conf"
}
