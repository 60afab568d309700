/**
 * The seed procedure end to end on real redis-server/redis-sentinel processes, run
 * through the ConfigMap's scripts: seed pod, Sentinel Service, then the Redis and
 * Sentinel sets of 3, all linked; then restarts of each kind of pod.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ContinuousWriter, finishScenario, redisCli, Topology } from "../../harness";

describe("scripts: seed procedure and pod restarts (real processes)", function () {
    this.timeout(90_000);
    let t: Topology;
    let writer: ContinuousWriter | undefined;

    before(async () => {
        t = await Topology.create({ downAfterMs: 2000 });
    });
    let failed = false;
    afterEach(async function () {
        if (this.currentTest?.state === "failed") failed = true;
        await writer?.stop(2000);
        writer = undefined;
    });
    after(async () => {
        await t?.stopAll({ keepDir: failed || !!process.env.KEEP });
        if (failed) console.log(`      logs kept in ${t?.dir}`);
    });

    it("seed, Sentinel Service, then 3 Redis and 3 Sentinel pods: one master, all linked, by host name", async () => {
        await t.startSeed();
        await t.startSentinelService();
        await t.waitHealthy({ master: t.seedPod().host, timeoutMs: 15_000 });
        writer = new ContinuousWriter({ redis: t.clientOptions() }).start();
        await t.startRedisPods();
        await t.startSentinelPods();
        const s = await t.waitHealthy({ master: t.seedPod().host, timeoutMs: 40_000 });
        assert.equal(s.redis.length, 4);
        assert.equal(s.sentinels.length, 4);

        // Replicas are announced by host name and connect from their own address.
        const info = await t.info(t.seedPod().name);
        for (const p of t.redisPods()) {
            assert.ok(Object.values(info).some((v) => v.startsWith(`ip=${p.host},port=6379,`)), `master INFO lists ${p.host}: ${JSON.stringify(info)}`);
        }
        const clients = await t.cli(t.seedPod().name, "redis", "CLIENT", "LIST", "TYPE", "replica");
        for (const p of t.redisPods()) assert.match(clients, new RegExp(`addr=${p.address.replace(/\./g, "\\.")}:`), `replica ${p.name} connects from ${p.address}`);

        // Readiness means something: every container is ready now.
        for (const p of t.pods) for (const c of p.containers) assert.deepEqual(await t.probe(p.name, c), { ready: true, output: "" }, `${p.name}/${c}`);

        const end = await finishScenario(t, writer);
        writer = undefined;
        assert.equal(end.master, t.seedPod().host);
        assert.equal(end.report.errors, 0, JSON.stringify(end.report));
    });

    it("never puts the password on a command line or in a log, and keeps config files private", async () => {
        const ps = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
        assert.ok(!ps.includes(t.password), "password visible in ps");
        for (const p of t.pods) {
            for (const c of p.containers) assert.ok(!t.logs(p.name, c).includes(t.password), `password in ${p.name}/${c} log`);
            for (const f of [path.join(p.dir, "data", "redis.conf"), path.join(p.dir, "sentinel", "sentinel.conf")]) {
                if (fs.existsSync(f)) assert.equal(fs.statSync(f).mode & 0o077, 0, `${f} is readable by others`);
            }
        }
        // Without the password, neither Redis nor Sentinel (through the Service) answers.
        // (async: the Sentinel Service proxy runs in this process)
        const unauth = await redisCli(t.seedPod().address, 6379, undefined, ["GET", "x"]);
        assert.match(unauth.out, /NOAUTH/);
        const unauthSentinel = await redisCli(t.serviceAddress, 26379, undefined, ["SENTINEL", "masters"]);
        assert.match(unauthSentinel.out, /NOAUTH/);
    });

    it("a replica pod and a sentinel pod restarted (SIGKILL, then SIGTERM) rejoin; the master stays", async () => {
        writer = new ContinuousWriter({ redis: t.clientOptions() }).start();
        const replica = t.redisPods()[1].name;
        const sentinel = t.sentinelPods()[1].name;
        await t.restartPod(replica, { signal: "SIGKILL" });
        await t.restartPod(sentinel, { signal: "SIGKILL" });
        await t.waitHealthy({ master: t.seedPod().host, timeoutMs: 30_000 });
        await t.restartPod(replica, { signal: "SIGTERM" });
        await t.restartPod(sentinel, { signal: "SIGTERM", fresh: true }); // a sentinel that lost its volume
        await t.waitHealthy({ master: t.seedPod().host, timeoutMs: 30_000 });
        assert.match(t.logs(sentinel, "sentinel"), /monitoring rs\d+-seed\.[^ ]* with the state kept on the volume/);
        const end = await finishScenario(t, writer);
        writer = undefined;
        assert.equal(end.master, t.seedPod().host);
    });

    it("a seed recreated (fresh volumes) while another pod is master joins it as a replica", async () => {
        writer = new ContinuousWriter({ redis: t.clientOptions() }).start();
        const seed = t.seedPod();
        const after = await t.failover();
        const master = after.masters[0];
        assert.notEqual(master, seed.host);
        await t.killPod(seed.name, "SIGKILL");
        await t.startPod(seed.name, { fresh: true });
        const s = await t.waitHealthy({ master, timeoutMs: 30_000 });
        const seedState = s.redis.find((r) => r.host === seed.host);
        assert.equal(seedState?.role, "slave");
        assert.equal(seedState?.masterHost, master);
        assert.match(t.logs(seed.name, "redis"), /a master already exists at .*: starting as its replica/);
        await finishScenario(t, writer);
        writer = undefined;
    });
});
