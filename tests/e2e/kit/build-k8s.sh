#!/bin/sh
# Builds the Kubernetes control plane and node binaries (kube-apiserver,
# kube-controller-manager, kube-scheduler, kube-proxy, kubelet, kubectl) from the
# k8s.io/kubernetes module, version-stamped (an unstamped apiserver reports v0.0.0 and
# the Pulumi kubernetes provider refuses it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/lib.sh"

piece="kubernetes $KIT_K8S_VERSION"
out="$KIT_CACHE/k8s-$KIT_K8S_VERSION"
if kit_done "$out"; then
  kit_log "$piece: cached in $out"
  exit 0
fi
mkdir -p "$out/src" "$out/bin"
log="$out/build.log"
: >"$log"
kit_log "$piece: resolving the module"
cd "$out/src"
kit_run "$piece" "$log" go mod download -json "k8s.io/kubernetes@$KIT_K8S_VERSION"
modfile=$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$KIT_K8S_VERSION.mod
staging=${KIT_K8S_VERSION#v1.}
staging=v0.$staging
{
  echo "module rs-e2e/k8s"
  echo
  echo "go 1.24"
  echo
  echo "require k8s.io/kubernetes $KIT_K8S_VERSION"
  echo
  echo "replace ("
  # Every staging module the kubernetes go.mod points at ./staging: use its release instead.
  sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/.*#\1#p' "$modfile" | while read -r m; do
    echo "	$m => $m $staging"
  done
  echo ")"
} >go.mod

major=$(echo "$KIT_K8S_VERSION" | sed 's/^v\([0-9]*\)\..*/\1/')
minor=$(echo "$KIT_K8S_VERSION" | sed 's/^v[0-9]*\.\([0-9]*\)\..*/\1/')
ldflags=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $p.gitVersion=$KIT_K8S_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done

for cmd in kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubectl; do
  kit_log "$piece: building $cmd"
  kit_run "$piece" "$log" env CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w $ldflags" -o "$out/bin/$cmd" "k8s.io/kubernetes/cmd/$cmd"
done
"$out/bin/kube-apiserver" --version >>"$log" 2>&1 || kit_die "$piece" "kube-apiserver --version failed"
touch "$out/.done"
kit_log "$piece: built into $out/bin"
