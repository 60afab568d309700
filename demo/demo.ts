/**
 * `npm run demo`: the whole topology on real redis-server / redis-sentinel processes,
 * brought up locally through the ConfigMap's scripts (no cluster needed), step by step
 * with timings, then torn down.
 *
 * Steps are plain objects in `steps` (bring-up) and `finalSteps` (verify, tear down);
 * append a step with `steps.push({ title, run })` before calling runDemo(), or pass
 * extra steps: runDemo({ extraSteps: [...] }) runs them after the bring-up.
 */
import { ContinuousWriter, Topology, verifyAcknowledged } from "../tests/harness";
import { retireSeed } from "../src/retirement/retire";
import { harnessTarget, harnessTransport, HarnessSeedPod } from "../tests/integration/retirement/harness-adapter";

export interface DemoContext {
    topology: Topology;
    writer?: ContinuousWriter;
    /** Prints an indented detail line under the current step. */
    say(line: string): void;
}

export interface DemoStep {
    title: string;
    run(ctx: DemoContext): Promise<void>;
}

export interface DemoOptions {
    replicas?: number;
    sentinels?: number;
    extraSteps?: DemoStep[];
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + " ".repeat(n - s.length));

export async function showTopology(ctx: DemoContext): Promise<void> {
    const t = ctx.topology;
    const s = await t.snapshot();
    ctx.say(`${pad("pod", 16)}${pad("address", 14)}${pad("container", 10)}${pad("role", 10)}${pad("detail", 52)}ready`);
    for (const p of t.pods) {
        for (const c of p.containers) {
            if (!t.isRunning(p.name, c)) continue;
            let role = "";
            let detail = "";
            if (c === "redis") {
                const r = s.redis.find((x) => x.pod === p.name);
                role = r?.role ?? "down";
                detail = r?.role === "slave" ? `of ${r.masterHost?.split(".")[0]} link ${r.linkUp ? "up" : "down"}` : `offset ${r?.offset ?? 0}, ${r?.keys ?? 0} keys`;
            } else {
                const x = s.sentinels.find((y) => y.pod === p.name);
                role = "sentinel";
                detail = `master ${x?.masterHost?.split(".")[0]}, ${x?.replicas} replicas, ${x?.otherSentinels} other sentinels`;
            }
            const probe = await t.probe(p.name, c);
            ctx.say(`${pad(p.name, 16)}${pad(p.address, 14)}${pad(c, 10)}${pad(role, 10)}${pad(detail, 52)}${probe.ready ? "yes" : `no (${probe.output})`}`);
        }
    }
    ctx.say(`Sentinel Service ${t.serviceHost}:${t.servicePort} names ${(await t.serviceMaster()) ?? "no master"}`);
}

export const steps: DemoStep[] = [
    {
        title: "start the seed pod: redis (seed-master.sh) + sentinel (seed-sentinel.sh)",
        async run(ctx) {
            const t = ctx.topology;
            await t.startSeed();
            await t.startSentinelService();
            await t.waitHealthy({ master: t.seedPod().host, timeoutMs: 20_000 });
            ctx.say(`${t.seedPod().host} is master; its sentinel monitors it`);
        },
    },
    {
        title: "Sentinel Service answers (a TCP proxy standing in for the ClusterIP Service)",
        async run(ctx) {
            const t = ctx.topology;
            ctx.say(`${t.serviceHost}:${t.servicePort} -> SENTINEL get-master-addr-by-name ${t.masterName}: ${await t.serviceMaster()}`);
            ctx.writer = new ContinuousWriter({ redis: t.clientOptions() }).start();
            ctx.say("a client writes 50 keys/s through the Sentinel Service (ioredis, sentinel mode)");
        },
    },
    {
        title: "start the Redis set (replica.sh): each asks the Sentinel Service for the master",
        async run(ctx) {
            const t = ctx.topology;
            await t.startRedisPods();
            await t.waitHealthy({ master: t.seedPod().host, timeoutMs: 40_000 });
            ctx.say(`${t.redisPods().length} replicas linked to ${t.seedPod().name}`);
        },
    },
    {
        title: "start the Sentinel set (sentinel.sh): each asks the Sentinel Service, then monitors",
        async run(ctx) {
            const t = ctx.topology;
            await t.startSentinelPods();
            const s = await t.waitHealthy({ master: t.seedPod().host, timeoutMs: 40_000 });
            ctx.say(`${s.sentinels.length} sentinels agree on the master and see each other`);
        },
    },
    { title: "the topology", run: showTopology },
];

// The seed retirement (src/retirement): the same retireSeed() the SeedRetirement dynamic
// provider runs, over a local transport (redis-cli on loopback, handover.sh run with the seed
// container's environment) in place of Kubernetes exec.
steps.push(
    {
        title: "retire the seed: in the seed pod (handover.sh) pause writes, replicas catch up, SENTINEL FAILOVER, confirm, move clients; then delete the seed pod, SENTINEL RESET",
        async run(ctx) {
            const t = ctx.topology;
            const res = await retireSeed({
                transport: harnessTransport(t),
                seedPod: new HarnessSeedPod(t),
                target: harnessTarget(t),
                timeoutMs: 120_000,
                log: (line) => ctx.say(line),
            });
            ctx.say(`new master: ${res.newMaster.split(".")[0]} (${res.newMaster})`);
            ctx.say(`writes paused ${res.writePauseMs} ms (SENTINEL FAILOVER to clients moved: ${res.failoverMs} ms${res.convergedMs !== undefined ? `, every sentinel named it after ${res.convergedMs} ms` : ""}); seed pod ${res.seedPod}`);
            ctx.say(`phases: ${res.phases.map((p) => `${p.name} ${p.durationMs} ms`).join(", ")}`);
        },
    },
    { title: "the topology after the retirement", run: showTopology },
);

export const finalSteps: DemoStep[] = [
    {
        title: "stop the writer; check every acknowledged write is on the master",
        async run(ctx) {
            const writer = ctx.writer;
            if (!writer) return;
            ctx.writer = undefined;
            const report = await writer.stop();
            const v = await verifyAcknowledged(writer.acked, ctx.topology.clientOptions());
            ctx.say(`${report.acked} acknowledged, ${report.errors} errors, longest gap ${report.longestGapMs} ms`);
            ctx.say(`verified on the master: ${v.checked - v.missing.length - v.wrong.length} of ${v.checked} present`);
            if (v.missing.length || v.wrong.length) throw new Error(`${v.missing.length} acknowledged writes missing, ${v.wrong.length} wrong`);
        },
    },
];

export async function runDemo(options: DemoOptions = {}): Promise<void> {
    const started = Date.now();
    const stamp = (): string => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`;
    const topology = await Topology.create({ replicas: options.replicas ?? 3, sentinels: options.sentinels ?? 3 });
    const ctx: DemoContext = { topology, say: (line) => console.log(`          ${line}`) };
    console.log(`${stamp()} loopback pods in 127.0.${topology.name.slice(2)}.0/24, names in /etc/hosts, files in ${topology.dir}`);
    let failed = false;
    try {
        for (const step of [...steps, ...(options.extraSteps ?? []), ...finalSteps]) {
            const t0 = Date.now();
            console.log(`${stamp()} ${step.title}`);
            await step.run(ctx);
            console.log(`${stamp()}   done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        }
    } catch (e) {
        failed = true;
        console.error(`${stamp()} FAILED: ${(e as Error).message}`);
        console.error(`          logs kept in ${topology.dir}`);
    } finally {
        await ctx.writer?.stop(2000);
        console.log(`${stamp()} tear down: kill every process, remove the /etc/hosts block${failed ? "" : " and the temp dir"}`);
        await topology.stopAll({ keepDir: failed });
        console.log(`${stamp()} ${failed ? "demo failed" : "demo done"}`);
    }
    if (failed) process.exitCode = 1;
}

function argNumber(name: string): number | undefined {
    const a = process.argv.find((x) => x.startsWith(`--${name}=`));
    return a ? Number(a.split("=")[1]) : undefined;
}

if (require.main === module) {
    void runDemo({ replicas: argNumber("replicas"), sentinels: argNumber("sentinels") });
}
