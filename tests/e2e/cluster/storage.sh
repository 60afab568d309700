#!/bin/sh
# storage.sh RUN_DIR: the default StorageClass `rs-e2e-local` (no provisioner, bound when
# a pod is scheduled) and E2E_LOCAL_VOLUMES `local` PersistentVolumes on the node, each a
# directory of RUN_DIR/volumes. The kubelet applies the pods' fsGroup to local volumes,
# as it does to a cloud disk.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../kit/versions.sh"
. "$here/config.sh"
run=${1:?usage: storage.sh RUN_DIR}
kubectl="$KIT_CACHE/k8s-$KIT_K8S_VERSION/bin/kubectl --kubeconfig $run/admin.kubeconfig"
{
  cat <<SC
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: rs-e2e-local
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
SC
  i=1
  while [ "$i" -le "$E2E_LOCAL_VOLUMES" ]; do
    mkdir -p "$run/volumes/pv$i"
    cat <<PV
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: rs-e2e-pv$i}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: rs-e2e-local
  local: {path: $run/volumes/pv$i}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [$E2E_NODE_NAME]}
PV
    i=$((i + 1))
  done
} >"$run/storage.yaml"
# shellcheck disable=SC2086
$kubectl apply -f "$run/storage.yaml" >"$run/logs/storage.log" 2>&1 || {
  cat "$run/logs/storage.log" >&2
  exit 1
}
