import type * as k8s from "@pulumi/kubernetes";
import type { ManifestSpec } from "./spec";
import { type Names, objectLabels } from "./names";

/** Stands in for the password wherever manifests are shown (`npm run render`). */
export const REDACTED = "<redacted: a Pulumi secret>";

/** The auth Secret. The password here is {@link REDACTED}; the component puts the real secret in. */
export function authSecret(spec: ManifestSpec, names: Names): k8s.types.input.core.v1.Secret {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: names.secret, namespace: names.namespace, labels: objectLabels(spec.name, spec.labels) },
        type: "Opaque",
        stringData: { password: REDACTED },
    };
}

/** The scripts every container runs, shipped as the exact files the tests run. */
export function scriptsConfigMap(spec: ManifestSpec, names: Names, scripts: Record<string, string>): k8s.types.input.core.v1.ConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: names.configMap, namespace: names.namespace, labels: objectLabels(spec.name, spec.labels) },
        data: { ...scripts },
    };
}
