import * as pulumi from "@pulumi/pulumi";
import type { RedisSentinelArgs, TlsIssuerRef } from "../options/args";
import { RedisSentinelConfigError, suggestion } from "../options/validate";

/**
 * Stack config keys (declared with types and defaults in Pulumi.yaml) mapped to
 * RedisSentinel args. Pure apart from reading the config; unset keys stay undefined
 * so the component's own defaults apply. Structured keys (objects and lists, e.g.
 * `pulumi config set --path 'nodeSelector.disktype' ssd`) are read as JSON and checked
 * by the component like any arg; they have no fixed default, so Pulumi.yaml does not
 * declare them (a declared key without a default is one Pulumi requires). A value that is
 * not of the key's type is handed on as its text, for the component to refuse (see numberKey).
 */
export function argsFromConfig(config: pulumi.Config): RedisSentinelArgs {
    const persistence = {
        enabled: booleanKey(config, "persistence"),
        size: config.get("persistenceSize"),
        storageClass: config.get("storageClass"),
    };
    const sentinel = {
        downAfterMilliseconds: numberKey(config, "downAfterMilliseconds"),
        failoverTimeoutMilliseconds: numberKey(config, "failoverTimeoutMilliseconds"),
        parallelSyncs: numberKey(config, "parallelSyncs"),
    };
    const retirement = {
        enabled: booleanKey(config, "retireSeed"),
        timeoutSeconds: numberKey(config, "retirementTimeoutSeconds"),
    };
    return {
        namespace: config.get("namespace"),
        replicas: numberKey(config, "replicas"),
        sentinels: numberKey(config, "sentinels"),
        quorum: numberKey(config, "quorum"),
        allowFewerThanThreeSentinels: booleanKey(config, "allowFewerThanThreeSentinels"),
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
        networkPolicy: definedOnly({ enabled: booleanKey(config, "networkPolicy") }),
        podDisruptionBudgets: booleanKey(config, "podDisruptionBudgets"),
        dropPreviousPasswords: booleanKey(config, "dropPreviousPasswords"),
        maxmemoryPercent: numberKey(config, "maxmemoryPercent"),
        maxmemoryPolicy: config.get("maxmemoryPolicy") as RedisSentinelArgs["maxmemoryPolicy"],
        redisConfig: objectKey<RedisSentinelArgs["redisConfig"]>(config, "redisConfig"),
        sentinelConfig: objectKey<RedisSentinelArgs["sentinelConfig"]>(config, "sentinelConfig"),
        metrics: definedOnly({ enabled: booleanKey(config, "metrics"), serviceMonitor: booleanKey(config, "serviceMonitor") }),
        endpoint: definedOnly({ enabled: booleanKey(config, "masterEndpoint"), image: config.get("masterEndpointImage") }),
        // TLS: a Secret (`tlsSecret`) or a cert-manager issuer (`tlsIssuer: { kind, name }`).
        tls: definedOnly({ secretName: config.get("tlsSecret"), issuer: objectKey<TlsIssuerRef>(config, "tlsIssuer") }),
        spread: config.get("spread") as RedisSentinelArgs["spread"],
        kubeContext: config.get("kubeContext"),
        nodeSelector: objectKey<RedisSentinelArgs["nodeSelector"]>(config, "nodeSelector"),
        tolerations: objectKey<RedisSentinelArgs["tolerations"]>(config, "tolerations"),
        affinity: objectKey<RedisSentinelArgs["affinity"]>(config, "affinity"),
        priorityClassName: config.get("priorityClassName"),
        imagePullSecrets: objectKey<RedisSentinelArgs["imagePullSecrets"]>(config, "imagePullSecrets"),
        podAnnotations: objectKey<RedisSentinelArgs["podAnnotations"]>(config, "podAnnotations"),
        podLabels: objectKey<RedisSentinelArgs["podLabels"]>(config, "podLabels"),
        serviceAccount: objectKey<RedisSentinelArgs["serviceAccount"]>(config, "serviceAccount"),
    };
}

function definedOnly<T extends object>(o: T): T | undefined {
    const entries = Object.entries(o).filter(([, v]) => v !== undefined);
    return entries.length ? (Object.fromEntries(entries) as T) : undefined;
}

/** A plain decimal number, as `pulumi config set replicas 5` stores it. */
const PLAIN_NUMBER = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * A number key. Pulumi's own getNumber reads "3abc" as 3 and "0x10" as 0 (parseFloat), and
 * fails on "three" naming neither the option nor what it takes; anything but a plain finite
 * number is handed on as its text instead, and the component refuses it with every other
 * problem (`replicas` = "3abc": must be a whole number from 1 to 100).
 */
function numberKey(config: pulumi.Config, key: string): number | undefined {
    const text = config.get(key);
    if (text === undefined) return undefined;
    const value = Number(text);
    return PLAIN_NUMBER.test(text) && Number.isFinite(value) ? value : (text as unknown as number);
}

/** A boolean key: "true" or "false"; any other text is handed on for the component to refuse. */
function booleanKey(config: pulumi.Config, key: string): boolean | undefined {
    const text = config.get(key);
    if (text === "true" || text === "false") return text === "true";
    return text as unknown as boolean | undefined;
}

/** A structured key (JSON, as `pulumi config set --path` stores it); text that is no JSON is handed on for the component to refuse. */
function objectKey<T>(config: pulumi.Config, key: string): T | undefined {
    const text = config.get(key);
    if (text === undefined) return undefined;
    try {
        return JSON.parse(text) as T;
    } catch {
        return text as unknown as T;
    }
}

/** The keys argsFromConfig reads, found by running it on a config that records each key asked for and holds none. */
function keysRead(): string[] {
    const keys: string[] = [];
    const recorder = new Proxy({}, { get: () => (key: string) => void keys.push(key) }) as pulumi.Config;
    argsFromConfig(recorder);
    return keys;
}

/**
 * Keys of the program's config namespace that nothing reads: Pulumi does not refuse them
 * (most keys are optional and undeclared), so a typo such as `replica` would be ignored.
 * `alsoRead`: keys the program reads itself (the root stack: `name`).
 */
export function stackConfigKeyProblems(config: pulumi.Config, alsoRead: string[] = ["name"]): string[] {
    const known = [...alsoRead, ...keysRead()];
    const prefix = `${config.name}:`;
    return Object.keys(pulumi.runtime.allConfig())
        .filter((full) => full.startsWith(prefix) && !known.includes(full.slice(prefix.length)))
        .map((full) => {
            const key = full.slice(prefix.length);
            return `unknown stack config key \`${key}\`${suggestion(key, known).replace("known options", "known keys")}`;
        });
}

/**
 * The root stack's component name (`name`, default "redis") and args; throws
 * {@link RedisSentinelConfigError} for a key of its config namespace that nothing reads.
 */
export function rootStackArgs(config: pulumi.Config): { name: string; args: RedisSentinelArgs } {
    const name = config.get("name") ?? "redis";
    const problems = stackConfigKeyProblems(config);
    if (problems.length > 0) throw new RedisSentinelConfigError(name, problems);
    return { name, args: argsFromConfig(config) };
}
