import * as pulumi from "@pulumi/pulumi";
import type { RedisSentinelArgs, TlsIssuerRef } from "../options/args";

/**
 * Stack config keys (declared with types and defaults in Pulumi.yaml) mapped to
 * RedisSentinel args. Pure apart from reading the config; unset keys stay undefined
 * so the component's own defaults apply. Structured keys (objects and lists, e.g.
 * `pulumi config set --path 'nodeSelector.disktype' ssd`) are read as JSON and checked
 * by the component like any arg; they have no fixed default, so Pulumi.yaml does not
 * declare them (a declared key without a default is one Pulumi requires).
 */
export function argsFromConfig(config: pulumi.Config): RedisSentinelArgs {
    const persistence = {
        enabled: config.getBoolean("persistence"),
        size: config.get("persistenceSize"),
        storageClass: config.get("storageClass"),
    };
    const sentinel = {
        downAfterMilliseconds: config.getNumber("downAfterMilliseconds"),
        failoverTimeoutMilliseconds: config.getNumber("failoverTimeoutMilliseconds"),
        parallelSyncs: config.getNumber("parallelSyncs"),
    };
    const retirement = {
        enabled: config.getBoolean("retireSeed"),
        timeoutSeconds: config.getNumber("retirementTimeoutSeconds"),
    };
    return {
        namespace: config.get("namespace"),
        replicas: config.getNumber("replicas"),
        sentinels: config.getNumber("sentinels"),
        quorum: config.getNumber("quorum"),
        allowFewerThanThreeSentinels: config.getBoolean("allowFewerThanThreeSentinels"),
        masterName: config.get("masterName"),
        image: config.get("image"),
        // Read as text so that the component checks it before it registers anything (a
        // secret Output would only be checked once resolved, after other children exist);
        // the component keeps it a secret on the wire, in the state and in its outputs.
        password: config.get("password"),
        clusterDomain: config.get("clusterDomain"),
        persistence: definedOnly(persistence),
        sentinel: definedOnly(sentinel),
        retirement: definedOnly(retirement),
        networkPolicy: definedOnly({ enabled: config.getBoolean("networkPolicy") }),
        podDisruptionBudgets: config.getBoolean("podDisruptionBudgets"),
        dropPreviousPasswords: config.getBoolean("dropPreviousPasswords"),
        maxmemoryPercent: config.getNumber("maxmemoryPercent"),
        maxmemoryPolicy: config.get("maxmemoryPolicy") as RedisSentinelArgs["maxmemoryPolicy"],
        redisConfig: config.getObject<RedisSentinelArgs["redisConfig"]>("redisConfig"),
        sentinelConfig: config.getObject<RedisSentinelArgs["sentinelConfig"]>("sentinelConfig"),
        metrics: definedOnly({ enabled: config.getBoolean("metrics"), serviceMonitor: config.getBoolean("serviceMonitor") }),
        endpoint: definedOnly({ enabled: config.getBoolean("masterEndpoint"), image: config.get("masterEndpointImage") }),
        // TLS: a Secret (`tlsSecret`) or a cert-manager issuer (`tlsIssuer: { kind, name }`).
        tls: definedOnly({ secretName: config.get("tlsSecret"), issuer: config.getObject<TlsIssuerRef>("tlsIssuer") }),
        spread: config.get("spread") as RedisSentinelArgs["spread"],
        kubeContext: config.get("kubeContext"),
        nodeSelector: config.getObject<RedisSentinelArgs["nodeSelector"]>("nodeSelector"),
        tolerations: config.getObject<RedisSentinelArgs["tolerations"]>("tolerations"),
        affinity: config.getObject<RedisSentinelArgs["affinity"]>("affinity"),
        priorityClassName: config.get("priorityClassName"),
        imagePullSecrets: config.getObject<RedisSentinelArgs["imagePullSecrets"]>("imagePullSecrets"),
        podAnnotations: config.getObject<RedisSentinelArgs["podAnnotations"]>("podAnnotations"),
        podLabels: config.getObject<RedisSentinelArgs["podLabels"]>("podLabels"),
        serviceAccount: config.getObject<RedisSentinelArgs["serviceAccount"]>("serviceAccount"),
    };
}

function definedOnly<T extends object>(o: T): T | undefined {
    const entries = Object.entries(o).filter(([, v]) => v !== undefined);
    return entries.length ? (Object.fromEntries(entries) as T) : undefined;
}
