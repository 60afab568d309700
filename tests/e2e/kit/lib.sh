# shellcheck shell=sh
# Shared helpers of the e2e kit: progress with elapsed time, and failures that name
# the piece and the command that failed.

KIT_T0=${KIT_T0:-$(date +%s)}
export KIT_T0

kit_log() {
  printf '[e2e-kit %4ss] %s\n' "$(( $(date +%s) - KIT_T0 ))" "$*" >&2
}

# kit_die PIECE MESSAGE...
kit_die() {
  piece=$1
  shift
  printf '[e2e-kit %4ss] FAILED building %s: %s\n' "$(( $(date +%s) - KIT_T0 ))" "$piece" "$*" >&2
  exit 1
}

# kit_run PIECE LOGFILE CMD...: runs CMD with its output in LOGFILE; on failure, names
# the piece and the command and shows the end of the log.
kit_run() {
  piece=$1
  logfile=$2
  shift 2
  if ! "$@" >>"$logfile" 2>&1; then
    tail -n 40 "$logfile" >&2
    kit_die "$piece" "command failed: $* (full log: $logfile)"
  fi
}

# kit_done DIR: a piece is built when its directory holds the .done marker.
kit_done() {
  [ -f "$1/.done" ]
}

# kit_go_binary PIECE OUT MODULE VERSION PACKAGE BINARY [LDFLAGS]: builds one binary of a
# module with no replace directives of its own into OUT/bin, through a throwaway go.mod
# in OUT/src; idempotent through OUT/.done.
kit_go_binary() {
  piece=$1 out=$2 module=$3 version=$4 package=$5 binary=$6 ldflags=${7:-}
  if kit_done "$out"; then
    kit_log "$piece: cached in $out"
    return 0
  fi
  mkdir -p "$out/src" "$out/bin"
  log="$out/build.log"
  : >"$log"
  kit_log "$piece: building $binary"
  printf 'module rs-e2e/%s\n\ngo 1.24\n\nrequire %s %s\n' "$binary" "$module" "$version" >"$out/src/go.mod"
  (
    cd "$out/src" &&
      kit_run "$piece" "$log" env CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w $ldflags" -o "$out/bin/$binary" "$package"
  ) || exit 1
  touch "$out/.done"
  kit_log "$piece: built $out/bin/$binary"
}
