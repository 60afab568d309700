/**
 * Checks shared by the e2e steps: wait until a deployment's topology is whole.
 */
import { deriveNames } from "../../../src/manifests/names";
import { REPO_ROOT } from "../lib/kit";
import { judgeTopology, observeTopology, TopologyVerdict } from "../lib/topology";
import { StepContext } from "./context";

/** The root Pulumi.yaml stack of the run. */
export const STACK = "e2e";

/** `pulumi up` of the root stack. */
export const up = (ctx: Pick<StepContext, "pulumi">, extra: string[] = [], timeoutMs = 25 * 60_000) =>
    ctx.pulumi.ok(REPO_ROOT, ["up", "--yes", "--skip-preview", "--stack", STACK, ...extra], timeoutMs);

/** `pulumi config set` on the root stack. */
export const config = (ctx: Pick<StepContext, "pulumi">, key: string, value: string) =>
    ctx.pulumi.ok(REPO_ROOT, ["config", "set", "--stack", STACK, key, value], 60_000, false);

/** A RedisSentinel deployment on the cluster. */
export interface Deployment {
    namespace: string;
    name: string;
    masterName: string;
    /** redis-cli options of the checks' execs (TLS on: `--tls --cacert /tls/ca.crt`). */
    cliArgs?: string[];
}

/** Polls the topology until it is whole or the deadline passes; the last verdict. */
export async function awaitTopology(
    ctx: Pick<StepContext, "cluster">,
    replicas: number,
    sentinels: number,
    timeoutMs = 120_000,
    d: Deployment = { namespace: "default", name: "redis", masterName: "mymaster" },
): Promise<TopologyVerdict> {
    const n = deriveNames(d.name, d.namespace, "cluster.local", replicas, sentinels);
    const want = { headlessDomain: n.headlessDomain, redisPods: n.redisPods, sentinelPods: n.sentinelPods };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const verdict = judgeTopology(await observeTopology(ctx.cluster, d.namespace, d.masterName, want, d.cliArgs), want);
        if (verdict.ok || Date.now() > deadline) return verdict;
        await new Promise((r) => setTimeout(r, 3000));
    }
}

export function mustBeWhole(v: TopologyVerdict): string {
    if (!v.ok) throw new Error(`topology not whole: ${v.problems.join("; ")}`);
    return `one master (${v.master}), every Sentinel names it and lists every replica linked and every other Sentinel`;
}


type Sts = {
    metadata: { name: string; generation: number };
    spec: { replicas: number };
    status: { observedGeneration?: number; currentRevision?: string; updateRevision?: string; updatedReplicas?: number; readyReplicas?: number };
};

/** The StatefulSets of a namespace, as the controller reports them. */
export async function statefulSets(ctx: Pick<StepContext, "cluster">, ns = "default"): Promise<Sts[]> {
    return (await ctx.cluster.kubectlJson<{ items: Sts[] }>(["get", "statefulsets", "-n", ns])).items;
}

const rolledOut = (x: Sts) =>
    x.status.observedGeneration === x.metadata.generation && x.status.currentRevision === x.status.updateRevision &&
    x.status.updatedReplicas === x.spec.replicas && x.status.readyReplicas === x.spec.replicas;

/**
 * Waits until every StatefulSet of the namespace has rolled out. The kit's kubernetes
 * provider (v4.25.0 code) may return from `up` before a StatefulSet rolled out
 * (pulumi-kubernetes#3329, fixed by #4094 in later releases), so the steps wait for the
 * controller's own account. True when `up` had returned early.
 */
export async function awaitRollout(ctx: Pick<StepContext, "cluster">, ns = "default", timeoutMs = 10 * 60_000): Promise<boolean> {
    const early = !(await statefulSets(ctx, ns)).every(rolledOut);
    const deadline = Date.now() + timeoutMs;
    while (!(await statefulSets(ctx, ns)).every(rolledOut)) {
        if (Date.now() > deadline) throw new Error(`the sets did not roll out in ${timeoutMs / 60_000} minutes: ${JSON.stringify((await statefulSets(ctx, ns)).map((x) => ({ name: x.metadata.name, ...x.status })))}`);
        await new Promise((r) => setTimeout(r, 2000));
    }
    return early;
}
