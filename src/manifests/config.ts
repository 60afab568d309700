import type * as k8s from "@pulumi/kubernetes";
import type { ManifestSpec } from "./spec";
import { type Names, objectLabels } from "./names";
import { createHash } from "crypto";
import { EXPORTER_PASSWORD_FILE_KEY, PREVIOUS_PASSWORD_SHA256_KEY, QUORUM_FILE, REDIS_HOSTS_FILE, SENTINEL_HOSTS_FILE } from "./containers";

/** Stands in for the password wherever manifests are shown (`npm run render`). */
export const REDACTED = "<redacted: a Pulumi secret>";

/**
 * The keys of the auth Secret: `password`, the SHA-256 of the earlier passwords a rotation
 * keeps accepted ({@link PREVIOUS_PASSWORD_SHA256_KEY}), and with metrics on the exporter's
 * password file (see `exporterPasswordFile`). `content(key)` gives each value.
 */
export function authSecretData<T>(spec: Pick<ManifestSpec, "metrics">, content: (key: string) => T): Record<string, T> {
    const keys = ["password", PREVIOUS_PASSWORD_SHA256_KEY, ...(spec.metrics.enabled ? [EXPORTER_PASSWORD_FILE_KEY] : [])];
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

/**
 * The scripts every container runs, shipped as the exact files the tests run, the
 * host lists of both sets ({@link REDIS_HOSTS_FILE}, {@link SENTINEL_HOSTS_FILE}) and the
 * Sentinel quorum ({@link QUORUM_FILE}). The scripts read those at use time, so no pod
 * template holds them and a scale rolls no pod. A change of this data replaces the ConfigMap
 * (the kubernetes provider treats ConfigMap data as immutable unless its
 * `enableConfigMapMutable` flag is on): README, Known limits.
 */
export function scriptsConfigMap(spec: ManifestSpec, names: Names, scripts: Record<string, string>): k8s.types.input.core.v1.ConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: names.configMap, namespace: names.namespace, labels: objectLabels(spec.name, spec.labels) },
        data: {
            ...scripts,
            [REDIS_HOSTS_FILE]: names.redisHosts.join("\n") + "\n",
            [SENTINEL_HOSTS_FILE]: names.sentinelHosts.join("\n") + "\n",
            [QUORUM_FILE]: `${spec.quorum}\n`,
        },
    };
}

/**
 * sha256 of the scripts (file names and contents): the pod templates carry it
 * ({@link SCRIPTS_CHECKSUM_ANNOTATION}), so a change of the scripts rolls the sets instead
 * of reaching running containers only through their probes and preStop hook.
 */
export function scriptsChecksum(scripts: Record<string, string>): string {
    const h = createHash("sha256");
    for (const name of Object.keys(scripts).sort()) h.update(`${name}\0${scripts[name]}\0`);
    return h.digest("hex");
}

/** Pod template annotation holding {@link scriptsChecksum}. */
export const SCRIPTS_CHECKSUM_ANNOTATION = "redis-sentinel.pulumi.com/scripts-sha256";
