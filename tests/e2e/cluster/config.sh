# shellcheck shell=sh disable=SC2034
# The e2e cluster's names and addresses (RFC 2544's 198.18.0.0/15: on this machine only).
E2E_BRIDGE=rse2e0
E2E_NODE_NAME=rs-e2e-node
E2E_NODE_IP=198.18.0.1
E2E_POD_CIDR=198.18.0.0/24
E2E_POD_RANGE_START=198.18.0.10
E2E_SERVICE_CIDR=198.19.0.0/24
E2E_CLUSTER_DOMAIN=cluster.local
E2E_ETCD_PORT=23790
E2E_ETCD_PEER_PORT=23800
E2E_LOCAL_VOLUMES=40
# Kernel settings the node may change; up.sh records them and down.sh puts them back.
E2E_SYSCTLS="net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.ipv4.conf.all.route_localnet vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes"
