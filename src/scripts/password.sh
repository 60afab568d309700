#!/bin/sh
# password.sh: the password rotation's change to the server in this container, run by the
# PasswordRotation resource through one exec per step (`sh /scripts/password.sh STEP ROLE`).
# Environment: see common.sh (REDIS_PASSWORD, REDISCLI_AUTH, RS_MASTER_NAME, RS_BIND, ports,
# RS_DATA_DIR, RS_SENTINEL_DIR); the password to apply comes on stdin.
#
#   STEP    accept  the server also accepts the password read from stdin (ACL SETUSER
#                   default >PW); its SHA-256 is kept on the volume, so a restart of this
#                   container before the Secret changes still accepts it
#           use     the server authenticates with it from now on: masterauth (Redis);
#                   auth-pass and sentinel-pass (Sentinel)
#           check   the container runs with it (its REDIS_PASSWORD is the one read): exit 3 if not
#           drop    check, then the server accepts that password only (ACL SETUSER default
#                   resetpass >PW), and the kept SHA-256 list is emptied
#   ROLE    redis | sentinel: which server of the container
#
# The password is read from stdin (one line), never taken as an argument: an exec's command
# line reaches the API server's audit log. It reaches redis-cli on its stdin too (`-x`, last
# argument from stdin), so no process's arguments hold it. The container's own password
# (REDISCLI_AUTH) authenticates the step; when the server refuses it, the one read is tried.
# Prints `result=ok`, `result=not-rolled` (check/drop: exit 3) or `result=failed reason=...`
# (exit 1) as its last line. Every step can be repeated.
set -u
RS_ROLE=password
RS_SCRIPTS_DIR=${RS_SCRIPTS_DIR:-$(dirname "$0")}
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$RS_SCRIPTS_DIR/common.sh"

step=${1:-}
role=${2:-}
case "$role" in
  redis) port=$RS_REDIS_PORT ;;
  sentinel) port=$RS_SENTINEL_LISTEN_PORT ;;
  *) echo "result=failed reason=usage: password.sh accept|use|check|drop redis|sentinel"; exit 2 ;;
esac
case "$step" in accept|use|check|drop) ;; *) echo "result=failed reason=unknown step $step"; exit 2 ;; esac

IFS= read -r pw || [ -n "${pw:-}" ] || { echo "result=failed reason=no password on stdin"; exit 1; }
[ -n "$pw" ] || { echo "result=failed reason=empty password on stdin"; exit 1; }
me=$(rs_local_host)
file=$(rs_accepted_file "$role")
rolled() { [ "${REDIS_PASSWORD:-}" = "$pw" ]; }

# check asks only the container's environment (its server may be restarting).
if [ "$step" = check ]; then
  if rolled; then echo "result=ok"; exit 0; fi
  echo "result=not-rolled"; exit 3
fi

fail() { echo "result=failed reason=$*"; exit 1; }

# pw_cli ARGS...: redis-cli to this container's server with PW_ARG as the last argument (from
# stdin); over TLS when common.sh says so (RS_CLI_TLS, word-split on purpose).
# shellcheck disable=SC2086
pw_cli() {
  if command -v timeout >/dev/null 2>&1; then
    printf '%s' "$PW_ARG" | timeout 3 redis-cli ${RS_CLI_TLS:-} --no-auth-warning -h "$me" -p "$port" -x "$@" 2>/dev/null | tr -d '\r'
  else
    printf '%s' "$PW_ARG" | redis-cli ${RS_CLI_TLS:-} --no-auth-warning -h "$me" -p "$port" -x "$@" 2>/dev/null | tr -d '\r'
  fi
}

if [ "$(rs_cli "$me" "$port" PING)" != PONG ]; then
  REDISCLI_AUTH=$pw
  [ "$(rs_cli "$me" "$port" PING)" = PONG ] || fail "$role server at $me:$port does not answer PING with either password"
fi

case "$step" in
  accept)
    PW_ARG=">$pw"
    [ "$(pw_cli ACL SETUSER default on)" = OK ] || fail "ACL SETUSER default refused"
    h=$(printf '%s' "$pw" | sha256sum | cut -d' ' -f1)
    { cat "$file" 2>/dev/null; echo "$h"; } | awk 'NF && !seen[$0]++' | rs_write_private "$file"
    rs_log "$role: accepts one more password (kept on the volume until dropped)" >&2 ;;
  use)
    PW_ARG=$pw
    if [ "$role" = redis ]; then
      [ "$(pw_cli CONFIG SET masterauth)" = OK ] || fail "CONFIG SET masterauth refused"
    else
      [ "$(pw_cli SENTINEL SET "$RS_MASTER_NAME" auth-pass)" = OK ] || fail "SENTINEL SET $RS_MASTER_NAME auth-pass refused"
      # Sentinel 6.2 has no SENTINEL CONFIG SET sentinel-pass: it keeps the previous one for
      # Sentinel links until it restarts (the roll), which every Sentinel accepts until the drop.
      [ "$(pw_cli SENTINEL CONFIG SET sentinel-pass)" = OK ] || rs_log "$role: sentinel-pass kept until restart (SENTINEL CONFIG SET refused)" >&2
    fi
    rs_log "$role: authenticates with the new password" >&2 ;;
  drop)
    rolled || { echo "result=not-rolled"; exit 3; }
    PW_ARG=">$pw"
    [ "$(pw_cli ACL SETUSER default on resetpass)" = OK ] || fail "ACL SETUSER default resetpass refused"
    : | rs_write_private "$file"
    rs_log "$role: accepts the current password only" >&2 ;;
esac
echo "result=ok"
