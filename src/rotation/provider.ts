/**
 * The dynamic provider of `PasswordRotation` (see plan.ts for what an `up` does). It runs on the
 * machine running `pulumi up` and reaches the servers the way the seed retirement does: one exec
 * per step into each existing pod's container through the Kubernetes API (`KubeTransport`), the
 * password on the exec's stdin. Its state holds the SHA-256 of the current and earlier passwords
 * (secret outputs) and a revision counter, never a password.
 *
 * Serialized with its closure by Pulumi: the rules of src/retirement/README.md apply (no
 * `class X extends Y`, no captured secret: the password and kubeconfig are inputs).
 */
import type * as pulumi from "@pulumi/pulumi";
import { loadKubeConfig, PodApi } from "../kube";
import { KubeTransport } from "../retirement/kube-transport";
import type { RetirementTransport } from "../retirement/transport-core";
import { wireSafe } from "../retirement/wire";
import { dropLive, rotateLive, RotationNode } from "./apply";
import { planRotation, RotationKind, RotationRecord } from "./plan";

export interface PasswordRotationInputs {
    namespace: string;
    /** The password (a secret). */
    password: string;
    /** Refuse the earlier passwords (on an `up` that does not change the password). */
    dropPreviousPasswords?: boolean;
    /** The pods whose servers are changed live, when they exist: the seed (both containers), each set's. */
    seedPod: string;
    redisPods: string[];
    sentinelPods: string[];
    /** N-headless.NS.svc.cluster.local: pod host = `<pod>.<headlessDomain>`. */
    headlessDomain: string;
    kubeconfig?: string;
    context?: string;
    /** Deadline of a drop waiting for every container to run with the current password (default 600). */
    timeoutSeconds?: number;
}

export interface PasswordRotationOutputs extends RotationRecord {
    namespace: string;
    headlessDomain: string;
    /** What the last update did: record, rotate, drop, none. */
    lastAction: RotationKind;
    /** The servers it changed (pod/container), for the record. */
    changed: string[];
}

/** The value the engine gives a dynamic provider for an input not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What the provider needs to act; tests replace it (loopback processes). */
export interface RotationRuntime {
    transport: RetirementTransport;
    /** Whether the pod exists and runs (not terminating): only those are changed live. */
    podRunning(pod: string): Promise<boolean>;
    log(line: string): void;
}

export function kubeRotationRuntime(inputs: PasswordRotationInputs): RotationRuntime {
    const api = new PodApi(loadKubeConfig({ kubeconfig: inputs.kubeconfig, context: inputs.context }));
    const ns = inputs.namespace;
    return {
        transport: new KubeTransport(api, { namespace: ns }),
        podRunning: async (pod) => {
            const s = await api.getPod(ns, pod);
            return !!s && s.phase === "Running" && !s.deleting;
        },
        log: (line) => console.log(`[password-rotation ${ns}] ${line}`),
    };
}

/** The servers of the pods that run now: seed (redis + sentinel), Redis set, Sentinel set. */
export async function runningNodes(inputs: PasswordRotationInputs, runtime: RotationRuntime): Promise<RotationNode[]> {
    const host = (pod: string): string => `${pod}.${inputs.headlessDomain}`;
    const candidates: Array<{ pod: string; roles: Array<"redis" | "sentinel"> }> = [
        { pod: inputs.seedPod, roles: ["redis", "sentinel"] },
        ...inputs.redisPods.map((pod) => ({ pod, roles: ["redis" as const] })),
        ...inputs.sentinelPods.map((pod) => ({ pod, roles: ["sentinel" as const] })),
    ];
    const running = await Promise.all(candidates.map((c) => runtime.podRunning(c.pod)));
    return candidates.filter((_, i) => running[i]).flatMap((c) => c.roles.map((role) => ({ role, host: host(c.pod) })));
}

export function inputFailures(inputs: Partial<PasswordRotationInputs>): { property: string; reason: string }[] {
    const failures: { property: string; reason: string }[] = [];
    for (const k of ["namespace", "seedPod", "headlessDomain"] as const) {
        if (typeof inputs[k] !== "string" || inputs[k] === "") failures.push({ property: k, reason: `${k} must be a non-empty string` });
    }
    // Never echoes the value.
    if (typeof inputs.password !== "string" || inputs.password === "") failures.push({ property: "password", reason: "password must be a non-empty string" });
    for (const k of ["redisPods", "sentinelPods"] as const) {
        const v = inputs[k];
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) failures.push({ property: k, reason: `${k} must list pod names` });
    }
    return failures;
}

/** Plans from the recorded state, changes the running servers, returns the new state. */
export async function runRotation(inputs: PasswordRotationInputs, runtime: RotationRuntime, olds?: Partial<PasswordRotationOutputs>): Promise<PasswordRotationOutputs> {
    const plan = planRotation(olds, inputs.password, inputs.dropPreviousPasswords === true);
    const deadline = Date.now() + (inputs.timeoutSeconds ?? 600) * 1000;
    let nodes: RotationNode[] = [];
    if (plan.kind === "rotate" || plan.kind === "drop") {
        nodes = await runningNodes(inputs, runtime);
        runtime.log(`${plan.kind === "rotate" ? "rotating the password (revision " + plan.revision + ")" : "dropping the earlier passwords"} on ${nodes.length} running servers`);
        if (plan.kind === "rotate") await rotateLive(runtime.transport, nodes, inputs.password, { log: runtime.log });
        else await dropLive(runtime.transport, nodes, inputs.password, deadline, { log: runtime.log });
    }
    return {
        namespace: inputs.namespace,
        headlessDomain: inputs.headlessDomain,
        passwordSha256: plan.passwordSha256,
        previousSha256: plan.previousSha256,
        revision: plan.revision,
        lastAction: plan.kind,
        changed: nodes.map((n) => `${n.host.split(".")[0]}/${n.role}`),
    };
}

export function diffRotation(olds: Partial<PasswordRotationOutputs>, news: PasswordRotationInputs): pulumi.dynamic.DiffResult {
    if (news.password === UNKNOWN || news.password === undefined) return { changes: true };
    const kind = planRotation(olds, news.password, news.dropPreviousPasswords === true).kind;
    const moved = olds.namespace !== news.namespace || olds.headlessDomain !== news.headlessDomain;
    return { changes: moved || kind === "rotate" || kind === "drop" || kind === "record", replaces: [], deleteBeforeReplace: false };
}

export function makePasswordRotationProvider(makeRuntime: (inputs: PasswordRotationInputs) => RotationRuntime = kubeRotationRuntime): pulumi.dynamic.ResourceProvider {
    return {
        async check(_olds: unknown, news: PasswordRotationInputs) {
            return { inputs: news, failures: inputFailures(news) };
        },
        async diff(_id: string, olds: PasswordRotationOutputs, news: PasswordRotationInputs) {
            return diffRotation(olds, news);
        },
        async create(inputs: PasswordRotationInputs) {
            return { id: `${inputs.namespace}/${inputs.seedPod.replace(/-seed$/, "")}-password`, outs: wireSafe(await runRotation(inputs, makeRuntime(inputs))) };
        },
        async update(_id: string, olds: PasswordRotationOutputs, news: PasswordRotationInputs) {
            return { outs: wireSafe(await runRotation(news, makeRuntime(news), olds)) };
        },
        async read(id: string, props: PasswordRotationOutputs) {
            return { id, props: wireSafe(props) };
        },
        async delete() {
            // Nothing to undo: the servers keep their passwords; `pulumi destroy` removes them.
        },
    };
}
