#!/bin/sh
# Builds pulumi-resource-kubernetes, stamped with the version @pulumi/kubernetes asks for
# ($KIT_K8S_PROVIDER_STAMP), into $KIT_CACHE/provider-kubernetes-<stamp>/bin.
#
# The code is that of the newest provider module the Go proxy serves
# ($KIT_K8S_PROVIDER_MODULE_VERSION = tag v4.25.0's commit f47bc2d6f199): the module has no
# tags of its own, and the pseudo-versions of the v4.26.0 .. v4.32.0 commits are refused.
# The module zip lacks main.go's two embedded files (gitignored, made by `go generate`):
# the module is copied somewhere writable and they are made from the committed schema.json
# (with .version set, minified) and terraform-mapping.json (minified), as its generate.go does.
# Its go.mod replaces sdk/v4 by ../sdk: a served sdk/v4 release instead
# ($KIT_K8S_PROVIDER_SDK_VERSION; v4.24.0, the one it requires, is not served).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/lib.sh"
. "$here/lib-gomod.sh"

provider=github.com/pulumi/pulumi-kubernetes/provider/v4
sdk=github.com/pulumi/pulumi-kubernetes/sdk/v4
piece="pulumi-resource-kubernetes $KIT_K8S_PROVIDER_STAMP"
out="$KIT_CACHE/provider-kubernetes-$KIT_K8S_PROVIDER_STAMP"
if kit_done "$out"; then
  kit_log "$piece: cached in $out"
  exit 0
fi
command -v node >/dev/null || kit_die "$piece" "node is needed to write the embedded schema"
mkdir -p "$out/src" "$out/bin"
log="$out/build.log"
: >"$log"

kit_log "$piece: resolving $provider@$KIT_K8S_PROVIDER_MODULE_VERSION"
modfile=$(gomod_file "$provider" "$KIT_K8S_PROVIDER_MODULE_VERSION") ||
  kit_die "$piece" "the proxy refuses $provider@$KIT_K8S_PROVIDER_MODULE_VERSION"
gomod_file "$sdk" "$KIT_K8S_PROVIDER_SDK_VERSION" >/dev/null ||
  kit_die "$piece" "the proxy refuses $sdk@$KIT_K8S_PROVIDER_SDK_VERSION"
moddir=$(gomod_dir "$provider" "$KIT_K8S_PROVIDER_MODULE_VERSION")

# A writable copy of the module, with the two generated files.
rm -rf "$out/src/provider"
cp -R "$moddir" "$out/src/provider"
chmod -R u+w "$out/src/provider"
cmddir="$out/src/provider/cmd/pulumi-resource-kubernetes"
kit_run "$piece" "$log" node -e '
  const fs = require("fs");
  const [dir, version] = process.argv.slice(1);
  const schema = JSON.parse(fs.readFileSync(dir + "/schema.json", "utf8"));
  schema.version = version;
  fs.writeFileSync(dir + "/schema-embed.json", JSON.stringify(schema));
  const mapping = JSON.parse(fs.readFileSync(dir + "/terraform-mapping.json", "utf8"));
  fs.writeFileSync(dir + "/terraform-mapping-embed.json", JSON.stringify(mapping));
' "$cmddir" "$KIT_K8S_PROVIDER_STAMP"

mkdir -p "$out/src/build"
{
  echo "module rs-e2e/pulumi-resource-kubernetes"
  echo
  echo "go $(gomod_go_directive "$modfile")"
  echo
  echo "require $provider $KIT_K8S_PROVIDER_MODULE_VERSION"
  echo
  echo "replace $provider => ../provider"
  echo
  echo "replace $sdk => $sdk $KIT_K8S_PROVIDER_SDK_VERSION"
  gomod_module_replaces "$modfile" | sed 's/^/replace /'
} >"$out/src/build/go.mod"

kit_log "$piece: building (cold: ~15 min on 2 cores)"
(cd "$out/src/build" &&
  kit_run "$piece" "$log" env GOFLAGS=-mod=mod go build -trimpath \
    -ldflags "-s -w -X $provider/pkg/version.Version=$KIT_K8S_PROVIDER_STAMP" \
    -o "$out/bin/pulumi-resource-kubernetes" "$provider/cmd/pulumi-resource-kubernetes")
# A provider started without an engine address prints its usage and exits non-zero: check
# the binary runs at all; the engine-side check (GetPluginInfo) is in the smoke test.
[ -x "$out/bin/pulumi-resource-kubernetes" ] || kit_die "$piece" "no binary"
touch "$out/.done"
kit_log "$piece: built into $out/bin"
