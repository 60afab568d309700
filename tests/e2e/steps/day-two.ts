/**
 * Day-two steps on the running root stack (issue 12): refresh converges after the
 * retirement, and a scale-down leaves every Sentinel listing exactly the pods that remain.
 */
import { REPO_ROOT } from "../lib/kit";
import { followPodLogs } from "../lib/pod-logs";
import { podCliText } from "../lib/topology";
import { StepContext } from "./context";
import { awaitTopology, config, mustBeWhole, STACK, up } from "./checks";

const NS = "default";

/** What a refresh must not change: the pods (uids), full resyncs on the master, Sentinel resets. */
async function quietState(ctx: StepContext, master: string, sentinelPods: string[]) {
    const pods = await ctx.cluster.kubectlJson<{ items: { metadata: { name: string; uid: string } }[] }>(["get", "pods", "-n", NS, "-l", "app.kubernetes.io/instance=redis"]);
    const info = await podCliText(ctx.cluster, NS, master, "redis", ["INFO", "stats"]);
    const syncFull = Number(/sync_full:(\d+)/.exec(info)?.[1] ?? NaN);
    let resets = 0;
    for (const pod of sentinelPods) {
        const logs = await ctx.cluster.kubectl(["logs", "-n", NS, pod, "-c", "sentinel"]);
        resets += (logs.match(/\+reset-master/g) ?? []).length;
    }
    return { pods: pods.items.map((p) => `${p.metadata.name}/${p.metadata.uid}`).sort(), syncFull, resets };
}

export async function refreshConvergesStep(ctx: StepContext, replicas: number, sentinels: number): Promise<void> {
    await ctx.recorder.step("refresh-converges", async () => {
        const t0 = Date.now();
        const before = await awaitTopology(ctx, replicas, sentinels, 30_000);
        mustBeWhole(before);
        const sentinelPods = Array.from({ length: sentinels }, (_, i) => `redis-sentinel-${i}`);
        const masterPod = before.master!.split(".")[0];
        const q0 = await quietState(ctx, masterPod, sentinelPods);
        await ctx.pulumi.ok(REPO_ROOT, ["refresh", "--yes", "--skip-preview", "--stack", STACK], 10 * 60_000);
        await ctx.pulumi.ok(REPO_ROOT, ["preview", "--refresh", "--expect-no-changes", "--stack", STACK], 10 * 60_000);
        await ctx.pulumi.ok(REPO_ROOT, ["up", "--refresh", "--yes", "--skip-preview", "--expect-no-changes", "--stack", STACK], 10 * 60_000);
        const seed = await ctx.cluster.kubectl(["get", "pod", "-n", NS, "redis-seed", "--ignore-not-found", "-o", "name"]);
        if (seed.trim()) throw new Error("the seed pod came back");
        const q1 = await quietState(ctx, masterPod, sentinelPods);
        const changed: string[] = [];
        if (JSON.stringify(q1.pods) !== JSON.stringify(q0.pods)) changed.push(`pods ${q0.pods.join(",")} -> ${q1.pods.join(",")}`);
        if (q1.syncFull !== q0.syncFull) changed.push(`full resyncs on the master ${q0.syncFull} -> ${q1.syncFull}`);
        if (q1.resets !== q0.resets) changed.push(`Sentinel resets ${q0.resets} -> ${q1.resets}`);
        if (changed.length) throw new Error(`refresh changed the deployment: ${changed.join("; ")}`);
        const w = ctx.app.window(t0);
        if (w.errors) throw new Error(`the application saw ${w.errors} errors`);
        return `refresh, preview --refresh --expect-no-changes and up --refresh --expect-no-changes: no seed, same ${q1.pods.length} pods, ${q1.syncFull} full resyncs and ${q1.resets} resets before and after; writer ${w.acked} acknowledged, longest gap ${w.maxGapMs} ms`;
    });
}

/**
 * Makes `pod` the master: every other replica gets replica-priority 0 for the moment, the
 * master hands over (Sentinel promotes the one promotable replica), then the priorities go
 * back to the default (100).
 */
async function moveMasterTo(ctx: StepContext, pod: string, replicas: number, sentinels: number): Promise<void> {
    const want = `${pod}.redis-headless.${NS}.svc.cluster.local`;
    if ((await awaitTopology(ctx, replicas, sentinels, 10_000)).master === want) return;
    const others = Array.from({ length: replicas }, (_, i) => `redis-redis-${i}`).filter((p) => p !== pod);
    const setPriority = async (p: string, v: number) => podCliText(ctx.cluster, NS, p, "redis", ["CONFIG", "SET", "replica-priority", String(v)]);
    try {
        for (const p of others) await setPriority(p, 0);
        await setPriority(pod, 100);
        // The package's own handover (pause, catch-up, SENTINEL FAILOVER, confirm, move the
        // clients), run in the master's pod: a bare SENTINEL FAILOVER could lose the writes
        // the old master acknowledges before it is demoted.
        const current = (await awaitTopology(ctx, replicas, sentinels, 10_000)).master!.split(".")[0];
        await ctx.cluster.kubectl(["exec", "-n", NS, current, "-c", "redis", "--", "sh", "/scripts/handover.sh", "run", "--timeout-s", "20"], 60_000);
        const deadline = Date.now() + 60_000;
        for (;;) {
            const v = await awaitTopology(ctx, replicas, sentinels, 5_000);
            if (v.ok && v.master === want) break;
            if (Date.now() > deadline) throw new Error(`could not make ${pod} the master: ${v.problems.join("; ") || v.master}`);
        }
    } finally {
        for (const p of others) await setPriority(p, 100).catch(() => undefined);
    }
}

export async function scaleDownStep(ctx: StepContext): Promise<void> {
    await ctx.recorder.step("scale-down", async () => {
        const t0 = Date.now();
        // Grow the Sentinel set first, so that both sets shrink in one `up`.
        await config(ctx, "sentinels", "5");
        await up(ctx, [], 20 * 60_000);
        mustBeWhole(await awaitTopology(ctx, 5, 5));
        // The hard case every time: the master is among the pods the shrink removes, so it must
        // hand over to a pod that stays while the Sentinels and replicas around it go too.
        await moveMasterTo(ctx, "redis-redis-4", 5, 5);
        const masterBefore = (await awaitTopology(ctx, 5, 5, 10_000)).master;
        // The pods the shrink removes take their logs with them: follow them (preStop handover lines).
        const removed = [3, 4].flatMap((i) => [{ pod: `redis-redis-${i}`, container: "redis" }, { pod: `redis-sentinel-${i}`, container: "sentinel" }]);
        const logs = followPodLogs(ctx.kit.kubectl, ctx.cluster.kubeconfig, ctx.cluster.runDir, NS, removed);
        const t1 = Date.now();
        await config(ctx, "replicas", "3");
        await config(ctx, "sentinels", "3");
        await up(ctx, [], 20 * 60_000).catch(async (e: Error) => {
            await logs.stop();
            throw e;
        });
        // A removed master hands over to a pod that stays: no stall as long as Sentinel's
        // own failure detection (down-after, 6 s after rolling-update).
        const shrink = ctx.app.window(t1);
        await logs.stop();
        const handover = logs.grep(/handover|prestop|preStop/i).slice(-25);
        if (shrink.maxGapMs >= 6000) throw new Error(`writes stalled ${shrink.maxGapMs} ms while the sets shrank (master before: ${masterBefore}): a failover by detection, not a handover; the removed pods' handover lines:\n${handover.join("\n")}`);
        // As part of the same `up`: the Sentinels list exactly the remaining pods now (a few
        // seconds for the reads, no waiting for a Sentinel to catch up).
        const after = mustBeWhole(await awaitTopology(ctx, 3, 3, 10_000));
        const w = ctx.app.window(t0);
        if (w.errors) throw new Error(`the application saw ${w.errors} errors`);
        return `5 Redis / 5 Sentinels -> 3 / 3 in one up (master before: ${masterBefore}): ${after}; writer ${w.acked} acknowledged, longest gap ${w.maxGapMs} ms (${shrink.maxGapMs} ms while shrinking)`;
    });
}
