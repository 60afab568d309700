/**
 * e2e step `master-endpoint` (issue 13): the master endpoint on the root stack. Turns it on
 * (`masterEndpoint`, with the kit's node image, whose haproxy is Debian's /usr/sbin/haproxy),
 * checks the outputs and the proxies, then a plain ioredis client (no Sentinel, ioredis
 * defaults) writes through masterHost:masterPort while the master pod is deleted (its preStop
 * hook hands over) and comes back: 0 acknowledged writes lost, 0 client errors, and the
 * endpoint then routes to the new master. The e2e's Sentinel application keeps writing too.
 */
import { deriveNames } from "../../../src/manifests/names";
import { PlainWriter, verifyOnMaster } from "../../harness/plain-writer";
import { REPO_ROOT } from "../lib/kit";
import { awaitTopology, config, mustBeWhole, STACK, statefulSets, up } from "./checks";
import { StepContext } from "./context";

const NS = "default";
const NAME = "redis";
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function secretPassword(ctx: StepContext): Promise<string> {
    const s = await ctx.cluster.kubectlJson<{ data?: { password?: string } }>(["get", "secret", "-n", NS, `${NAME}-auth`]);
    if (!s.data?.password) throw new Error(`secret ${NAME}-auth has no password`);
    return Buffer.from(s.data.password, "base64").toString();
}

/** The role a server reports through a plain connection to host:port (what the endpoint routes to). */
async function roleThrough(host: string, port: number, password: string): Promise<string> {
    const { default: Redis } = await import("ioredis");
    const c = new Redis({ host, port, password, lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on("error", () => undefined);
    try {
        await c.connect();
        const info = await c.info("replication");
        return /role:(\w+)/.exec(info)?.[1] ?? "?";
    } finally {
        c.disconnect();
    }
}

export async function masterEndpointStep(ctx: StepContext): Promise<void> {
    await ctx.recorder.step("master-endpoint", async () => {
        const sets = await statefulSets(ctx, NS);
        const count = (suffix: string) => sets.find((s) => s.metadata.name === `${NAME}-${suffix}`)?.spec.replicas ?? 3;
        const replicas = count("redis");
        const sentinels = count("sentinel");
        const n = deriveNames(NAME, NS, "cluster.local", replicas, sentinels);

        await config(ctx, "masterEndpoint", "true");
        await config(ctx, "masterEndpointImage", ctx.kit.redisImage);
        await up(ctx);
        const outputs = await ctx.pulumi.outputs(REPO_ROOT, STACK);
        const host = String(outputs.masterHost);
        const port = Number(outputs.masterPort);
        if (host !== `${NAME}-master.${NS}.svc.cluster.local` || port !== 6379) throw new Error(`outputs masterHost ${host}, masterPort ${port}`);
        await ctx.cluster.kubectl(["rollout", "status", "-n", NS, `deployment/${NAME}-endpoint`, "--timeout=300s"], 320_000);
        // No restarted proxy (a config haproxy refuses would crash-loop).
        const pods = await ctx.cluster.kubectlJson<{ items: { metadata: { name: string }; status: { containerStatuses?: { restartCount: number; image: string }[] } }[] }>(
            ["get", "pods", "-n", NS, "-l", "app.kubernetes.io/component=endpoint"]);
        const restarts = pods.items.map((p) => `${p.metadata.name}:${p.status.containerStatuses?.[0]?.restartCount ?? "?"}`);
        if (pods.items.length < 2 || pods.items.some((p) => p.status.containerStatuses?.[0]?.restartCount !== 0)) throw new Error(`endpoint pods: ${restarts.join(", ")}`);

        const password = await secretPassword(ctx);
        const before = await awaitTopology(ctx, replicas, sentinels, 60_000);
        mustBeWhole(before);
        // Routes to the master the Sentinels name.
        const deadline = Date.now() + 60_000;
        while ((await roleThrough(host, port, password).catch(() => "refused")) !== "master") {
            if (Date.now() > deadline) throw new Error("the endpoint never routed to a master");
            await sleep(1000);
        }

        const writer = new PlainWriter({ host, port, password, intervalMs: 10 }).start();
        const t0 = Date.now();
        let stopped = false;
        try {
            await sleep(3000);
            if (writer.acked.length === 0) throw new Error(`the plain client got no write acknowledged through the endpoint (errors: ${writer.errors.map((e) => e.message).slice(0, 3).join("; ")})`);
            // A handover: the master pod deleted, as a drain or a rollout does; its preStop hook hands over.
            const oldMaster = before.master!;
            const oldPod = oldMaster.split(".")[0];
            await ctx.cluster.kubectl(["delete", "pod", "-n", NS, oldPod, "--wait=false"]);
            let after = await awaitTopology(ctx, replicas, sentinels, 5 * 60_000);
            const moved = Date.now() + 2 * 60_000;
            while (after.master === oldMaster && Date.now() < moved) after = await awaitTopology(ctx, replicas, sentinels, 60_000);
            const topo = mustBeWhole(after);
            if (after.master === oldMaster) throw new Error(`the master stayed ${oldMaster}`);
            await ctx.cluster.kubectl(["wait", "--for=condition=Ready", "-n", NS, `pod/${oldPod}`, "--timeout=300s"], 320_000);
            await sleep(3000);
            const report = await writer.stop();
            stopped = true;
            const verified = await verifyOnMaster(writer.acked, after.master!, 6379, password);
            if (verified.role !== "master") throw new Error(`verified against a ${verified.role}`);
            const figures = `plain client through ${host}:${port}: ${report.acked} acknowledged, ${report.errors} errors (${report.readonlyErrors} READONLY), ` +
                `longest gap ${report.longestGapMs} ms, ${verified.missing.length} lost`;
            if (report.errors > 0) throw new Error(`${figures}: ${report.errorMessages.join(" | ")}`);
            if (verified.missing.length > 0) throw new Error(`${figures}: e.g. ${verified.missing.slice(0, 3).join(", ")}`);
            const routed = await roleThrough(host, port, password);
            if (routed !== "master") throw new Error(`after the handover the endpoint routes to a ${routed}`);
            const app = ctx.app.window(t0);
            return [
                `outputs masterHost ${host}, masterPort ${port}; endpoint pods ${restarts.join(", ")} (${ctx.kit.redisImage})`,
                `master pod ${oldPod} deleted: master ${oldMaster} -> ${after.master}; ${topo}`,
                figures,
                `Sentinel application meanwhile: ${app.acked} acknowledged, ${app.errors} errors, longest gap ${app.maxGapMs} ms`,
                `headless domain ${n.headlessDomain}`,
            ].join("\n");
        } finally {
            if (!stopped) await writer.stop(2000);
        }
    });
}
