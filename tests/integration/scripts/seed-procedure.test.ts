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
import { topologyPerSuite } from "./topology-per-suite";

describe("scripts: seed procedure and pod restarts (real processes)", function () {
    this.timeout(90_000);
    const suite = topologyPerSuite(() => Topology.create({ downAfterMs: 2000 }));

    it("seed, Sentinel Service, then 3 Redis and 3 Sentinel pods: one master, all linked, by host name", async () => {
        await suite.t.startSeed();
        await suite.t.startSentinelService();
        await suite.t.waitHealthy({ master: suite.t.seedPod().host, timeoutMs: 15_000 });
        suite.writer = new ContinuousWriter({ redis: suite.t.clientOptions() }).start();
        await suite.t.startRedisPods();
        await suite.t.startSentinelPods();
        const s = await suite.t.waitHealthy({ master: suite.t.seedPod().host, timeoutMs: 40_000 });
        assert.equal(s.redis.length, 4);
        assert.equal(s.sentinels.length, 4);

        // Replicas are announced by host name and connect from their own address.
        const info = await suite.t.info(suite.t.seedPod().name);
        for (const p of suite.t.redisPods()) {
            assert.ok(Object.values(info).some((v) => v.startsWith(`ip=${p.host},port=6379,`)), `master INFO lists ${p.host}: ${JSON.stringify(info)}`);
        }
        const clients = await suite.t.cli(suite.t.seedPod().name, "redis", "CLIENT", "LIST", "TYPE", "replica");
        for (const p of suite.t.redisPods()) assert.match(clients, new RegExp(`addr=${p.address.replace(/\./g, "\\.")}:`), `replica ${p.name} connects from ${p.address}`);

        // Readiness means something: every container is ready now.
        for (const p of suite.t.pods) for (const c of p.containers) assert.deepEqual(await suite.t.probe(p.name, c), { ready: true, output: "" }, `${p.name}/${c}`);

        const end = await finishScenario(suite.t, suite.writer);
        suite.writer = undefined;
        assert.equal(end.master, suite.t.seedPod().host);
        assert.equal(end.report.errors, 0, JSON.stringify(end.report));
    });

    it("never puts the password on a command line or in a log, and keeps config files private", async () => {
        const ps = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
        assert.ok(!ps.includes(suite.t.password), "password visible in ps");
        for (const p of suite.t.pods) {
            for (const c of p.containers) assert.ok(!suite.t.logs(p.name, c).includes(suite.t.password), `password in ${p.name}/${c} log`);
            for (const f of [path.join(p.dir, "data", "redis.conf"), path.join(p.dir, "sentinel", "sentinel.conf")]) {
                if (fs.existsSync(f)) assert.equal(fs.statSync(f).mode & 0o077, 0, `${f} is readable by others`);
            }
        }
        // Without the password, neither Redis nor Sentinel (through the Service) answers.
        // (async: the Sentinel Service proxy runs in this process)
        const unauth = await redisCli(suite.t.seedPod().address, 6379, undefined, ["GET", "x"]);
        assert.match(unauth.out, /NOAUTH/);
        const unauthSentinel = await redisCli(suite.t.serviceAddress, 26379, undefined, ["SENTINEL", "masters"]);
        assert.match(unauthSentinel.out, /NOAUTH/);
    });

    it("a replica pod and a sentinel pod restarted (SIGKILL, then SIGTERM) rejoin; the master stays", async () => {
        suite.writer = new ContinuousWriter({ redis: suite.t.clientOptions() }).start();
        const replica = suite.t.redisPods()[1].name;
        const sentinel = suite.t.sentinelPods()[1].name;
        await suite.t.restartPod(replica, { signal: "SIGKILL" });
        await suite.t.restartPod(sentinel, { signal: "SIGKILL" });
        await suite.t.waitHealthy({ master: suite.t.seedPod().host, timeoutMs: 30_000 });
        await suite.t.restartPod(replica, { signal: "SIGTERM" });
        await suite.t.restartPod(sentinel, { signal: "SIGTERM", fresh: true }); // a sentinel that lost its volume
        await suite.t.waitHealthy({ master: suite.t.seedPod().host, timeoutMs: 30_000 });
        assert.match(suite.t.logs(sentinel, "sentinel"), /monitoring rs\d+-seed\.[^ ]* with the state kept on the volume/);
        const end = await finishScenario(suite.t, suite.writer);
        suite.writer = undefined;
        assert.equal(end.master, suite.t.seedPod().host);
    });

    it("a seed recreated (fresh volumes) while another pod is master joins it as a replica", async () => {
        suite.writer = new ContinuousWriter({ redis: suite.t.clientOptions() }).start();
        const seed = suite.t.seedPod();
        const after = await suite.t.failover();
        const master = after.masters[0];
        assert.notEqual(master, seed.host);
        await suite.t.killPod(seed.name, "SIGKILL");
        await suite.t.startPod(seed.name, { fresh: true });
        const s = await suite.t.waitHealthy({ master, timeoutMs: 30_000 });
        const seedState = s.redis.find((r) => r.host === seed.host);
        assert.equal(seedState?.role, "slave");
        assert.equal(seedState?.masterHost, master);
        assert.match(suite.t.logs(seed.name, "redis"), /a master already exists at .*: starting as its replica/);
        await finishScenario(suite.t, suite.writer);
        suite.writer = undefined;
    });
});
