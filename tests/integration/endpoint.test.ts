/**
 * The master endpoint on real processes: a real `haproxy` running the configuration the
 * manifests ship (tests/harness/endpoint-proxy.ts) in front of real redis-server /
 * redis-sentinel processes run by the role scripts (tests/harness). A plain ioredis client
 * (no Sentinel, ioredis defaults, no READONLY handling) writes through it across:
 *  - the seed retirement (retireSeed, the provider's logic, over the local transport),
 *  - a preStop handover (the hook the kubelet runs, then SIGTERM),
 *  - an unplanned master loss (SIGKILL; acknowledged after WAIT 1, as replication is asynchronous).
 * Promised: 0 acknowledged writes lost (all on the final master) in every scenario; 0 client
 * errors (none READONLY) across the planned ones and across the master loss (which lasts
 * down-after-milliseconds + the failover, within ioredis's default 20 reconnections).
 * And the routing rules: a master whose writes are paused gets no connection and its
 * sessions are cut; a server that answers role master but that the Sentinels do not name
 * (a second master) gets no connection.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as path from "path";
import Redis from "ioredis";
import { retireSeed } from "../../src/retirement/retire";
import { PodInfo, Topology, waitFor } from "../harness";
import { EndpointProxy } from "../harness/endpoint-proxy";
import { PlainWriter, PlainWriterReport, verifyOnMaster } from "../harness/plain-writer";
import { harnessTarget, harnessTransport, HarnessSeedPod, quickSentinels } from "./retirement/harness-adapter";

const DOWN_AFTER_MS = 2000;
const logs: string[] = [];
const log = (line: string): void => void logs.push(`${new Date().toISOString().slice(11, 23)} ${line}`);

/** The kubelet's way to stop a pod: the preStop hook (bounded), then SIGTERM to the container. */
async function stopLikeKubelet(t: Topology, pod: PodInfo): Promise<string> {
    const hook = spawn("sh", [path.join(t.scriptsDir, "prestop-redis.sh")], { env: t.containerEnv(pod), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    hook.stdout!.on("data", (d) => (output += d));
    hook.stderr!.on("data", (d) => (output += d));
    const grace = setTimeout(() => process.kill(-(hook.pid as number), "SIGKILL"), 30_000);
    await new Promise((r) => hook.once("exit", r));
    clearTimeout(grace);
    await t.killPod(pod.name, "SIGTERM", 30_000);
    return output;
}

async function master(t: Topology, notMaster?: string): Promise<PodInfo> {
    const snapshot = await t.waitHealthy({ timeoutMs: 30_000, ...(notMaster ? { notMaster } : {}) });
    assert.equal(snapshot.masters.length, 1, `masters: ${snapshot.masters.join(", ")}`);
    return t.pod(snapshot.masters[0]);
}

/** Every acknowledged write is on the (single) master; returns the writer's report. */
async function assertNoneLost(t: Topology, writer: PlainWriter, report: PlainWriterReport): Promise<void> {
    const m = await master(t);
    const a = t.resolve(m.host);
    const v = await verifyOnMaster(writer.acked, a.address, a.redisPort, t.password);
    assert.equal(v.role, "master");
    assert.ok(report.acked > 20, `only ${report.acked} writes acknowledged`);
    assert.deepEqual(v.missing.slice(0, 5), [], `${v.missing.length} of ${report.acked} acknowledged writes missing on ${m.name}`);
}

describe("master endpoint: HAProxy with the shipped config in front of real processes", function () {
    this.timeout(240_000);
    let t: Topology;
    let proxy: EndpointProxy;
    const writers: PlainWriter[] = [];
    const write = (extra: Partial<ConstructorParameters<typeof PlainWriter>[0]> = {}): PlainWriter => {
        const w = new PlainWriter({ host: proxy.address, port: proxy.port, password: t.password, ...extra }).start();
        writers.push(w);
        return w;
    };

    before(async function () {
        this.timeout(120_000);
        t = await Topology.create({ replicas: 3, sentinels: 3, downAfterMs: DOWN_AFTER_MS });
        await t.startAll();
        await quickSentinels(t);
        proxy = await EndpointProxy.start(t);
    });
    afterEach(async function () {
        for (const w of writers.splice(0)) await w.stop(1000);
        if (this.currentTest?.state === "failed") console.log(`${logs.join("\n")}\n--- haproxy ---\n${proxy?.logs().slice(-6000)}`);
        logs.length = 0;
    });
    after(async () => {
        await proxy?.stop();
        await t?.stopAll();
    });

    it("routes to the seed while it is master, and only to it", async () => {
        const c = new Redis({ host: proxy.address, port: proxy.port, password: t.password, lazyConnect: true });
        try {
            await c.connect();
            const info = await c.info("server");
            assert.match(info, new RegExp(`tcp_port:6379`));
            const role = (await c.role()) as unknown[];
            assert.equal(role[0], "master");
            const replicas = (role[2] as string[][]).map((r) => r[0]).sort();
            assert.deepEqual(replicas, t.redisPods().map((p) => p.host).sort(), "the endpoint reaches the seed, whose replicas are the Redis pods");
        } finally {
            c.disconnect();
        }
    });

    it("the seed retirement: 0 lost, 0 client errors, no READONLY", async () => {
        const writer = write();
        await new Promise((r) => setTimeout(r, 1000));
        const result = await retireSeed({
            transport: harnessTransport(t), seedPod: new HarnessSeedPod(t), target: harnessTarget(t), timeoutMs: 60_000, pollMs: 200, log,
        });
        log(`retired: new master ${result.newMaster}`);
        await new Promise((r) => setTimeout(r, 1000));
        const report = await writer.stop();
        log(`writer: ${JSON.stringify(report)}`);
        assert.equal(report.errors, 0, `client errors: ${report.errorMessages.join("; ")}`);
        assert.equal(report.unsettled, 0);
        assert.notEqual((await master(t)).kind, "seed");
        await assertNoneLost(t, writer, report);
        assert.ok(report.longestGapMs < 5000, `writes stalled ${report.longestGapMs} ms`);
    });

    it("a preStop handover of the master: 0 lost, 0 client errors, no READONLY", async () => {
        const old = await master(t);
        const writer = write();
        await new Promise((r) => setTimeout(r, 1000));
        const hook = await stopLikeKubelet(t, old);
        log(`hook: ${hook}`);
        await master(t, old.host);
        await new Promise((r) => setTimeout(r, 1000));
        const report = await writer.stop();
        log(`writer: ${JSON.stringify(report)}`);
        assert.match(hook, /clients moved to/, "the hook handed over");
        assert.equal(report.errors, 0, `client errors: ${report.errorMessages.join("; ")}`);
        await assertNoneLost(t, writer, report);
        assert.ok(report.longestGapMs < 5000, `writes stalled ${report.longestGapMs} ms`);
        await t.startPod(old.name);
        await t.waitHealthy({ timeoutMs: 30_000 });
    });

    it("an unplanned master loss (SIGKILL): 0 acknowledged writes lost, 0 client errors with ioredis defaults", async () => {
        const old = await master(t);
        const writer = write({ waitReplicas: 1 });
        await new Promise((r) => setTimeout(r, 1000));
        const killedAt = Date.now();
        await t.killPod(old.name, "SIGKILL");
        await master(t, old.host);
        await waitFor("a write acknowledged through the endpoint after the kill", 30_000, async () => writer.acked.some((a) => a.ackAt > killedAt + 100), 50);
        const writableAfter = writer.acked.find((a) => a.ackAt > killedAt + 100)!.ackAt - killedAt;
        log(`writable ${writableAfter} ms after the kill`);
        await new Promise((r) => setTimeout(r, 1000));
        // The old master comes back as a replica; the endpoint must not route to it.
        await t.startPod(old.name);
        await t.waitHealthy({ notMaster: old.host, timeoutMs: 30_000 });
        await new Promise((r) => setTimeout(r, 1000));
        const report = await writer.stop();
        log(`writer: ${JSON.stringify(report)}`);
        assert.equal(report.errors, 0, `client errors: ${report.errorMessages.join("; ")}`);
        await assertNoneLost(t, writer, report);
        assert.ok(writableAfter < DOWN_AFTER_MS + 5000, `writable again ${writableAfter} ms after the kill`);
    });

    it("a master whose writes are paused gets no new connection and its sessions are cut", async () => {
        const m = await master(t);
        const held = new Redis({ host: proxy.address, port: proxy.port, password: t.password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        held.on("error", () => undefined);
        await held.connect();
        let closed = false;
        held.on("close", () => (closed = true));
        await t.cli(m.name, "redis", "CLIENT", "PAUSE", "3000", "WRITE");
        try {
            await waitFor("the endpoint to cut the session to the paused master", 1000, async () => closed, 20);
            // Every master candidate is paused or a replica: the endpoint refuses, it does not route to a replica.
            const probe = new Redis({ host: proxy.address, port: proxy.port, password: t.password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
            probe.on("error", () => undefined);
            await assert.rejects(probe.connect().then(() => probe.ping()));
            probe.disconnect();
        } finally {
            held.disconnect();
            await t.cli(m.name, "redis", "CLIENT", "UNPAUSE");
        }
        await waitFor("the endpoint to route again once the pause ends", 5000, () => proxy.routes(), 50);
    });

    it("a second server answering role master, that the Sentinels do not name, gets no connection", async () => {
        // The rogue comes before the master in the servers' order, so that a rule picking the
        // first server answering role master would pick it.
        const candidates = () => [t.seedPod(), ...t.redisPods()].filter((p) => t.isRunning(p.name, "redis"));
        let m = await master(t);
        for (let i = 0; i < 5 && candidates()[0].host === m.host; i++) {
            await t.failover();
            m = await master(t, m.host);
        }
        const rogue = candidates()[0];
        assert.notEqual(rogue.host, m.host);
        await waitFor("the endpoint to route to the master", 10_000, () => proxy.routes(), 50);
        await t.cli(rogue.name, "redis", "REPLICAOF", "NO", "ONE");
        try {
            // Long enough for several checks to see both as role master.
            await new Promise((r) => setTimeout(r, 1000));
            for (let i = 0; i < 20; i++) {
                const c = new Redis({ host: proxy.address, port: proxy.port, password: t.password, lazyConnect: true });
                await c.connect();
                const replicationId = (await c.info("replication")).match(/master_replid:(\w+)/)?.[1];
                const mine = (await t.info(m.name)).master_replid;
                c.disconnect();
                assert.equal(replicationId, mine, `connection ${i} reached ${rogue.name}, a master the Sentinels do not name`);
            }
        } finally {
            await t.cli(rogue.name, "redis", "REPLICAOF", m.host, "6379");
        }
    });
});
