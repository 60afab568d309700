#!/bin/sh
# pki.sh DIR: the e2e cluster's certificates (a CA, the apiserver's serving cert, client
# certs for the admin, the node and the apiserver's calls to the kubelet, the kubelet's
# serving cert) and the service-account key pair. Idempotent.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/config.sh"
dir=${1:?usage: pki.sh DIR}
mkdir -p "$dir"
cd "$dir"
[ -f .done ] && exit 0

q() { "$@" >/dev/null 2>&1 || { echo "pki: $* failed" >&2; exit 1; }; }

q openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=rs-e2e-ca"

# cert NAME SUBJECT [SAN]
cert() {
  q openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"
  if [ -n "${3:-}" ]; then
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$3" >"$1.ext"
  else
    printf 'extendedKeyUsage=clientAuth\n' >"$1.ext"
  fi
  q openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 30 -extfile "$1.ext"
  rm -f "$1.csr" "$1.ext"
}
svc_ip=$(echo "$E2E_SERVICE_CIDR" | sed 's#\.0/.*#.1#')
cert apiserver "/CN=kube-apiserver" \
  "IP:$E2E_NODE_IP,IP:$svc_ip,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$E2E_CLUSTER_DOMAIN"
cert admin "/O=system:masters/CN=rs-e2e-admin"
cert node "/O=system:nodes/CN=system:node:$E2E_NODE_NAME"
cert apiserver-kubelet "/O=system:masters/CN=kube-apiserver-kubelet-client"
cert kubelet "/CN=$E2E_NODE_NAME" "IP:$E2E_NODE_IP,DNS:$E2E_NODE_NAME"
q openssl genrsa -out sa.key 2048
q openssl rsa -in sa.key -pubout -out sa.pub
touch .done
