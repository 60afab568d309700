import type * as k8s from "@pulumi/kubernetes";
import type { ManifestSpec } from "./spec";
import { type Names, objectLabels } from "./names";

type EnvVar = k8s.types.input.core.v1.EnvVar;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** Where the certificate Secret is mounted in every Redis, Sentinel and exporter container. */
export const TLS_DIR = "/tls";
export const TLS_VOLUME = "tls";
/** The Secret keys the pods read (kubernetes.io/tls plus the CA, as cert-manager writes them). */
export const TLS_KEYS = { cert: "tls.crt", key: "tls.key", ca: "ca.crt" } as const;

/** A cert-manager `Certificate` (cert-manager.io/v1), declared as a CustomResource. */
export interface CertificateManifest {
    apiVersion: "cert-manager.io/v1";
    kind: "Certificate";
    metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
    spec: {
        secretName: string;
        issuerRef: { kind: string; name: string; group: string };
        commonName: string;
        dnsNames: string[];
        usages: string[];
        secretTemplate: { labels: Record<string, string> };
    };
}

/**
 * The names a server certificate must carry: every pod of both sets and the seed (one wildcard
 * under the headless Service, so a scale needs no new certificate), and the Sentinel Service
 * (its FQDN and the short forms a client in the namespace may use).
 */
export function certificateDnsNames(names: Names): string[] {
    const svc = names.sentinelService;
    return [`*.${names.headlessDomain}`, names.sentinelServiceHost, `${svc}.${names.namespace}.svc`, `${svc}.${names.namespace}`, svc];
}

/** The Secret the pods mount with TLS on (the given one, or the Certificate's). */
export function tlsSecretName(spec: ManifestSpec): string | undefined {
    return spec.tls.enabled ? spec.tls.secretName : undefined;
}

/** The cert-manager Certificate (TLS on with `tls.issuer`), else undefined. */
export function certificate(spec: ManifestSpec, names: Names): CertificateManifest | undefined {
    const issuer = spec.tls.issuer;
    if (!spec.tls.enabled || !issuer || !spec.tls.secretName) return undefined;
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: {
            name: spec.tls.secretName,
            namespace: names.namespace,
            labels: objectLabels(spec.name, spec.labels),
            // pulumi-kubernetes waits for the condition (the Secret is issued) before the pods that mount it.
            annotations: { "pulumi.com/waitFor": "condition=Ready" },
        },
        spec: {
            secretName: spec.tls.secretName,
            issuerRef: { kind: issuer.kind, name: issuer.name, group: issuer.group },
            commonName: names.sentinelServiceHost,
            dnsNames: certificateDnsNames(names),
            // Servers present it; replicas and Sentinels present it when they connect out.
            usages: ["server auth", "client auth", "digital signature", "key encipherment"],
            secretTemplate: { labels: objectLabels(spec.name, spec.labels) },
        },
    };
}

/** Environment of the scripts with TLS on (common.sh: RS_TLS, RS_TLS_DIR). */
export function tlsEnv(spec: ManifestSpec): EnvVar[] {
    return spec.tls.enabled ? [{ name: "RS_TLS", value: "yes" }, { name: "RS_TLS_DIR", value: TLS_DIR }] : [];
}

/** The certificate volume of a pod (TLS on). Group-readable: the containers run as group 999 (fsGroup). */
export function tlsVolumes(spec: ManifestSpec): Volume[] {
    const secretName = tlsSecretName(spec);
    if (!secretName) return [];
    return [{
        name: TLS_VOLUME,
        secret: {
            secretName,
            items: [TLS_KEYS.cert, TLS_KEYS.key, TLS_KEYS.ca].map((key) => ({ key, path: key })),
            defaultMode: 0o440,
        },
    }];
}

export function tlsMounts(spec: ManifestSpec): VolumeMount[] {
    return spec.tls.enabled ? [{ name: TLS_VOLUME, mountPath: TLS_DIR, readOnly: true }] : [];
}

/** redis-cli's options for the container's own server (probes): TLS, the server checked against the CA. */
export function cliTlsArgs(spec: ManifestSpec): string {
    return spec.tls.enabled ? ` --tls --cacert ${TLS_DIR}/${TLS_KEYS.ca}` : "";
}
