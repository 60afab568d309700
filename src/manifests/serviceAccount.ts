import type * as k8s from "@pulumi/kubernetes";
import type { ManifestSpec } from "./spec";
import { type Names, objectLabels } from "./names";

type PodSpec = k8s.types.input.core.v1.PodSpec;

/** The ServiceAccount the component creates (`serviceAccount.create`), else undefined. */
export function serviceAccount(spec: ManifestSpec, names: Names): k8s.types.input.core.v1.ServiceAccount | undefined {
    if (!spec.serviceAccount.create || !spec.serviceAccount.name) return undefined;
    const annotations = spec.serviceAccount.annotations;
    return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: {
            name: spec.serviceAccount.name,
            namespace: names.namespace,
            labels: objectLabels(spec.name, spec.labels),
            ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
        },
        automountServiceAccountToken: spec.serviceAccount.automountToken,
    };
}

/**
 * Who a pod runs as and what it may pull with: its ServiceAccount (the namespace's
 * `default` unless set) with no API token unless `serviceAccount.automountToken`, and the
 * `imagePullSecrets`.
 */
export function podIdentity(spec: Pick<ManifestSpec, "serviceAccount" | "imagePullSecrets">):
    Pick<PodSpec, "serviceAccountName" | "automountServiceAccountToken" | "imagePullSecrets"> {
    return {
        ...(spec.serviceAccount.name ? { serviceAccountName: spec.serviceAccount.name } : {}),
        automountServiceAccountToken: spec.serviceAccount.automountToken,
        ...(spec.imagePullSecrets.length > 0 ? { imagePullSecrets: spec.imagePullSecrets.map((name) => ({ name })) } : {}),
    };
}
