# shellcheck shell=sh
# Helpers for the throwaway go.mod files of the Pulumi pieces (sourced after lib.sh).

# gomod_file MODULE VERSION: downloads MODULE@VERSION's go.mod and zip through the proxy and
# prints the path of the .mod file in the module cache. Fails (status 1) when the proxy
# refuses that version.
gomod_file() {
  go mod download -json "$1@$2" >/dev/null 2>&1 || return 1
  printf '%s/cache/download/%s/@v/%s.mod\n' "$(go env GOMODCACHE)" "$(gomod_escape "$1")" "$2"
}

# gomod_dir MODULE VERSION: the extracted (read-only) module directory in the module cache.
gomod_dir() {
  go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

# gomod_escape PATH: the module cache's case encoding (an upper-case letter becomes !lower).
gomod_escape() {
  printf '%s\n' "$1" | sed 's/\([A-Z]\)/!\1/g' | tr '[:upper:]' '[:lower:]'
}

# gomod_go_directive MODFILE: the `go` line's version of a go.mod.
gomod_go_directive() {
  sed -n 's/^go \([0-9.]*\)$/\1/p' "$1"
}

# gomod_module_replaces MODFILE: the replace directives of MODFILE that point at another
# module version (a replace to a local path, `=> ../sdk`, means nothing outside that
# repository and is left out), one `A [v] => B v` a line. A dependency's replaces are
# ignored by Go, so the throwaway go.mod must repeat them.
gomod_module_replaces() {
  awk '
    /^replace[[:space:]]*\($/ { inblock = 1; next }
    inblock && /^\)/ { inblock = 0; next }
    inblock { line = $0 }
    !inblock && /^replace[[:space:]]/ { line = $0; sub(/^replace[[:space:]]+/, "", line) }
    line != "" {
      sub(/^[[:space:]]+/, "", line); sub(/[[:space:]]*\/\/.*$/, "", line)
      n = split(line, parts, /[[:space:]]*=>[[:space:]]*/)
      if (n == 2 && parts[2] !~ /^(\.|\/)/) print line
      line = ""
    }
  ' "$1"
}
