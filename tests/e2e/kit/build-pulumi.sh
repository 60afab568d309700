#!/bin/sh
# Builds the Pulumi CLI and its bundled nodejs plugins into
# $KIT_CACHE/pulumi-$KIT_PULUMI_VERSION/bin (bundled plugins must sit next to `pulumi`):
#   pulumi                         github.com/pulumi/pulumi/pkg/v3/cmd/pulumi with the release
#                                  tags and version ldflag (the Automation API parses
#                                  `pulumi version`)
#   pulumi-language-nodejs         the nodejs language host: OUR OWN minimal one
#                                  (langhost-nodejs/main.go), built against sdk/v3
#   pulumi-resource-pulumi-nodejs  runs dynamic providers (pulumi-resource-pulumi-nodejs.sh)
#
# Where the leads of E2E-KIT.md were wrong or incomplete (checked on the machine):
# - pulumi-language-nodejs: the pseudo-version v3.0.0-20260624120734-a88168d865b7 is the right
#   one (a88168d865b7 is the v3.248.0 commit), but the proxy refuses the module
#   github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 at every version: 403
#   "This module version is not available" for @v/list, @latest, v3.248.0 and the pseudo-
#   versions of the v3.246.0, v3.247.0 and v3.249.0 commits. So no real language host; the
#   Automation API's inline programs would not need one, but a plain `pulumi up` of a
#   Pulumi.yaml project does: hence langhost-nodejs/main.go.
# - The CLI lead (sdk/v3 pinned to the same version, the clipboard replace, tags, ldflag) held.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/lib.sh"
. "$here/lib-gomod.sh"

piece="pulumi $KIT_PULUMI_VERSION"
out="$KIT_CACHE/pulumi-$KIT_PULUMI_VERSION"
# The language host is our source: a change to it rebuilds that binary only.
langhost_sum=$(cat "$here/langhost-nodejs/main.go" "$here/pulumi-resource-pulumi-nodejs.sh" | cksum)
if kit_done "$out" && [ "$(cat "$out/bundled.sum" 2>/dev/null)" = "$langhost_sum" ]; then
  kit_log "$piece: cached in $out"
  exit 0
fi
rm -f "$out/.done"
mkdir -p "$out/src/cli" "$out/src/langhost" "$out/bin"
log="$out/build.log"
: >"$log"
sdkmod=$(gomod_file github.com/pulumi/pulumi/sdk/v3 "$KIT_PULUMI_VERSION") ||
  kit_die "$piece" "the proxy refuses github.com/pulumi/pulumi/sdk/v3@$KIT_PULUMI_VERSION"
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$KIT_PULUMI_VERSION"

# --- the CLI -----------------------------------------------------------------------------
if [ "$("$out/bin/pulumi" version 2>/dev/null || true)" = "$KIT_PULUMI_VERSION" ]; then
  kit_log "$piece: pulumi already built"
else
  kit_log "$piece: resolving the CLI module"
  pkgmod=$(gomod_file github.com/pulumi/pulumi/pkg/v3 "$KIT_PULUMI_VERSION") ||
    kit_die "$piece" "the proxy refuses github.com/pulumi/pulumi/pkg/v3@$KIT_PULUMI_VERSION"
  {
    echo "module rs-e2e/pulumi-cli"
    echo
    echo "go $(gomod_go_directive "$pkgmod")"
    echo
    echo "require ("
    echo "	github.com/pulumi/pulumi/pkg/v3 $KIT_PULUMI_VERSION"
    # pkg/go.mod points sdk/v3 at ../sdk: the same release instead.
    echo "	github.com/pulumi/pulumi/sdk/v3 $KIT_PULUMI_VERSION"
    echo ")"
    echo
    # pkg/go.mod's own replaces (at v3.248.0: atotto/clipboard => tgummerer/clipboard).
    gomod_module_replaces "$pkgmod" | sed 's/^/replace /'
  } >"$out/src/cli/go.mod"
  kit_log "$piece: building pulumi (cold: ~20 min on 2 cores)"
  (cd "$out/src/cli" &&
    kit_run "$piece" "$log" env GOFLAGS=-mod=mod go build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "$ldflags" -o "$out/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  reported=$("$out/bin/pulumi" version 2>>"$log") || kit_die "$piece" "pulumi version failed"
  [ "$reported" = "$KIT_PULUMI_VERSION" ] ||
    kit_die "$piece" "pulumi version prints '$reported', expected $KIT_PULUMI_VERSION"
fi

# --- the nodejs language host (ours) -------------------------------------------------------
kit_log "$piece: building pulumi-language-nodejs (the kit's own, langhost-nodejs/main.go)"
cp "$here/langhost-nodejs/main.go" "$out/src/langhost/main.go"
{
  echo "module rs-e2e/pulumi-language-nodejs"
  echo
  echo "go $(gomod_go_directive "$sdkmod")"
  echo
  echo "require github.com/pulumi/pulumi/sdk/v3 $KIT_PULUMI_VERSION"
} >"$out/src/langhost/go.mod"
(cd "$out/src/langhost" &&
  kit_run "$piece" "$log" env GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" \
    -o "$out/bin/pulumi-language-nodejs" .)
reported=$("$out/bin/pulumi-language-nodejs" -version 2>>"$log") ||
  kit_die "$piece" "pulumi-language-nodejs -version failed"
[ "$reported" = "$KIT_PULUMI_VERSION" ] ||
  kit_die "$piece" "pulumi-language-nodejs -version prints '$reported', expected $KIT_PULUMI_VERSION"

# --- the dynamic provider runner -------------------------------------------------------------
cp "$here/pulumi-resource-pulumi-nodejs.sh" "$out/bin/pulumi-resource-pulumi-nodejs"
chmod 755 "$out/bin/pulumi-resource-pulumi-nodejs"

printf '%s\n' "$langhost_sum" >"$out/bundled.sum"
touch "$out/.done"
kit_log "$piece: built into $out/bin"
