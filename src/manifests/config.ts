import type * as k8s from "@pulumi/kubernetes";
import type { ManifestSpec } from "./spec";
import { type Names, objectLabels } from "./names";
import { EXPORTER_PASSWORD_FILE_KEY } from "./containers";

/** Stands in for the password wherever manifests are shown (`npm run render`). */
export const REDACTED = "<redacted: a Pulumi secret>";

/**
 * The keys of the auth Secret: `password`, and with metrics on the exporter's password file
 * (see `exporterPasswordFile`). `content(key)` gives each value.
 */
export function authSecretData<T>(spec: Pick<ManifestSpec, "metrics">, content: (key: string) => T): Record<string, T> {
    const keys = ["password", ...(spec.metrics.enabled ? [EXPORTER_PASSWORD_FILE_KEY] : [])];
    return Object.fromEntries(keys.map((key) => [key, content(key)]));
}

/** The auth Secret. Its values here are {@link REDACTED}; the component puts the real secrets in. */
export function authSecret(spec: ManifestSpec, names: Names): k8s.types.input.core.v1.Secret {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: names.secret, namespace: names.namespace, labels: objectLabels(spec.name, spec.labels) },
        type: "Opaque",
        stringData: authSecretData(spec, () => REDACTED),
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
