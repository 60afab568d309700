/**
 * Waiting before a master exists, and the master killed: real processes through the
 * ConfigMap's scripts.
 */
import { strict as assert } from "assert";
import { ContinuousWriter, finishScenario, PodInfo, Topology, waitFor } from "../../harness";
import { topologyPerSuite } from "./topology-per-suite";

const DOWN_AFTER_MS = 2000;

describe("scripts: waiting for a master, and master failure (real processes)", function () {
    this.timeout(90_000);
    // A password that needs quoting in redis.conf and sentinel.conf.
    const suite = topologyPerSuite(() => Topology.create({ downAfterMs: DOWN_AFTER_MS, retryMaxS: 2, password: `p@ss "w0rd" \\ $x'y ${Date.now()}` }));

    it("a Sentinel pod and a Redis pod started before any master wait with a clear log line, then join the seed", async () => {
        const sentinel = suite.t.sentinelPods()[0].name;
        const redis = suite.t.redisPods()[0].name;
        await suite.t.startSentinelService();
        await suite.t.startPod(sentinel);
        await suite.t.startPod(redis);
        await waitFor("retry log lines", 10_000, async () =>
            /attempt 3, retry in 2s\)/.test(suite.t.logs(sentinel, "sentinel")) && /cold start: waiting for peers to answer/.test(suite.t.logs(redis, "redis")),
        );
        assert.match(suite.t.logs(sentinel, "sentinel"), /sentinel: no master known by sentinel service rs\d+-sentinel\.default\.svc\.cluster\.local:26379 yet and none serving \(attempt 1, retry in 1s\)/);
        // The backoff is bounded by RS_RETRY_MAX_S (2 s here).
        const delays = [...suite.t.logs(sentinel, "sentinel").matchAll(/retry in (\d+)s/g)].map((m) => Number(m[1]));
        assert.ok(delays.length >= 3 && Math.max(...delays) === 2, `delays ${delays}`);
        // Not ready while waiting.
        assert.equal((await suite.t.probe(sentinel, "sentinel")).ready, false);
        const probe = await suite.t.probe(redis, "redis");
        assert.deepEqual(probe, { ready: false, output: "not ready: waiting in a cold-start election" });

        await suite.t.startSeed();
        await suite.t.startRedisPods();
        await suite.t.startSentinelPods();
        await suite.t.waitHealthy({ master: suite.t.seedPod().host, timeoutMs: 40_000 });
        assert.match(suite.t.logs(suite.t.seedPod().name, "redis"), /first boot: .*starting as master/);
        assert.match(suite.t.logs(redis, "redis"), /replicating from it/);
    });

    it(`master killed (SIGKILL): one new master within down-after (${DOWN_AFTER_MS} ms) + 5 s; the old master returns as a replica`, async () => {
        // Acknowledged = on at least one replica (WAIT 1): replication is asynchronous, so a
        // plain SET acknowledged just before a crash can be lost by design.
        suite.writer = new ContinuousWriter({ redis: suite.t.clientOptions(), waitReplicas: 1 }).start();
        await new Promise((r) => setTimeout(r, 1000));
        const old = suite.t.pod((await suite.t.waitHealthy()).masters[0]);
        const killedAt = Date.now();
        await suite.t.killPod(old.name, "SIGKILL");

        // During the outage a replica is not ready: its link to the master is down.
        const replica = suite.t.redisPods()[1].name;
        const notReady = await waitFor("a replica probe to fail", 5000, async () => {
            const p = await suite.t.probe(replica, "redis");
            return p.ready ? undefined : p;
        });
        assert.match(notReady.output, new RegExp(`not ready: link to master ${old.host} is down`));

        const promoted = await waitFor("a new master named by the Sentinel Service", DOWN_AFTER_MS + 10_000, async () => {
            const m = await suite.t.serviceMaster();
            return m && m !== old.host && (await suite.t.redisState(m)).role === "master" ? m : undefined;
        }, 100);
        const failoverMs = Date.now() - killedAt;
        assert.ok(failoverMs <= DOWN_AFTER_MS + 5000, `new master after ${failoverMs} ms`);

        await suite.t.startPod(old.name); // same volumes: the pod restarted
        const end = await finishScenario(suite.t, suite.writer, 40_000);
        suite.writer = undefined;
        assert.equal(end.master, promoted);
        assert.equal(end.snapshot.redis.find((r) => r.host === old.host)?.masterHost, promoted);
        assert.match(suite.t.logs(old.name, "redis"), /a master already exists at .*: starting as its replica/);
        console.log(`      failover ${failoverMs} ms after SIGKILL; writer: ${end.report.acked} acked, ${end.report.errors} errors, longest gap ${end.report.longestGapMs} ms`);
    });

    it("pods rescheduled with a new IP (a replica, a sentinel, then the master) are found again by host name", async () => {
        suite.writer = new ContinuousWriter({ redis: suite.t.clientOptions(), waitReplicas: 1 }).start();
        const master = suite.t.pod((await suite.t.waitHealthy()).masters[0]);
        const replica = suite.t.redisPods().find((p) => p !== master) as PodInfo;
        const newAddress = await suite.t.reschedulePod(replica.name);
        await suite.t.waitHealthy({ master: master.host, timeoutMs: 30_000 });
        const clients = await suite.t.cli(master.name, "redis", "CLIENT", "LIST", "TYPE", "replica");
        assert.match(clients, new RegExp(`addr=${newAddress.replace(/\./g, "\\.")}:`), "the replica syncs from its new address");

        await suite.t.reschedulePod(suite.t.sentinelPods()[2].name);
        await suite.t.waitHealthy({ master: master.host, timeoutMs: 30_000 });

        // The master back within down-after at a new address: the sentinels reach it by
        // name, so it stays master (no failover), with its data.
        const masterAddress = await suite.t.reschedulePod(master.name);
        await new Promise((r) => setTimeout(r, DOWN_AFTER_MS + 2000));
        const end = await finishScenario(suite.t, suite.writer, 40_000);
        suite.writer = undefined;
        assert.equal(end.master, master.host);
        for (const x of end.snapshot.sentinels) assert.equal(x.flags, "master", `sentinel ${x.pod} flags`);
        assert.match(suite.t.logs(master.name, "redis"), /names this pod as master: starting as master/);
        assert.equal(suite.t.resolve(master.host).address, masterAddress);
    });
});
