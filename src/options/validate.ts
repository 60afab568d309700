import { z } from "zod";
import type * as pulumi from "@pulumi/pulumi";
import { type ContainerResources, MAXMEMORY_POLICIES, type MaxmemoryPolicy, type RedisSentinelArgs, type SpreadLevel } from "./args";
import { parseQuantity } from "./quantity";
import { DEFAULTS, majority } from "./defaults";
import { DNS1035_LABEL, DNS1123_LABEL, DNS1123_SUBDOMAIN, isDnsName, isLabelKey, labelMap, objectName } from "./kubeNames";
import { IMAGE_REFERENCE_RULE, isImageReference } from "./imageRef";
import { type Affinity, type Toleration, affinitySchema, tolerationsSchema } from "./scheduling";
import { type ConfigDirectives, redisConfigProblems, redisConfigSchema, sentinelConfigProblems, sentinelConfigSchema } from "./extraConfig";
import { volumeHeadroomProblems } from "./headroom";

/** Every option, defaults applied and checked. Inputs that may be unknown at preview stay Inputs. */
export interface ResolvedSpec {
    name: string;
    namespace: pulumi.Input<string>;
    replicas: number;
    sentinels: number;
    masterName: string;
    quorum: number;
    image: string;
    imagePullPolicy: "Always" | "IfNotPresent" | "Never";
    password?: pulumi.Input<string>;
    clusterDomain: string;
    redisResources: ContainerResources;
    sentinelResources: ContainerResources;
    maxmemoryPercent: number;
    maxmemoryPolicy: MaxmemoryPolicy;
    /** Extra redis.conf / sentinel.conf directives (checked: none the component manages). */
    redisConfig: ConfigDirectives;
    sentinelConfig: ConfigDirectives;
    persistence: { enabled: boolean; size: string; sentinelSize: string; storageClass?: string };
    sentinel: { downAfterMilliseconds: number; failoverTimeoutMilliseconds: number; parallelSyncs: number };
    retirement: { enabled: boolean; timeoutSeconds: number };
    networkPolicy: { enabled: boolean; clientLabels: Record<string, string>; clientNamespaceLabels?: Record<string, string> };
    metrics: {
        enabled: boolean;
        image: string;
        resources: ContainerResources;
        serviceMonitor: boolean;
        serviceMonitorLabels: Record<string, string>;
        scrapeInterval?: string;
        scrapeNamespaceLabels: Record<string, string>;
        scrapePodLabels: Record<string, string>;
    };
    /** `secretName`: the Secret the pods mount (the given one, or the Certificate's); set when enabled. */
    tls: { enabled: boolean; secretName?: string; issuer?: { kind: "Issuer" | "ClusterIssuer"; name: string; group: string } };
    endpoint: { enabled: boolean; image: string; replicas: number; resources: ContainerResources; maxConnections: number };
    podDisruptionBudgets: boolean;
    dropPreviousPasswords: boolean;
    spread: { zone: SpreadLevel; node: SpreadLevel };
    labels: Record<string, string>;
    kubeconfig?: pulumi.Input<string>;
    kubeContext?: string;
    nodeSelector: Record<string, string>;
    tolerations: Toleration[];
    affinity?: Affinity;
    priorityClassName?: string;
    imagePullSecrets: string[];
    podAnnotations: Record<string, string>;
    podLabels: Record<string, string>;
    /** `name`: the ServiceAccount the pods run as (given, or the created one's); unset: the namespace's `default`. */
    serviceAccount: { create: boolean; name?: string; annotations: Record<string, string>; automountToken: boolean };
}

/** Pod labels the component sets and selects pods by: `podLabels` may not set them. */
export const MANAGED_POD_LABELS = [
    "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component", "app.kubernetes.io/managed-by",
    "redis-sentinel.pulumi.com/redis", "redis-sentinel.pulumi.com/sentinel",
];
/** Pod annotations the component sets with metrics on. */
export const MANAGED_SCRAPE_ANNOTATIONS = ["prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path"];

/** Raised for invalid options, before any resource is registered. */
export class RedisSentinelConfigError extends Error {
    constructor(component: string, public readonly problems: string[]) {
        super(`RedisSentinel "${component}": invalid configuration:\n  - ${problems.join("\n  - ")}`);
        this.name = "RedisSentinelConfigError";
    }
}

/** prometheus-operator's Duration pattern (monitoring.coreos.com/v1). */
const PROMETHEUS_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const MASTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/**
 * The longest name derived from the component name is the Sentinel StatefulSet
 * `<name>-sentinel`, which Kubernetes caps at 52 characters (its pods get a
 * `controller-revision-hash` label that holds the set name plus a hash).
 */
export const MAX_NAME_LENGTH = 52 - "-sentinel".length;

function count(min: number, max: number) {
    const error = `must be a whole number from ${min} to ${max}`;
    return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** Whether `text` parses as a quantity (k8s.io/apimachinery's grammar). */
function isQuantity(text: string): boolean {
    try {
        parseQuantity(text);
        return true;
    } catch {
        return false;
    }
}

/** A resource quantity: the API server's grammar, and not negative. */
function quantity() {
    const error = 'must be a Kubernetes quantity such as "512Mi", "1Gi" or "250m"';
    return z.string({ error }).refine(isQuantity, { error })
        .refine((v) => !isQuantity(v) || parseQuantity(v) >= 0, { error: "must not be negative" });
}

/** A volume size: a quantity the API server accepts for a claim (above zero), 1Mi at least. */
function volumeSize() {
    const error = 'must be a storage size of at least 1Mi, such as "1Gi" or "512Mi"';
    const atLeast1Mi = (v: string) => {
        try {
            return parseQuantity(v) >= 2 ** 20;
        } catch {
            return true; // not a quantity: quantity() has said so already
        }
    };
    return quantity().refine(atLeast1Mi, { error });
}

function isInputLike(value: unknown): boolean {
    if (typeof value === "string") return true;
    if (value === null || typeof value !== "object") return false;
    // pulumi.Output and Promise: checked when their value is known.
    return "apply" in value || "then" in value;
}

function input(what: string) {
    return z.custom<pulumi.Input<string>>(isInputLike, { error: `must be a string, a pulumi Output or a Promise (${what})` });
}

function imageRef() {
    return z.string({ error: "must be a string" }).refine(isImageReference, { error: IMAGE_REFERENCE_RULE });
}

/** A nested group of options: unknown keys are errors, and a non-object says what is expected. */
function section<T extends z.ZodRawShape>(shape: T, example: string) {
    return z.object(shape, { error: `must be an object such as ${example}` }).strict();
}

function resources() {
    const pair = section({ cpu: quantity().optional(), memory: quantity().optional() }, '{ cpu: "100m", memory: "128Mi" }');
    return section({ requests: pair.optional(), limits: pair.optional() }, '{ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } }');
}

/** The API server's limit on all annotations of one object together. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** Annotations: qualified-name keys, any string values, 256 KiB in all. */
function annotationMap() {
    return z.record(z.string(), z.string({ error: "annotation values must be strings" }), {
        error: 'must be a map of annotation names to values such as { "example.com/team": "cache" }',
    }).superRefine((annotations, ctx) => {
        for (const key of Object.keys(annotations)) {
            if (!isLabelKey(key)) {
                ctx.addIssue({ code: "custom", path: [key], message: "annotation keys must be [prefix/]name with name up to 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric" });
            }
        }
        const size = Object.entries(annotations).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
        if (size > ANNOTATIONS_MAX_BYTES) ctx.addIssue({ code: "custom", message: `must be at most 256 KiB in all (keys and values), not ${size} bytes` });
    });
}

function noDuplicates(values: string[], ctx: z.RefinementCtx): void {
    const seen = new Set<string>();
    values.forEach((v, i) => {
        if (seen.has(v)) ctx.addIssue({ code: "custom", path: [i], message: "is listed twice" });
        seen.add(v);
    });
}

const SPREAD_LEVELS = ["soft", "hard", "none"] as const;

/** `spread`: a shorthand for both levels, or `{ zone?, node? }`. */
function spreadSchema() {
    const level = z.enum(SPREAD_LEVELS, { error: 'must be "soft", "hard" or "none"' });
    const levels = z.object({ zone: level.optional(), node: level.optional() }, {
        error: 'must be "soft", "hard" or "none", or an object such as { zone: "hard", node: "soft" }',
    }).strict();
    return z.preprocess((v) => (typeof v === "string" && (SPREAD_LEVELS as readonly string[]).includes(v) ? { zone: v, node: v } : v), levels);
}

const argsSchema = z.object({
    namespace: input("a namespace name").optional(),
    replicas: count(1, 100).optional(),
    sentinels: count(1, 15).optional(),
    masterName: z.string({ error: "must be a string" })
        .regex(MASTER_NAME, { error: "must be 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit" }).optional(),
    quorum: count(1, 15).optional(),
    allowFewerThanThreeSentinels: z.boolean({ error: "must be true or false" }).optional(),
    image: imageRef().optional(),
    imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"], { error: 'must be "Always", "IfNotPresent" or "Never"' }).optional(),
    password: input("the password").optional(),
    clusterDomain: z.string({ error: "must be a string" }).refine(isDnsName, {
        error: "must be a DNS name such as cluster.local: lower-case labels of letters, digits and '-', each at most 63 characters, 253 in all",
    }).optional(),
    redisResources: resources().optional(),
    sentinelResources: resources().optional(),
    maxmemoryPercent: count(10, 95).optional(),
    maxmemoryPolicy: z.enum(MAXMEMORY_POLICIES, { error: `must be one of Redis's maxmemory policies: ${MAXMEMORY_POLICIES.map((p) => `"${p}"`).join(", ")}` }).optional(),
    redisConfig: redisConfigSchema.optional(),
    sentinelConfig: sentinelConfigSchema.optional(),
    persistence: section({
        enabled: z.boolean({ error: "must be true or false" }).optional(),
        size: volumeSize().optional(),
        sentinelSize: volumeSize().optional(),
        storageClass: z.string({ error: "must be a string" }).max(253, { error: "must be a StorageClass name (lower-case DNS subdomain), at most 253 characters" })
            .regex(DNS1123_SUBDOMAIN, { error: "must be a StorageClass name (lower-case DNS subdomain), at most 253 characters" }).optional(),
    }, '{ enabled: true, size: "1Gi" }').optional(),
    sentinel: section({
        downAfterMilliseconds: count(100, 3_600_000).optional(),
        failoverTimeoutMilliseconds: count(1000, 86_400_000).optional(),
        parallelSyncs: count(1, 100).optional(),
    }, "{ downAfterMilliseconds: 5000 }").optional(),
    retirement: section({
        enabled: z.boolean({ error: "must be true or false" }).optional(),
        timeoutSeconds: count(10, 86_400).optional(),
    }, "{ enabled: true, timeoutSeconds: 600 }").optional(),
    networkPolicy: section({
        enabled: z.boolean({ error: "must be true or false" }).optional(),
        clientLabels: labelMap().optional(),
        clientNamespaceLabels: labelMap().optional(),
    }, '{ enabled: true, clientLabels: { app: "web" } }').optional(),
    metrics: section({
        enabled: z.boolean({ error: "must be true or false" }).optional(),
        image: imageRef().optional(),
        resources: resources().optional(),
        serviceMonitor: z.boolean({ error: "must be true or false" }).optional(),
        serviceMonitorLabels: labelMap().optional(),
        scrapeInterval: z.string({ error: "must be a string" })
            .regex(PROMETHEUS_DURATION, { error: 'must be a Prometheus duration such as "15s", "1m" or "1m30s"' })
            .refine((d) => d !== "" && d !== "0", { error: 'must be a Prometheus duration such as "15s", "1m" or "1m30s"' }).optional(),
        scrapeNamespaceLabels: labelMap().optional(),
        scrapePodLabels: labelMap().optional(),
    }, "{ enabled: true, serviceMonitor: true }").optional(),
    endpoint: section({
        enabled: z.boolean({ error: "must be true or false" }).optional(),
        image: imageRef().optional(),
        replicas: count(1, 10).optional(),
        resources: resources().optional(),
        maxConnections: count(16, 100_000).optional(),
    }, "{ enabled: true }").optional(),
    tls: section({
        enabled: z.boolean({ error: "must be true or false" }).optional(),
        secretName: objectName("a Secret in the namespace holding tls.crt, tls.key and ca.crt").optional(),
        issuer: section({
            kind: z.enum(["Issuer", "ClusterIssuer"], { error: 'must be "Issuer" or "ClusterIssuer" (the kind of the cert-manager issuer)' }),
            name: objectName("the cert-manager Issuer or ClusterIssuer"),
            group: z.string({ error: "must be a string" })
                .regex(DNS1123_SUBDOMAIN, { error: 'must be an API group such as "cert-manager.io"' }).optional(),
        }, '{ kind: "ClusterIssuer", name: "internal-ca" }').optional(),
    }, '{ secretName: "redis-tls" } or { issuer: { kind: "ClusterIssuer", name: "internal-ca" } }').optional(),
    podDisruptionBudgets: z.boolean({ error: "must be true or false" }).optional(),
    dropPreviousPasswords: z.boolean({ error: "must be true or false" }).optional(),
    spread: spreadSchema().optional(),
    labels: labelMap().optional(),
    kubeconfig: input("kubeconfig YAML text").optional(),
    kubeContext: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).optional(),
    nodeSelector: labelMap().optional(),
    tolerations: tolerationsSchema.optional(),
    affinity: affinitySchema.optional(),
    priorityClassName: objectName("a PriorityClass").optional(),
    imagePullSecrets: z.array(objectName("a Secret in the namespace"), { error: 'must be a list of Secret names such as ["registry-credentials"]' })
        .superRefine(noDuplicates).optional(),
    podAnnotations: annotationMap().optional(),
    podLabels: labelMap().optional(),
    serviceAccount: section({
        create: z.boolean({ error: "must be true or false" }).optional(),
        name: objectName("a ServiceAccount").optional(),
        annotations: annotationMap().optional(),
        automountToken: z.boolean({ error: "must be true or false" }).optional(),
    }, '{ create: true } or { name: "redis" }').optional(),
}).strict();

type ParsedArgs = z.infer<typeof argsSchema>;

/** Checks `args` and applies the defaults; throws {@link RedisSentinelConfigError} listing every problem. */
export function resolveSpec(name: string, args: RedisSentinelArgs | undefined): ResolvedSpec {
    const raw: Record<string, unknown> = { ...(args ?? {}) };
    // `undefined` means "use the default" (handy when values come from stack config).
    for (const key of Object.keys(raw)) if (raw[key] === undefined) delete raw[key];

    const problems: string[] = [];
    problems.push(...componentNameProblems(name));
    const parsed = argsSchema.safeParse(raw);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push(describeIssue(raw, issue));
        throw new RedisSentinelConfigError(name, problems);
    }
    const spec = applyDefaults(name, parsed.data);
    problems.push(...crossFieldProblems(parsed.data, spec));
    if (typeof spec.namespace === "string") problems.push(...namespaceProblems(spec.namespace));
    if (typeof spec.password === "string") problems.push(...passwordProblems(spec.password));
    if (problems.length > 0) throw new RedisSentinelConfigError(name, problems);
    return spec;
}

function applyDefaults(name: string, a: ParsedArgs): ResolvedSpec {
    const sentinels = a.sentinels ?? DEFAULTS.sentinels;
    return {
        name,
        namespace: a.namespace ?? DEFAULTS.namespace,
        replicas: a.replicas ?? DEFAULTS.replicas,
        sentinels,
        masterName: a.masterName ?? DEFAULTS.masterName,
        quorum: a.quorum ?? majority(sentinels),
        image: a.image ?? DEFAULTS.image,
        imagePullPolicy: a.imagePullPolicy ?? DEFAULTS.imagePullPolicy,
        password: a.password,
        clusterDomain: a.clusterDomain ?? DEFAULTS.clusterDomain,
        redisResources: a.redisResources ?? structuredClone(DEFAULTS.redisResources),
        sentinelResources: a.sentinelResources ?? structuredClone(DEFAULTS.sentinelResources),
        maxmemoryPercent: a.maxmemoryPercent ?? DEFAULTS.maxmemoryPercent,
        maxmemoryPolicy: a.maxmemoryPolicy ?? DEFAULTS.maxmemoryPolicy,
        redisConfig: a.redisConfig ?? {},
        sentinelConfig: a.sentinelConfig ?? {},
        persistence: {
            enabled: a.persistence?.enabled ?? DEFAULTS.persistence.enabled,
            size: a.persistence?.size ?? DEFAULTS.persistence.size,
            sentinelSize: a.persistence?.sentinelSize ?? DEFAULTS.persistence.sentinelSize,
            storageClass: a.persistence?.storageClass,
        },
        sentinel: {
            downAfterMilliseconds: a.sentinel?.downAfterMilliseconds ?? DEFAULTS.sentinel.downAfterMilliseconds,
            failoverTimeoutMilliseconds: a.sentinel?.failoverTimeoutMilliseconds ?? DEFAULTS.sentinel.failoverTimeoutMilliseconds,
            parallelSyncs: a.sentinel?.parallelSyncs ?? DEFAULTS.sentinel.parallelSyncs,
        },
        retirement: {
            enabled: a.retirement?.enabled ?? DEFAULTS.retirement.enabled,
            timeoutSeconds: a.retirement?.timeoutSeconds ?? DEFAULTS.retirement.timeoutSeconds,
        },
        networkPolicy: {
            enabled: a.networkPolicy?.enabled ?? DEFAULTS.networkPolicy.enabled,
            clientLabels: a.networkPolicy?.clientLabels ?? { "redis-sentinel.pulumi.com/client-of": name },
            clientNamespaceLabels: a.networkPolicy?.clientNamespaceLabels,
        },
        metrics: {
            enabled: a.metrics?.enabled ?? DEFAULTS.metrics.enabled,
            image: a.metrics?.image ?? DEFAULTS.metrics.image,
            resources: a.metrics?.resources ?? structuredClone(DEFAULTS.metrics.resources),
            serviceMonitor: a.metrics?.serviceMonitor ?? DEFAULTS.metrics.serviceMonitor,
            serviceMonitorLabels: a.metrics?.serviceMonitorLabels ?? {},
            scrapeInterval: a.metrics?.scrapeInterval,
            scrapeNamespaceLabels: a.metrics?.scrapeNamespaceLabels ?? {},
            scrapePodLabels: a.metrics?.scrapePodLabels ?? { ...DEFAULTS.metrics.scrapePodLabels },
        },
        tls: tlsOf(name, a.tls),
        endpoint: {
            enabled: a.endpoint?.enabled ?? DEFAULTS.endpoint.enabled,
            image: a.endpoint?.image ?? DEFAULTS.endpoint.image,
            replicas: a.endpoint?.replicas ?? DEFAULTS.endpoint.replicas,
            resources: a.endpoint?.resources ?? structuredClone(DEFAULTS.endpoint.resources),
            maxConnections: a.endpoint?.maxConnections ?? DEFAULTS.endpoint.maxConnections,
        },
        podDisruptionBudgets: a.podDisruptionBudgets ?? DEFAULTS.podDisruptionBudgets,
        dropPreviousPasswords: a.dropPreviousPasswords ?? false,
        spread: {
            zone: a.spread?.zone ?? DEFAULTS.spread,
            node: a.spread?.node ?? DEFAULTS.spread,
        },
        labels: a.labels ?? {},
        kubeconfig: a.kubeconfig,
        kubeContext: a.kubeContext,
        nodeSelector: a.nodeSelector ?? {},
        tolerations: a.tolerations ?? [],
        affinity: a.affinity,
        priorityClassName: a.priorityClassName,
        imagePullSecrets: a.imagePullSecrets ?? [],
        podAnnotations: a.podAnnotations ?? {},
        podLabels: a.podLabels ?? {},
        serviceAccount: {
            create: a.serviceAccount?.create ?? false,
            name: a.serviceAccount?.name ?? (a.serviceAccount?.create ? name : undefined),
            annotations: a.serviceAccount?.annotations ?? {},
            automountToken: a.serviceAccount?.automountToken ?? false,
        },
    };
}

/** The Secret the pods mount when a cert-manager issuer makes the certificate. */
export function certificateSecretName(name: string): string {
    return `${name}-tls`;
}

function tlsOf(name: string, t: ParsedArgs["tls"]): ResolvedSpec["tls"] {
    const issuer = t?.issuer ? { kind: t.issuer.kind, name: t.issuer.name, group: t.issuer.group ?? "cert-manager.io" } : undefined;
    const enabled = t?.enabled ?? (t?.secretName !== undefined || issuer !== undefined);
    if (!enabled) return { enabled: false };
    return { enabled, secretName: t?.secretName ?? (issuer ? certificateSecretName(name) : undefined), ...(issuer ? { issuer } : {}) };
}

/** TLS needs exactly one source of certificates, and every part to speak it. */
function tlsProblems(a: ParsedArgs, spec: ResolvedSpec): string[] {
    const t = a.tls;
    if (t === undefined) return [];
    if (spec.tls.enabled && spec.endpoint.enabled) {
        return ["option `endpoint.enabled` = true with TLS on (`tls`): the master endpoint (HAProxy) checks the servers' roles in plain text, " +
            "and TLS closes the plain-text ports, so it would refuse every connection; not supported together yet: " +
            "connect through Sentinel (every client below speaks Sentinel with TLS), or leave `endpoint` off"];
    }
    const sources = (t.secretName !== undefined ? 1 : 0) + (t.issuer !== undefined ? 1 : 0);
    if (sources === 2) {
        return [`option \`tls.secretName\` = ${show(t.secretName)} and \`tls.issuer\` = ${show(t.issuer)}: give one source of certificates, ` +
            "either a Secret you made or a cert-manager issuer that makes one, not both"];
    }
    if (t.enabled === true && sources === 0) {
        return ["option `tls.enabled` = true: TLS needs certificates; set `tls.secretName` to a Secret with tls.crt, tls.key and ca.crt, " +
            'or `tls.issuer` to a cert-manager issuer such as { kind: "ClusterIssuer", name: "internal-ca" }'];
    }
    if (t.enabled === false && sources > 0) {
        const given = t.secretName !== undefined ? "tls.secretName" : "tls.issuer";
        return [`option \`tls.enabled\` = false with \`${given}\` set: remove \`${given}\`, or turn TLS on (\`tls.enabled: true\`, or leave it unset)`];
    }
    return [];
}

function crossFieldProblems(a: ParsedArgs, spec: ResolvedSpec): string[] {
    const problems: string[] = [];
    if (spec.endpoint.enabled && spec.tls.enabled) {
        problems.push("option `endpoint.enabled` = true: the master endpoint does not speak TLS yet (its health checks and its Service would " +
            "need the certificates), and with `tls` on Redis closes the plain-text port it checks; turn off `endpoint.enabled` or `tls`, " +
            "or use Sentinel-aware clients over TLS");
    }
    if (spec.sentinels < 3 && a.allowFewerThanThreeSentinels !== true) {
        problems.push(`option \`sentinels\` = ${spec.sentinels}: fewer than 3 sentinels cannot agree on a failover after losing one; ` +
            "use 3 or more, or set `allowFewerThanThreeSentinels: true` to accept that");
    }
    if (spec.quorum > spec.sentinels) {
        problems.push(`option \`quorum\` = ${spec.quorum}: must not exceed \`sentinels\` (${spec.sentinels}), or no failover could ever be agreed`);
    } else if (spec.quorum < majority(spec.sentinels)) {
        problems.push(`option \`quorum\` = ${spec.quorum}: must be at least a majority of ${spec.sentinels} sentinels ` +
            `(${majority(spec.sentinels)}..${spec.sentinels}), so that a partitioned minority cannot fail over on its own`);
    }
    if (spec.sentinel.parallelSyncs > spec.replicas) {
        problems.push(`option \`sentinel.parallelSyncs\` = ${spec.sentinel.parallelSyncs}: must be from 1 to \`replicas\` (${spec.replicas})`);
    }
    if (spec.sentinel.failoverTimeoutMilliseconds < spec.sentinel.downAfterMilliseconds) {
        problems.push(`option \`sentinel.failoverTimeoutMilliseconds\` = ${spec.sentinel.failoverTimeoutMilliseconds}: ` +
            `must be at least \`sentinel.downAfterMilliseconds\` (${spec.sentinel.downAfterMilliseconds})`);
    }
    // A memory limit that is no quantity never gets here (the schema refuses it): maxmemory can be derived.
    const memoryLimit = spec.redisResources.limits?.memory;
    if (a.maxmemoryPercent !== undefined && memoryLimit === undefined) {
        problems.push(`option \`maxmemoryPercent\` = ${a.maxmemoryPercent}: is a share of \`redisResources.limits.memory\`, which is not set; ` +
            "set a memory limit, or remove it");
    }
    problems.push(...volumeHeadroomProblems(spec));
    problems.push(...redisConfigProblems(spec.redisConfig, { memoryLimit }), ...sentinelConfigProblems(spec.sentinelConfig));
    if (spec.metrics.serviceMonitor && !spec.metrics.enabled) {
        problems.push("option `metrics.serviceMonitor` = true: a ServiceMonitor needs the exporter; " +
            "set `metrics.enabled: true` as well, or leave `metrics.serviceMonitor` unset");
    }
    for (const key of ["serviceMonitorLabels", "scrapeInterval"] as const) {
        if (a.metrics?.[key] !== undefined && !spec.metrics.serviceMonitor) {
            problems.push(`option \`metrics.${key}\` = ${show(a.metrics[key])}: only applies to the ServiceMonitor; ` +
                "set `metrics.serviceMonitor: true` (and `metrics.enabled: true`), or remove it");
        }
    }
    problems.push(...tlsProblems(a, spec));
    problems.push(...podCustomisationProblems(a, spec));
    problems.push(...requestsAboveLimits("redisResources", spec.redisResources), ...requestsAboveLimits("sentinelResources", spec.sentinelResources),
        ...requestsAboveLimits("metrics.resources", spec.metrics.resources));
    return problems;
}

/** Kubernetes refuses a container whose request is above its limit (after the objects before it exist). */
function requestsAboveLimits(option: string, resources: ContainerResources): string[] {
    const problems: string[] = [];
    for (const kind of ["cpu", "memory"] as const) {
        const request = resources.requests?.[kind];
        const limit = resources.limits?.[kind];
        if (request === undefined || limit === undefined) continue;
        try {
            if (parseQuantity(request) <= parseQuantity(limit)) continue;
        } catch {
            continue; // not a quantity: said already
        }
        problems.push(`option \`${option}.requests.${kind}\` = ${show(request)}: must be at most \`${option}.limits.${kind}\` (${show(limit)}); ` +
            "Kubernetes refuses a request above its limit");
    }
    return problems;
}

/** Pod labels and annotations the component owns, and ServiceAccount settings that need `create`. */
function podCustomisationProblems(a: ParsedArgs, spec: ResolvedSpec): string[] {
    const problems: string[] = [];
    for (const [option, labels] of [["labels", spec.labels], ["podLabels", spec.podLabels]] as const) {
        for (const key of Object.keys(labels).filter((k) => MANAGED_POD_LABELS.includes(k))) {
            problems.push(`option \`${option}.${key}\` = ${show(labels[key])}: the component sets this label and selects its pods by it; ` +
                `use another key (managed: ${MANAGED_POD_LABELS.join(", ")})`);
        }
    }
    if (spec.metrics.enabled) {
        for (const key of Object.keys(spec.podAnnotations).filter((k) => MANAGED_SCRAPE_ANNOTATIONS.includes(k))) {
            problems.push(`option \`podAnnotations.${key}\` = ${show(spec.podAnnotations[key])}: with \`metrics.enabled\` the component sets ` +
                `${MANAGED_SCRAPE_ANNOTATIONS.join(", ")} itself; remove it`);
        }
    }
    if (a.serviceAccount?.annotations !== undefined && !spec.serviceAccount.create) {
        problems.push(`option \`serviceAccount.annotations\` = ${show(a.serviceAccount.annotations)}: only applies to a ServiceAccount the component creates; ` +
            "set `serviceAccount.create: true`, or annotate your own ServiceAccount");
    }
    return problems;
}

function componentNameProblems(name: string): string[] {
    if (typeof name !== "string" || !DNS1035_LABEL.test(name) || name.length > MAX_NAME_LENGTH) {
        return [`resource name ${JSON.stringify(name)}: names every Kubernetes object, so it must be a DNS-1035 label: ` +
            `lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most ${MAX_NAME_LENGTH} characters`];
    }
    return [];
}

/** Namespace rules; exported because an Output namespace is checked once known. */
export function namespaceProblems(namespace: string): string[] {
    if (!DNS1123_LABEL.test(namespace) || namespace.length > 63) {
        return [`option \`namespace\` = ${JSON.stringify(namespace)}: must be a DNS-1123 label: ` +
            "lower-case letters, digits and '-', starting and ending alphanumeric, at most 63 characters"];
    }
    return [];
}

/** Password rules; the message never contains the password. Exported for Output passwords. */
export function passwordProblems(password: string): string[] {
    // The scripts quote it for redis.conf and sentinel.conf, so any printable character works;
    // a control character (a newline above all) would end the config line.
    // eslint-disable-next-line no-control-regex
    if (password.length < 8 || password.length > 512 || /[\x00-\x1f\x7f]/.test(password)) {
        return [`option \`password\` = [secret, ${password.length} characters]: must be 8-512 characters ` +
            "with no control characters such as newlines"];
    }
    return [];
}

function describeIssue(raw: Record<string, unknown>, issue: z.core.$ZodIssue): string {
    if (issue.code === "unrecognized_keys") {
        const prefix = issue.path.length ? `${issue.path.join(".")}.` : "";
        return issue.keys.map((key) => `unknown option \`${prefix}${key}\`${suggestion(key, knownKeysAt(issue.path))}`).join("; ");
    }
    const path = issue.path.map(String).join(".");
    const value = path.startsWith("password") || path.startsWith("kubeconfig") ? "[secret]" : show(valueAt(raw, issue.path));
    return `option \`${path}\` = ${value}: ${issue.message}`;
}

/** " (did you mean `x`?)" when `key` is close to a known one, else the known ones. */
export function suggestion(key: string, known: string[]): string {
    if (known.length === 0) return "";
    const close = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
    return close ? ` (did you mean \`${close}\`?)` : ` (known options: ${known.join(", ")})`;
}

/** The option names of the group at `path` (top level for []), or none when it is not a group. */
function knownKeysAt(path: PropertyKey[]): string[] {
    let schema: z.ZodType | undefined = argsSchema;
    for (const key of path) {
        const group = unwrapOptional(schema);
        if (group instanceof z.ZodArray && typeof key === "number") schema = group.element as z.ZodType;
        else schema = group instanceof z.ZodObject ? (group.shape as Record<string, z.ZodType>)[String(key)] : undefined;
    }
    const group = unwrapOptional(schema);
    return group instanceof z.ZodObject ? Object.keys(group.shape) : [];
}

function unwrapOptional(schema: z.ZodType | undefined): z.ZodType | undefined {
    let s = schema;
    while (s instanceof z.ZodOptional || s instanceof z.ZodPipe) s = (s instanceof z.ZodOptional ? s.unwrap() : s.out) as z.ZodType;
    return s;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
    let value = root;
    for (const key of path) {
        if (value === null || typeof value !== "object") return undefined;
        value = (value as Record<PropertyKey, unknown>)[key];
    }
    return value;
}

function show(value: unknown): string {
    if (value === undefined) return "undefined";
    if (typeof value === "number" && !Number.isFinite(value)) return String(value);
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}
