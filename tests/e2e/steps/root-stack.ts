/**
 * The root Pulumi.yaml stack through the real CLI: up, a second up with no changes,
 * scale-up, a rolling update, a rejected bad config, destroy.
 */
import { randomBytes } from "node:crypto";
import { deriveNames } from "../../../src/manifests/names";
import { AppTarget } from "../lib/app";
import { REPO_ROOT } from "../lib/kit";
import { checkCreationOrder, deletedAt, readyAt } from "../lib/order";
import { awaitRollout, awaitTopology, config, mustBeWhole, STACK, statefulSets, up } from "./checks";
import { StepContext } from "./context";
import { refreshConvergesStep, scaleDownStep } from "./day-two";
import { dayTwoStep } from "./day-two-options";
import { masterEndpointStep } from "./master-endpoint";
import { passwordRotationStep } from "./password-rotation";

const NS = "default";
const NAME = "redis";
const MASTER = "mymaster";

function names(replicas: number, sentinels: number) {
    return deriveNames(NAME, NS, "cluster.local", replicas, sentinels);
}

async function password(ctx: StepContext): Promise<string | undefined> {
    const s = await ctx.cluster.kubectlJson<{ data?: { password?: string } }>(["get", "secret", "-n", NS, `${NAME}-auth`]);
    return s.data?.password ? Buffer.from(s.data.password, "base64").toString() : undefined;
}

function appTarget(ctx: StepContext) {
    return async (): Promise<AppTarget | undefined> => {
        const pw = await password(ctx);
        return pw ? { sentinelHost: names(1, 1).sentinelServiceHost, sentinelPort: 26379, masterName: MASTER, password: pw } : undefined;
    };
}

/** Writer figures of a step's window, as detail text; throws on errors in the window. */
function writerWindow(ctx: StepContext, from: number): string {
    const w = ctx.app.window(from);
    const text = `writer: ${w.acked} acknowledged, ${w.errors} errors, longest gap ${w.maxGapMs} ms`;
    if (w.errors > 0) throw new Error(`${text}: ${ctx.app.errorMessages().join(" | ")}`);
    return text;
}

async function noLostWrites(ctx: StepContext): Promise<string> {
    const lost = await ctx.app.lost();
    if (lost.missing.length) throw new Error(`${lost.missing.length} of ${lost.checked} acknowledged writes missing on the master, e.g. ${lost.missing.slice(0, 3).join(", ")}`);
    return `${lost.checked} acknowledged writes all on the master`;
}


/** The root stack's steps up to bad-config-rejected; false when `up` failed (the rest is pointless). */
export async function rootStackSteps(ctx: StepContext): Promise<boolean> {
    const { recorder, pulumi } = ctx;
    await pulumi.ok(REPO_ROOT, ["stack", "init", STACK], 60_000, false);
    await config(ctx, "image", ctx.kit.redisImage);
    if (!ctx.kit.randomPlugin) {
        // Without pulumi-resource-random the generated password cannot be made: give one.
        await ctx.pulumi.ok(REPO_ROOT, ["config", "set", "--secret", "--stack", STACK, "password", randomBytes(18).toString("base64url")], 60_000, false);
    }

    const upOk = await recorder.step("up", async () => {
        const t0 = Date.now();
        // The application starts as soon as the seed serves, and writes through the retirement.
        const appStarted = ctx.app.startWhenServing(appTarget(ctx), Date.now() + 20 * 60_000);
        const r = await up(ctx);
        const upSeconds = (Date.now() - t0) / 1000;
        const n = names(3, 3);
        const order = checkCreationOrder(ctx.events, [
            [`Secret/${n.secret}`, `ConfigMap/${n.configMap}`],
            [`Pod/${n.seedPod}`],
            [`Service/${n.sentinelService}`],
            [`StatefulSet/${n.redisSet}`, `StatefulSet/${n.sentinelSet}`],
        ]);
        if (order.problems.length) throw new Error(`creation order: ${order.problems.join("; ")}`);
        const seedDeleted = deletedAt(ctx.events, "Pod", n.seedPod);
        const setsReady = Math.max(readyAt(ctx.events, n.redisSet, 3) ?? Infinity, readyAt(ctx.events, n.sentinelSet, 3) ?? Infinity);
        if (seedDeleted === undefined) throw new Error("the seed pod was never deleted");
        if (!(seedDeleted > setsReady)) throw new Error(`the seed pod was deleted (rv ${seedDeleted}) before both sets were ready (rv ${setsReady})`);
        const gone = await ctx.cluster.kubectl(["get", "pod", "-n", NS, n.seedPod, "--ignore-not-found", "-o", "name"]);
        if (gone.trim()) throw new Error(`the seed pod still exists: ${gone.trim()}`);
        if (!(await appStarted)) throw new Error("the application never reached a master through the Sentinel Service");
        const outputs = await pulumi.outputs(REPO_ROOT, STACK);
        // The retirement's own account (its console lines reach the display) and its duration.
        const done = /\[seed-retirement [^\]]*\] (done: [^\n]*)/.exec(r.stdout)?.[1];
        if (!done) throw new Error("the retirement printed no `done:` line");
        const retireSeconds = /SeedRetirement \S+ created \((\d+)s\)/.exec(r.stdout)?.[1] ?? "?";
        const retirement = `retirement ${retireSeconds} s: ${done.trim()}`;
        const topo = mustBeWhole(await awaitTopology(ctx, 3, 3));
        return [
            `pulumi up ${upSeconds.toFixed(0)} s; created in order ${order.order}; seed deleted at rv ${seedDeleted} after both sets ready (rv ${setsReady})`,
            `currentMaster ${String(outputs.currentMaster)}; ${retirement}`,
            topo,
            writerWindow(ctx, t0),
        ].join("\n");
    });
    if (!upOk) return false;

    await recorder.step("second-up-no-changes", async () => {
        await pulumi.ok(REPO_ROOT, ["preview", "--expect-no-changes", "--stack", STACK], 10 * 60_000);
        const r = await up(ctx, ["--expect-no-changes"]);
        return `preview and up report no changes (${/Resources:[\s\S]*?unchanged/.exec(r.stdout)?.[0].replace(/\s+/g, " ") ?? ""})`;
    });

    await recorder.step("scale-up", async () => {
        const t0 = Date.now();
        const podUids = async () =>
            new Map((await ctx.cluster.kubectlJson<{ items: { metadata: { name: string; uid: string } }[] }>(["get", "pods", "-n", NS, "-l", `app.kubernetes.io/instance=${NAME}`])).items.map((p) => [p.metadata.name, p.metadata.uid]));
        const before = await podUids();
        const masterBefore = (await awaitTopology(ctx, 3, 3, 10_000)).master;
        await config(ctx, "replicas", "5");
        await up(ctx);
        const after = mustBeWhole(await awaitTopology(ctx, 5, 3));
        // Scaling adds pods and touches none of the running ones (no roll, no handover).
        const now = await podUids();
        const replaced = [...before].filter(([name, uid]) => now.get(name) !== uid).map(([name]) => name);
        if (replaced.length) throw new Error(`scaling the Redis set replaced running pods: ${replaced.join(", ")}`);
        const masterAfter = (await awaitTopology(ctx, 5, 3, 10_000)).master;
        if (masterAfter !== masterBefore) throw new Error(`the master moved from ${masterBefore} to ${masterAfter}`);
        return [`no running pod replaced, master still ${masterAfter}`, after, writerWindow(ctx, t0)].join("\n");
    });

    await recorder.step("rolling-update", async () => {
        const t0 = Date.now();
        const before = await awaitTopology(ctx, 5, 3, 10_000);
        const revisions = async () => (await statefulSets(ctx)).map((s) => `${s.metadata.name}:${s.status.currentRevision}`);
        const revBefore = await revisions();
        const hookFailures = async () =>
            (await ctx.cluster.kubectl(["get", "events", "-n", NS, "--field-selector", "reason=FailedPreStopHook", "-o", "name"])).trim();
        const failedBefore = await hookFailures();
        // A Sentinel timing (rolls the Sentinel set) and the Redis memory share (rolls the Redis set).
        await config(ctx, "downAfterMilliseconds", "6000");
        await config(ctx, "maxmemoryPercent", "45"); // at most 50 with the default 1Gi volume (4 x maxmemory)
        await up(ctx);
        const upReturnedEarly = await awaitRollout(ctx);
        const revAfter = await revisions();
        const unchanged = revAfter.filter((r) => revBefore.includes(r));
        if (unchanged.length) throw new Error(`these sets did not roll: ${unchanged.join(", ")}`);
        const failedAfter = await hookFailures();
        if (failedAfter !== failedBefore) throw new Error(`preStop hooks failed: ${failedAfter}`);
        const after = mustBeWhole(await awaitTopology(ctx, 5, 3));
        return [
            `both sets rolled (${revAfter.join(", ")})${upReturnedEarly ? " (pulumi up returned before the rollout ended: the kit provider's known race)" : ""}; master before ${before.master}, after: ${after}`,
            writerWindow(ctx, t0),
            await noLostWrites(ctx),
        ].join("\n");
    });

    await refreshConvergesStep(ctx, 5, 3);
    await scaleDownStep(ctx);
    await dayTwoStep(ctx, 3, 3);
    await passwordRotationStep(ctx, 3, 3);
    await masterEndpointStep(ctx);

    await recorder.step("bad-config-rejected", async () => {
        const stack = "e2e-bad";
        await pulumi.ok(REPO_ROOT, ["stack", "init", stack], 60_000, false);
        await pulumi.ok(REPO_ROOT, ["config", "set", "--stack", stack, "name", "bad"], 60_000, false);
        await pulumi.ok(REPO_ROOT, ["config", "set", "--stack", stack, "sentinels", "2"], 60_000, false);
        const preview = await pulumi.run(REPO_ROOT, ["preview", "--stack", stack], 10 * 60_000);
        const upRes = await pulumi.run(REPO_ROOT, ["up", "--yes", "--skip-preview", "--stack", stack], 10 * 60_000);
        const text = preview.stdout + preview.stderr;
        if (preview.code === 0 || upRes.code === 0) throw new Error("preview or up accepted sentinels=2");
        const message = /`sentinels`[^\n]*/.exec(text)?.[0];
        if (!message) throw new Error(`the preview failed without the component's message:\n${text.slice(-2000)}`);
        const created = await ctx.cluster.kubectl(["get", "all,secrets,configmaps", "-n", NS, "-l", "app.kubernetes.io/instance=bad", "-o", "name"]);
        if (created.trim()) throw new Error(`objects were created: ${created}`);
        await pulumi.ok(REPO_ROOT, ["stack", "rm", "--yes", "--force", "--stack", stack], 60_000, false);
        return `preview and up fail with: ${message.trim()}; nothing created`;
    });
    return true;
}

export async function destroyStep(ctx: StepContext): Promise<void> {
    await ctx.recorder.step("destroy", async () => {
        await ctx.pulumi.ok(REPO_ROOT, ["destroy", "--yes", "--skip-preview", "--stack", STACK], 15 * 60_000);
        const left = (await ctx.cluster.kubectl(["get", "all,secrets,configmaps,pvc,networkpolicies,poddisruptionbudgets", "-n", NS, "-l", `app.kubernetes.io/instance=${NAME}`, "-o", "name"]))
            .trim()
            .split("\n")
            .filter(Boolean);
        const notPvc = left.filter((l) => !l.startsWith("persistentvolumeclaim/"));
        if (notPvc.length) throw new Error(`left behind: ${notPvc.join(", ")}`);
        return `destroyed; left only ${left.length} PVCs (${left.join(", ")})`;
    });
}

/**
 * `pulumi up` again after `destroy`, on the claims Kubernetes kept: no seed is created (an
 * empty seed master would make the kept replicas resync from it), the pods elect the master
 * with the newest data (the cold-start path), and every write acknowledged before the destroy
 * is there.
 */
export async function recreateFromPvcsStep(ctx: StepContext): Promise<void> {
    await ctx.recorder.step("recreate-from-pvcs", async () => {
        const t0 = Date.now();
        const claims = (await ctx.cluster.kubectl(["get", "pvc", "-n", NS, "-l", `app.kubernetes.io/instance=${NAME}`, "-o", "name"])).trim().split("\n").filter(Boolean);
        if (!claims.length) throw new Error("no claims were kept by destroy");
        const r = await up(ctx);
        const seedCreated = ctx.events.some((e) => e.kind === "Pod" && e.name === names(3, 3).seedPod && e.at >= t0 && e.type === "ADDED");
        if (seedCreated) throw new Error("a seed pod was created over the kept volumes");
        const seedLine = /\[seed-pod [^\]]*\] ([^\n]*claim[^\n]*)/.exec(r.stdout)?.[1];
        const topo = mustBeWhole(await awaitTopology(ctx, 3, 3, 180_000));
        const pw = await password(ctx);
        const lost = await ctx.app.lost(pw);
        if (lost.missing.length) throw new Error(`${lost.missing.length} of ${lost.checked} writes acknowledged before the destroy are missing, e.g. ${lost.missing.slice(0, 3).join(", ")}`);
        const upSeconds = Math.round((Date.now() - t0) / 1000);
        return [
            `up on ${claims.length} kept claims in ${upSeconds} s, no seed pod (${seedLine ?? "no seed-pod line"})`,
            topo,
            `${lost.checked} writes acknowledged before the destroy all on the elected master`,
        ].join("\n");
    });
    await ctx.pulumi.ok(REPO_ROOT, ["destroy", "--yes", "--skip-preview", "--stack", STACK], 15 * 60_000);
}
