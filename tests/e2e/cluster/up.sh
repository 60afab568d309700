#!/bin/sh
# Starts a one-node Kubernetes cluster from the e2e kit's binaries, every piece a real
# one: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd + runc
# + the CNI bridge plugin, a real kubelet, kube-proxy (iptables) and CoreDNS.
#
#   up.sh RUN_DIR      everything of this cluster lives in RUN_DIR (state, logs, pids);
#                      down.sh RUN_DIR removes it all again.
#
# Addresses: the node is the bridge rse2e0 at 198.18.0.1 (RFC 2544's benchmarking range,
# reachable only on this machine); pods get 198.18.0.0/24, Services 198.19.0.0/24.
# On success RUN_DIR/env holds KUBECONFIG and the addresses, for `. RUN_DIR/env`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kit="$here/../kit"
# shellcheck source=../kit/versions.sh
. "$kit/versions.sh"
# shellcheck source=../kit/lib.sh
. "$kit/lib.sh"
. "$here/config.sh"

run=${1:?usage: up.sh RUN_DIR}
mkdir -p "$run"
run=$(cd "$run" && pwd)
mkdir -p "$run/logs" "$run/pids" "$run/pki"

k8s="$KIT_CACHE/k8s-$KIT_K8S_VERSION/bin"
etcd_bin="$KIT_CACHE/etcd-$KIT_ETCD_VERSION/bin/etcd"
coredns_bin="$KIT_CACHE/coredns-$KIT_COREDNS_VERSION/bin/coredns"
images="$KIT_CACHE/images-$KIT_DEBIAN_SUITE-r$KIT_IMAGES_REV"
for f in "$k8s/kube-apiserver" "$k8s/kubelet" "$etcd_bin" "$coredns_bin" "$images/redis.tar" "$images/pause.tar"; do
  [ -e "$f" ] || kit_die "cluster" "$f is missing: run tests/e2e/kit/build.sh first"
done
for tool in containerd runc ctr openssl iptables ip; do
  command -v "$tool" >/dev/null 2>&1 || kit_die "cluster" "$tool is missing (tests/e2e/kit/build.sh installs the Debian packages)"
done

# start NAME CMD...: a daemon in the background, its pid in RUN_DIR/pids/NAME.
start() {
  name=$1
  shift
  kit_log "cluster: starting $name"
  "$@" >"$run/logs/$name.log" 2>&1 &
  echo $! >"$run/pids/$name"
}

# alive NAME: the daemon NAME still runs; else stop with the end of its log.
alive() {
  kill -0 "$(cat "$run/pids/$1")" 2>/dev/null && return 0
  tail -n 15 "$run/logs/$1.log" >&2
  kit_die "cluster" "$1 exited (log: $run/logs/$1.log)"
}

# wait_for WHAT SECONDS DAEMON CMD...: polls CMD until it succeeds, while DAEMON runs.
wait_for() {
  what=$1 limit=$2 daemon=$3
  shift 3
  i=0
  until "$@" >/dev/null 2>&1; do
    alive "$daemon"
    i=$((i + 1))
    [ "$i" -le "$((limit * 2))" ] || kit_die "cluster" "timed out after ${limit}s waiting for $what (logs: $run/logs)"
    sleep 0.5
  done
}

# Another cluster (or a leftover of one) would take these addresses.
if ip addr show 2>/dev/null | grep -q "inet $E2E_NODE_IP/" || ss -ltn 2>/dev/null | grep -Eq ":(6443|$E2E_ETCD_PORT|10250) "; then
  kit_die "cluster" "$E2E_NODE_IP, port 6443, $E2E_ETCD_PORT or 10250 is already in use: another e2e cluster runs (stop it with tests/e2e/cluster/down.sh RUN_DIR)"
fi

# --- network: the node's bridge -------------------------------------------------------
kit_log "cluster: bridge $E2E_BRIDGE at $E2E_NODE_IP"
ip link show "$E2E_BRIDGE" >/dev/null 2>&1 || ip link add "$E2E_BRIDGE" type bridge
ip addr replace "$E2E_NODE_IP/24" dev "$E2E_BRIDGE"
ip link set "$E2E_BRIDGE" up
# The kernel settings the node changes (ours, kube-proxy's, the kubelet's), restored by down.sh.
for key in $E2E_SYSCTLS; do
  printf '%s=%s\n' "$key" "$(sysctl -n "$key" 2>/dev/null)"
done >"$run/sysctl.before"
sysctl -qw net.ipv4.ip_forward=1
sysctl -qw net.bridge.bridge-nf-call-iptables=1

# --- PKI --------------------------------------------------------------------------------
sh "$here/pki.sh" "$run/pki"

kubeconfig() { # kubeconfig FILE CERT KEY
  cat >"$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: rs-e2e
  cluster:
    server: https://$E2E_NODE_IP:6443
    certificate-authority: $run/pki/ca.crt
users:
- name: user
  user:
    client-certificate: $2
    client-key: $3
contexts:
- name: rs-e2e
  context: {cluster: rs-e2e, user: user}
current-context: rs-e2e
KC
}
kubeconfig "$run/admin.kubeconfig" "$run/pki/admin.crt" "$run/pki/admin.key"
kubeconfig "$run/kubelet.kubeconfig" "$run/pki/node.crt" "$run/pki/node.key"
kctl() { "$k8s/kubectl" --kubeconfig "$run/admin.kubeconfig" "$@"; }

# --- control plane ----------------------------------------------------------------------
start etcd "$etcd_bin" --name rs-e2e --data-dir "$run/etcd" \
  --listen-client-urls "http://127.0.0.1:$E2E_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$E2E_ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$E2E_ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$E2E_ETCD_PEER_PORT" \
  --initial-cluster "rs-e2e=http://127.0.0.1:$E2E_ETCD_PEER_PORT" --listen-metrics-urls "" \
  --quota-backend-bytes 1073741824 --unsafe-no-fsync
start kube-apiserver "$k8s/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$E2E_ETCD_PORT" \
  --advertise-address "$E2E_NODE_IP" --bind-address "$E2E_NODE_IP" --secure-port 6443 \
  --service-cluster-ip-range "$E2E_SERVICE_CIDR" \
  --client-ca-file "$run/pki/ca.crt" \
  --tls-cert-file "$run/pki/apiserver.crt" --tls-private-key-file "$run/pki/apiserver.key" \
  --kubelet-client-certificate "$run/pki/apiserver-kubelet.crt" --kubelet-client-key "$run/pki/apiserver-kubelet.key" \
  --service-account-issuer "https://kubernetes.default.svc.$E2E_CLUSTER_DOMAIN" \
  --service-account-key-file "$run/pki/sa.pub" --service-account-signing-key-file "$run/pki/sa.key" \
  --authorization-mode Node,RBAC --allow-privileged=true \
  --kubelet-preferred-address-types InternalIP,Hostname \
  --profiling=false
wait_for "kube-apiserver /readyz" 120 kube-apiserver kctl get --raw /readyz
start kube-controller-manager "$k8s/kube-controller-manager" \
  --kubeconfig "$run/admin.kubeconfig" --bind-address 127.0.0.1 \
  --service-account-private-key-file "$run/pki/sa.key" --root-ca-file "$run/pki/ca.crt" \
  --cluster-signing-cert-file "$run/pki/ca.crt" --cluster-signing-key-file "$run/pki/ca.key" \
  --service-cluster-ip-range "$E2E_SERVICE_CIDR" --use-service-account-credentials=false \
  --controllers '*,-nodeipam,-cloud-node-lifecycle,-service,-route' --profiling=false
start kube-scheduler "$k8s/kube-scheduler" --kubeconfig "$run/admin.kubeconfig" \
  --bind-address 127.0.0.1 --profiling=false

# --- node: containerd, CNI, kubelet, kube-proxy -------------------------------------------
mkdir -p "$run/containerd" "$run/cni/net.d" "$run/cni/ipam"
# down.sh removes only the pod network namespaces made after this point.
ls /var/run/netns 2>/dev/null >"$run/netns.before" || :
cat >"$run/containerd/config.toml" <<TOML
version = 2
root = "$run/containerd/root"
state = "$run/containerd/state"
[grpc]
  address = "$run/containerd/containerd.sock"
[ttrpc]
  address = "$run/containerd/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$KIT_PAUSE_IMAGE"
  enable_unprivileged_ports = true
  # This machine refuses lowering oom_score_adj (no CAP_SYS_RESOURCE over it): keep the
  # containers at containerd's own value or above.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$run/cni/net.d"
TOML
cat >"$run/cni/net.d/10-rs-e2e.conflist" <<CNI
{
  "cniVersion": "0.4.0",
  "name": "rs-e2e",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$E2E_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$run/cni/ipam",
        "ranges": [[{ "subnet": "$E2E_POD_CIDR", "rangeStart": "$E2E_POD_RANGE_START", "gateway": "$E2E_NODE_IP" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "loopback" }
  ]
}
CNI
start containerd containerd --config "$run/containerd/config.toml"
wait_for "containerd" 30 containerd ctr --address "$run/containerd/containerd.sock" version
for image in pause redis; do
  kit_log "cluster: importing the $image image"
  name=$KIT_PAUSE_IMAGE
  [ "$image" = redis ] && name=$KIT_REDIS_IMAGE
  ctr --address "$run/containerd/containerd.sock" -n k8s.io images import \
    --base-name "${name%:*}" "$images/$image.tar" >>"$run/logs/images.log" 2>&1 ||
    kit_die "cluster" "ctr images import $images/$image.tar failed (log: $run/logs/images.log)"
done

# Pods live inside this job's own memory cgroup: never touch cgroups outside it.
cgroup_root=$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/self/cgroup)
[ -n "$cgroup_root" ] || cgroup_root=/
# The kubelet wants cgroupRoot in every hierarchy: create it in those that lack it (a new
# cpuset cgroup gets its parent's cpus and mems). down.sh removes what is listed here.
: >"$run/cgroups.created"
for h in /sys/fs/cgroup/*; do
  [ "$(basename "$h")" = unified ] && continue
  path=$h
  for part in $(echo "$cgroup_root" | tr '/' ' '); do
    parent=$path
    path=$path/$part
    [ -d "$path" ] && continue
    mkdir "$path" || kit_die "cluster" "cannot create the cgroup $path"
    echo "$path" >>"$run/cgroups.created"
    if [ -f "$parent/cpuset.cpus" ]; then
      cat "$parent/cpuset.cpus" >"$path/cpuset.cpus"
      cat "$parent/cpuset.mems" >"$path/cpuset.mems"
    fi
  done
  echo "$path/kubepods" >>"$run/cgroups.created"
done
: >"$run/resolv.conf"
cat >"$run/kubelet.yaml" <<KUBELET
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $E2E_NODE_IP
port: 10250
healthzBindAddress: 127.0.0.1
healthzPort: 10248
readOnlyPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $run/pki/ca.crt}
authorization: {mode: AlwaysAllow}
tlsCertFile: $run/pki/kubelet.crt
tlsPrivateKeyFile: $run/pki/kubelet.key
cgroupDriver: cgroupfs
cgroupRoot: $cgroup_root
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$run/containerd/containerd.sock
clusterDNS: [$E2E_NODE_IP]
clusterDomain: $E2E_CLUSTER_DOMAIN
resolvConf: $run/resolv.conf
protectKernelDefaults: false
makeIPTablesUtilChains: false
localStorageCapacityIsolation: true
imageGCHighThresholdPercent: 100
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
serializeImagePulls: false
syncFrequency: 10s
fileCheckFrequency: 10s
KUBELET
start kubelet "$k8s/kubelet" --config "$run/kubelet.yaml" --kubeconfig "$run/kubelet.kubeconfig" \
  --root-dir "$run/kubelet" --hostname-override "$E2E_NODE_NAME" --node-ip "$E2E_NODE_IP" \
  --cert-dir "$run/pki/kubelet-certs"
cat >"$run/kube-proxy.yaml" <<PROXY
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $run/admin.kubeconfig}
mode: iptables
hostnameOverride: $E2E_NODE_NAME
bindAddress: $E2E_NODE_IP
clusterCIDR: $E2E_POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: {maxPerCore: 0}
iptables: {masqueradeAll: true}
PROXY
start kube-proxy "$k8s/kube-proxy" --config "$run/kube-proxy.yaml"
cat >"$run/Corefile" <<DNS
.:53 {
    bind $E2E_NODE_IP
    errors
    kubernetes $E2E_CLUSTER_DOMAIN in-addr.arpa {
        kubeconfig $run/admin.kubeconfig rs-e2e
        pods insecure
        ttl 5
    }
}
DNS
start coredns "$coredns_bin" -conf "$run/Corefile"

wait_for "node $E2E_NODE_NAME Ready" 180 kubelet sh -c "'$k8s/kubectl' --kubeconfig '$run/admin.kubeconfig' get node '$E2E_NODE_NAME' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
wait_for "service account default/default" 60 kube-controller-manager kctl get serviceaccount default -n default

# --- storage: a default StorageClass of local PersistentVolumes ---------------------------
sh "$here/storage.sh" "$run"

cat >"$run/env" <<ENV
export KUBECONFIG=$run/admin.kubeconfig
E2E_RUN=$run
E2E_NODE_IP=$E2E_NODE_IP
E2E_DNS=$E2E_NODE_IP
E2E_KUBECTL=$k8s/kubectl
ENV
kit_log "cluster: ready (KUBECONFIG=$run/admin.kubeconfig)"
