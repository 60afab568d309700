#!/bin/sh
# Builds pulumi-resource-random, stamped with the version @pulumi/random asks for
# ($KIT_RANDOM_PROVIDER_STAMP), into $KIT_CACHE/provider-random-<stamp>/bin.
#
# Where the leads of E2E-KIT.md were wrong (checked on the machine): the Go proxy serves no
# github.com/pulumi/pulumi-random module at all: provider/v4 at v4.18.4's pseudo-version
# (v4.0.0-20251013171526-e451fbb205fc, said to be "listed as served") and at the commits of
# v4.18.5 .. v4.21.1 all answer 403, and so does every @v/list. What is served: the upstream
# Terraform provider (github.com/terraform-providers/terraform-provider-random, at the commit
# pulumi-random v4.20.0-v4.21.1 use), pulumi-terraform-bridge/v3 up to v3.120.0, and the
# plugin-sdk fork the bridge's go.mod replaces to. So the kit bridges the upstream provider
# itself with a small program of its own (provider-random/, the same shape as pulumi-random's
# provider: a `shim` module under the upstream's import path so that it may import the
# upstream's internal/provider, a ProviderInfo mapping random_<x> to
# random:index/random<X>:Random<X>, a tfgen binary that writes the Pulumi schema, and the
# provider binary that embeds it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/lib.sh"
. "$here/lib-gomod.sh"

bridge=github.com/pulumi/pulumi-terraform-bridge/v3
upstream=github.com/terraform-providers/terraform-provider-random
piece="pulumi-resource-random $KIT_RANDOM_PROVIDER_STAMP"
out="$KIT_CACHE/provider-random-$KIT_RANDOM_PROVIDER_STAMP"
srcsum=$(find "$here/provider-random" -type f -name '*.go' | LC_ALL=C sort | xargs cat | cksum)
key="$KIT_RANDOM_UPSTREAM_VERSION $KIT_RANDOM_BRIDGE_VERSION $KIT_RANDOM_FRAMEWORK_VERSION $KIT_RANDOM_PLUGIN_GO_VERSION $srcsum"
if kit_done "$out" && [ "$(cat "$out/source.key" 2>/dev/null)" = "$key" ]; then
  kit_log "$piece: cached in $out"
  exit 0
fi
command -v node >/dev/null || kit_die "$piece" "node is needed to stamp the schema"
# The version the npm package asks for, when the project's node_modules are installed.
pkgjson="$here/../../../node_modules/@pulumi/random/package.json"
if [ -f "$pkgjson" ]; then
  asked=$(node -e 'const p = require(process.argv[1]); console.log((p.pulumi && p.pulumi.version) || p.version)' "$pkgjson")
  [ "$asked" = "$KIT_RANDOM_PROVIDER_STAMP" ] ||
    kit_die "$piece" "@pulumi/random asks for plugin $asked: set KIT_RANDOM_PROVIDER_STAMP in versions.sh"
fi
rm -f "$out/.done"
rm -rf "$out/src"
mkdir -p "$out/src" "$out/bin"
log="$out/build.log"
: >"$log"

kit_log "$piece: resolving the bridge and the upstream provider"
bridgemod=$(gomod_file "$bridge" "$KIT_RANDOM_BRIDGE_VERSION") ||
  kit_die "$piece" "the proxy refuses $bridge@$KIT_RANDOM_BRIDGE_VERSION"
upmod=$(gomod_file "$upstream" "$KIT_RANDOM_UPSTREAM_VERSION") ||
  kit_die "$piece" "the proxy refuses $upstream@$KIT_RANDOM_UPSTREAM_VERSION"

cp -R "$here/provider-random/." "$out/src/"
chmod -R u+w "$out/src"
# The shim: a module of its own under the upstream's path (pulumi-random's provider/shim is
# such a nested module, absent from any zip).
{
  echo "module $upstream/shim"
  echo
  echo "go $(gomod_go_directive "$upmod")"
  echo
  echo "require $upstream $KIT_RANDOM_UPSTREAM_VERSION"
} >"$out/src/shim/go.mod"
{
  echo "module rs-e2e/pulumi-resource-random"
  echo
  echo "go $(gomod_go_directive "$upmod")"
  echo
  echo "require ("
  echo "	$bridge $KIT_RANDOM_BRIDGE_VERSION"
  echo "	$upstream/shim v0.0.0"
  echo ")"
  echo
  echo "replace $upstream/shim => ./shim"
  # The bridge's own replaces: terraform-plugin-sdk/v2 => pulumi's fork. Its replaces of the
  # upstream random and tls providers point into its test tree and are left out.
  gomod_module_replaces "$bridgemod" | sed 's/^/replace /'
  # Held back to what the bridge was built against (see versions.sh).
  echo "replace github.com/hashicorp/terraform-plugin-framework => github.com/hashicorp/terraform-plugin-framework $KIT_RANDOM_FRAMEWORK_VERSION"
  echo "replace github.com/hashicorp/terraform-plugin-go => github.com/hashicorp/terraform-plugin-go $KIT_RANDOM_PLUGIN_GO_VERSION"
} >"$out/src/go.mod"

mkdir -p "$out/src/tools"
kit_log "$piece: building pulumi-tfgen-random (cold: ~15 min on 2 cores)"
(cd "$out/src" &&
  kit_run "$piece" "$log" env GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" \
    -o "$out/src/tools/pulumi-tfgen-random" ./cmd/pulumi-tfgen-random)

kit_log "$piece: writing the schema"
gen="$out/src/cmd/pulumi-resource-random"
(cd "$out/src" &&
  kit_run "$piece" "$log" env VERSION="$KIT_RANDOM_PROVIDER_STAMP" \
    "$out/src/tools/pulumi-tfgen-random" schema --out "$gen")
[ -f "$gen/schema.json" ] || kit_die "$piece" "pulumi-tfgen-random wrote no schema.json"
[ -f "$gen/bridge-metadata.json" ] || echo '{}' >"$gen/bridge-metadata.json"
kit_run "$piece" "$log" node -e '
  const fs = require("fs");
  const [file, version] = process.argv.slice(1);
  const schema = JSON.parse(fs.readFileSync(file, "utf8"));
  schema.version = version;
  fs.writeFileSync(file, JSON.stringify(schema));
' "$gen/schema.json" "$KIT_RANDOM_PROVIDER_STAMP"

kit_log "$piece: building pulumi-resource-random"
(cd "$out/src" &&
  kit_run "$piece" "$log" env GOFLAGS=-mod=mod go build -trimpath \
    -ldflags "-s -w -X main.Version=$KIT_RANDOM_PROVIDER_STAMP" \
    -o "$out/bin/pulumi-resource-random" ./cmd/pulumi-resource-random)
printf '%s\n' "$key" >"$out/source.key"
touch "$out/.done"
kit_log "$piece: built into $out/bin"
