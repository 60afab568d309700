/**
 * Where the pods may run: `tolerations` and `affinity`, as plain values, with the rules
 * the API server would apply (core/v1 validation), so a mistake is reported at preview
 * with the option's path, the value and what is allowed, not by the API server halfway
 * through an update.
 */
import { z } from "zod";
import { DNS1123_LABEL, LABEL_KEY_RULE, isLabelKey, labelKey, labelMap, labelValue } from "./kubeNames";

export interface LabelSelectorRequirement {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
}

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: LabelSelectorRequirement[];
}

export interface NodeSelectorRequirement {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
    values?: string[];
}

export interface NodeSelectorTerm {
    matchExpressions?: NodeSelectorRequirement[];
    /** Only `metadata.name` with `In` / `NotIn`. */
    matchFields?: NodeSelectorRequirement[];
}

export interface NodeAffinity {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
    preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight: number; preference: NodeSelectorTerm }>;
}

export interface PodAffinityTerm {
    labelSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    namespaces?: string[];
    topologyKey: string;
    matchLabelKeys?: string[];
    mismatchLabelKeys?: string[];
}

export interface PodAffinity {
    requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
    preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight: number; podAffinityTerm: PodAffinityTerm }>;
}

/** core/v1 Affinity, plain values. */
export interface Affinity {
    nodeAffinity?: NodeAffinity;
    podAffinity?: PodAffinity;
    podAntiAffinity?: PodAffinity;
}

/** core/v1 Toleration, plain values. */
export interface Toleration {
    key?: string;
    /** Default `"Equal"`. */
    operator?: "Exists" | "Equal";
    value?: string;
    /** Unset: every effect. */
    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
    /** Only with effect `"NoExecute"`: how long the pod stays on a node once tainted. */
    tolerationSeconds?: number;
}

/** A required label key; a missing one says so and gives an example. */
function requiredKey(example: string) {
    return z.string({ error: (issue) => (issue.input === undefined ? `is required, e.g. "${example}"` : "must be a string") })
        .refine(isLabelKey, { error: LABEL_KEY_RULE });
}

function strictObject<T extends z.ZodRawShape>(shape: T, example: string) {
    return z.object(shape, { error: `must be an object such as ${example}` }).strict();
}

function list<T extends z.ZodType>(item: T, example: string) {
    return z.array(item, { error: `must be a list such as ${example}` });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: `must be one of ${values.map((v) => `"${v}"`).join(", ")}` });
}

function weight() {
    const error = "must be a whole number from 1 to 100";
    return z.number({ error }).int({ error }).min(1, { error }).max(100, { error });
}

type Requirement = { operator: string; values?: string[] };

/** The API server's rules on `values` for each operator; issues at `values`. */
function checkValues(r: Requirement, ctx: z.RefinementCtx): void {
    const count = r.values?.length ?? 0;
    const at = { path: ["values"] };
    if ((r.operator === "In" || r.operator === "NotIn") && count === 0) {
        ctx.addIssue({ code: "custom", ...at, message: `must list at least one value with operator "${r.operator}"` });
    }
    if ((r.operator === "Exists" || r.operator === "DoesNotExist") && count > 0) {
        ctx.addIssue({ code: "custom", ...at, message: `must be empty with operator "${r.operator}"` });
    }
    if ((r.operator === "Gt" || r.operator === "Lt") && (count !== 1 || !/^-?[0-9]+$/.test(r.values![0]))) {
        ctx.addIssue({ code: "custom", ...at, message: `must be exactly one whole number (as a string) with operator "${r.operator}"` });
    }
}

const labelSelectorRequirement = strictObject({
    key: requiredKey("app"),
    operator: oneOf(["In", "NotIn", "Exists", "DoesNotExist"]),
    values: list(labelValue(), '["redis"]').optional(),
}, '{ key: "app", operator: "In", values: ["web"] }').superRefine(checkValues);

const labelSelector = strictObject({
    matchLabels: labelMap().optional(),
    matchExpressions: list(labelSelectorRequirement, '[{ key: "app", operator: "In", values: ["web"] }]').optional(),
}, '{ matchLabels: { app: "web" } }');

const nodeSelectorRequirement = strictObject({
    key: requiredKey("kubernetes.io/arch"),
    operator: oneOf(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
    values: list(z.string({ error: "must be a string" }), '["ssd"]').optional(),
}, '{ key: "disktype", operator: "In", values: ["ssd"] }').superRefine(checkValues);

const nodeFieldRequirement = strictObject({
    key: z.literal("metadata.name", { error: 'must be "metadata.name" (the only node field a selector can match)' }),
    operator: oneOf(["In", "NotIn"]),
    values: list(z.string({ error: "must be a string" }), '["node-1"]').optional(),
}, '{ key: "metadata.name", operator: "In", values: ["node-1"] }').superRefine(checkValues);

const nodeSelectorTerm = strictObject({
    matchExpressions: list(nodeSelectorRequirement, '[{ key: "disktype", operator: "In", values: ["ssd"] }]').optional(),
    matchFields: list(nodeFieldRequirement, '[{ key: "metadata.name", operator: "In", values: ["node-1"] }]').optional(),
}, '{ matchExpressions: [{ key: "disktype", operator: "In", values: ["ssd"] }] }');

const nodeAffinity = strictObject({
    requiredDuringSchedulingIgnoredDuringExecution: strictObject({
        nodeSelectorTerms: list(nodeSelectorTerm, "[{ matchExpressions: [...] }]")
            .min(1, { error: "must list at least one term (the terms are ORed)" }),
    }, "{ nodeSelectorTerms: [{ matchExpressions: [...] }] }").optional(),
    preferredDuringSchedulingIgnoredDuringExecution: list(strictObject({
        weight: weight(),
        preference: nodeSelectorTerm,
    }, "{ weight: 50, preference: { matchExpressions: [...] } }"), "[{ weight: 50, preference: {...} }]").optional(),
}, "{ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [...] } }");

const podAffinityTerm = strictObject({
    labelSelector: labelSelector.optional(),
    namespaceSelector: labelSelector.optional(),
    namespaces: list(z.string({ error: "must be a string" })
        .regex(DNS1123_LABEL, { error: "must be a namespace name (DNS-1123 label)" }), '["apps"]').optional(),
    topologyKey: requiredKey("kubernetes.io/hostname"),
    matchLabelKeys: list(labelKey(), '["pod-template-hash"]').optional(),
    mismatchLabelKeys: list(labelKey(), '["tenant"]').optional(),
}, '{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "web" } } }');

const podAffinity = strictObject({
    requiredDuringSchedulingIgnoredDuringExecution: list(podAffinityTerm, '[{ topologyKey: "kubernetes.io/hostname", ... }]').optional(),
    preferredDuringSchedulingIgnoredDuringExecution: list(strictObject({
        weight: weight(),
        podAffinityTerm,
    }, "{ weight: 50, podAffinityTerm: {...} }"), "[{ weight: 50, podAffinityTerm: {...} }]").optional(),
}, '{ preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: {...} }] }');

export const affinitySchema: z.ZodType<Affinity> = strictObject({
    nodeAffinity: nodeAffinity.optional(),
    podAffinity: podAffinity.optional(),
    podAntiAffinity: podAffinity.optional(),
}, "{ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [...] } } }");

const toleration = strictObject({
    // "" with operator Exists tolerates every taint.
    key: z.string({ error: "must be a string" }).refine((k) => k === "" || isLabelKey(k), { error: LABEL_KEY_RULE }).optional(),
    operator: oneOf(["Exists", "Equal"]).optional(),
    value: labelValue().optional(),
    effect: oneOf(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
    tolerationSeconds: z.number({ error: "must be a whole number of seconds" }).int({ error: "must be a whole number of seconds" }).optional(),
}, '{ key: "dedicated", operator: "Equal", value: "redis", effect: "NoSchedule" }').superRefine((t, ctx) => {
    const operator = t.operator ?? "Equal";
    if (operator === "Exists" && t.value !== undefined && t.value !== "") {
        ctx.addIssue({ code: "custom", path: ["value"], message: 'must be empty with operator "Exists" (it tolerates any value)' });
    }
    if ((t.key === undefined || t.key === "") && operator !== "Exists") {
        ctx.addIssue({ code: "custom", path: ["operator"], message: 'must be "Exists" when no key is given (a toleration of every taint)' });
    }
    if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
        ctx.addIssue({ code: "custom", path: ["tolerationSeconds"], message: 'only applies with effect "NoExecute"; set that effect, or remove it' });
    }
});

export const tolerationsSchema: z.ZodType<Toleration[]> =
    list(toleration, '[{ key: "dedicated", operator: "Equal", value: "redis", effect: "NoSchedule" }]');
