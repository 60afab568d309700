#!/bin/sh
# Proves the Pulumi pieces of the kit work offline, without a cluster: in a throwaway
# directory outside the repository (default /tmp/pulumi-smoke, or $1), a nodejs TypeScript
# program using the project's node_modules declares a random.RandomPassword, a small
# pulumi.dynamic.Resource and a kubernetes Provider (never used, so no cluster is contacted);
# then `pulumi stack init`, `up`, `preview --expect-no-changes`, `destroy`, `stack rm`.
# Run the three build-*.sh scripts first.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/lib.sh"

piece="pulumi smoke test"
repo=$(cd "$here/../../.." && pwd)
dir=${1:-/tmp/pulumi-smoke}
case "$dir" in
  "$repo"/*) kit_die "$piece" "the smoke directory must be outside the repository" ;;
esac
bin_pulumi="$KIT_CACHE/pulumi-$KIT_PULUMI_VERSION/bin"
bin_k8s="$KIT_CACHE/provider-kubernetes-$KIT_K8S_PROVIDER_STAMP/bin"
bin_random="$KIT_CACHE/provider-random-$KIT_RANDOM_PROVIDER_STAMP/bin"
for b in "$bin_pulumi/pulumi" "$bin_k8s/pulumi-resource-kubernetes" "$bin_random/pulumi-resource-random"; do
  [ -x "$b" ] || kit_die "$piece" "$b is missing: run the build-*.sh scripts first"
done
[ -d "$repo/node_modules/@pulumi/random" ] || kit_die "$piece" "run npm ci in $repo first"

rm -rf "$dir"
mkdir -p "$dir/project" "$dir/home" "$dir/state"
ln -s "$repo/node_modules" "$dir/project/node_modules"
cat >"$dir/project/Pulumi.yaml" <<'EOF'
name: kit-smoke
runtime: nodejs
EOF
cat >"$dir/project/package.json" <<'EOF'
{ "name": "kit-smoke", "main": "index.ts", "private": true }
EOF
cat >"$dir/project/index.ts" <<'EOF'
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as k8s from "@pulumi/kubernetes";

const password = new random.RandomPassword("password", { length: 24, special: false });

const echoProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: any) {
        return { id: `echo-${inputs.value}`, outs: { value: inputs.value, length: inputs.value.length } };
    },
};
class Echo extends pulumi.dynamic.Resource {
    public readonly length!: pulumi.Output<number>;
    constructor(name: string, value: pulumi.Input<string>) {
        super(echoProvider, name, { value, length: undefined }, {});
    }
}
const echo = new Echo("echo", "hello");

// Loads pulumi-resource-kubernetes and configures it; no Kubernetes resource uses it.
const kubeconfig = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;
new k8s.Provider("k8s", { kubeconfig });

export const passwordLength = password.result.apply((r) => r.length);
export const echoLength = echo.length;
EOF

PATH="$bin_pulumi:$bin_k8s:$bin_random:$PATH"
PULUMI_HOME="$dir/home"
PULUMI_BACKEND_URL="file://$dir/state"
PULUMI_SKIP_UPDATE_CHECK=true
PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
PULUMI_CONFIG_PASSPHRASE=smoke
export PATH PULUMI_HOME PULUMI_BACKEND_URL PULUMI_SKIP_UPDATE_CHECK \
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION PULUMI_CONFIG_PASSPHRASE
log="$dir/smoke.log"
: >"$log"
cd "$dir/project"
kit_log "$piece: $(pulumi version) in $dir"
kit_run "$piece" "$log" pulumi stack init smoke --non-interactive
kit_log "$piece: pulumi up"
kit_run "$piece" "$log" pulumi up --yes --non-interactive --skip-preview
[ "$(pulumi stack output passwordLength --show-secrets 2>>"$log")" = 24 ] || kit_die "$piece" "passwordLength is not 24"
[ "$(pulumi stack output echoLength 2>>"$log")" = 5 ] || kit_die "$piece" "echoLength is not 5"
kit_run "$piece" "$log" pulumi plugin ls
kit_log "$piece: pulumi preview --expect-no-changes"
kit_run "$piece" "$log" pulumi preview --expect-no-changes --non-interactive
kit_log "$piece: pulumi destroy"
kit_run "$piece" "$log" pulumi destroy --yes --non-interactive --skip-preview
kit_run "$piece" "$log" pulumi stack rm smoke --yes --non-interactive
kit_log "$piece: passed (log: $log)"
