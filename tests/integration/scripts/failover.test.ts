/**
 * Waiting before a master exists, and the master killed: real processes through the
 * ConfigMap's scripts.
 */
import { strict as assert } from "assert";
import { ContinuousWriter, finishScenario, PodInfo, Topology, waitFor } from "../../harness";

const DOWN_AFTER_MS = 2000;

describe("scripts: waiting for a master, and master failure (real processes)", function () {
    this.timeout(90_000);
    let t: Topology;
    let writer: ContinuousWriter | undefined;

    before(async () => {
        // A password that needs quoting in redis.conf and sentinel.conf.
        t = await Topology.create({ downAfterMs: DOWN_AFTER_MS, retryMaxS: 2, password: `p@ss "w0rd" \\ $x'y ${Date.now()}` });
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

    it("a Sentinel pod and a Redis pod started before any master wait with a clear log line, then join the seed", async () => {
        const sentinel = t.sentinelPods()[0].name;
        const redis = t.redisPods()[0].name;
        await t.startSentinelService();
        await t.startPod(sentinel);
        await t.startPod(redis);
        await waitFor("retry log lines", 10_000, async () =>
            /attempt 3, retry in 2s\)/.test(t.logs(sentinel, "sentinel")) && /cold start: waiting for peers to answer/.test(t.logs(redis, "redis")),
        );
        assert.match(t.logs(sentinel, "sentinel"), /sentinel: no master known by sentinel service rs\d+-sentinel\.default\.svc\.cluster\.local:26379 yet and none serving \(attempt 1, retry in 1s\)/);
        // The backoff is bounded by RS_RETRY_MAX_S (2 s here).
        const delays = [...t.logs(sentinel, "sentinel").matchAll(/retry in (\d+)s/g)].map((m) => Number(m[1]));
        assert.ok(delays.length >= 3 && Math.max(...delays) === 2, `delays ${delays}`);
        // Not ready while waiting.
        assert.equal((await t.probe(sentinel, "sentinel")).ready, false);
        const probe = await t.probe(redis, "redis");
        assert.deepEqual(probe, { ready: false, output: "not ready: waiting in a cold-start election" });

        await t.startSeed();
        await t.startRedisPods();
        await t.startSentinelPods();
        await t.waitHealthy({ master: t.seedPod().host, timeoutMs: 40_000 });
        assert.match(t.logs(t.seedPod().name, "redis"), /first boot: .*starting as master/);
        assert.match(t.logs(redis, "redis"), /replicating from it/);
    });

    it(`master killed (SIGKILL): one new master within down-after (${DOWN_AFTER_MS} ms) + 5 s; the old master returns as a replica`, async () => {
        // Acknowledged = on at least one replica (WAIT 1): replication is asynchronous, so a
        // plain SET acknowledged just before a crash can be lost by design.
        writer = new ContinuousWriter({ redis: t.clientOptions(), waitReplicas: 1 }).start();
        await new Promise((r) => setTimeout(r, 1000));
        const old = t.pod((await t.waitHealthy()).masters[0]);
        const killedAt = Date.now();
        await t.killPod(old.name, "SIGKILL");

        // During the outage a replica is not ready: its link to the master is down.
        const replica = t.redisPods()[1].name;
        const notReady = await waitFor("a replica probe to fail", 5000, async () => {
            const p = await t.probe(replica, "redis");
            return p.ready ? undefined : p;
        });
        assert.match(notReady.output, new RegExp(`not ready: link to master ${old.host} is down`));

        const promoted = await waitFor("a new master named by the Sentinel Service", DOWN_AFTER_MS + 10_000, async () => {
            const m = await t.serviceMaster();
            return m && m !== old.host && (await t.redisState(m)).role === "master" ? m : undefined;
        }, 100);
        const failoverMs = Date.now() - killedAt;
        assert.ok(failoverMs <= DOWN_AFTER_MS + 5000, `new master after ${failoverMs} ms`);

        await t.startPod(old.name); // same volumes: the pod restarted
        const end = await finishScenario(t, writer, 40_000);
        writer = undefined;
        assert.equal(end.master, promoted);
        assert.equal(end.snapshot.redis.find((r) => r.host === old.host)?.masterHost, promoted);
        assert.match(t.logs(old.name, "redis"), /a master already exists at .*: starting as its replica/);
        console.log(`      failover ${failoverMs} ms after SIGKILL; writer: ${end.report.acked} acked, ${end.report.errors} errors, longest gap ${end.report.longestGapMs} ms`);
    });

    it("pods rescheduled with a new IP (a replica, a sentinel, then the master) are found again by host name", async () => {
        writer = new ContinuousWriter({ redis: t.clientOptions(), waitReplicas: 1 }).start();
        const master = t.pod((await t.waitHealthy()).masters[0]);
        const replica = t.redisPods().find((p) => p !== master) as PodInfo;
        const newAddress = await t.reschedulePod(replica.name);
        await t.waitHealthy({ master: master.host, timeoutMs: 30_000 });
        const clients = await t.cli(master.name, "redis", "CLIENT", "LIST", "TYPE", "replica");
        assert.match(clients, new RegExp(`addr=${newAddress.replace(/\./g, "\\.")}:`), "the replica syncs from its new address");

        await t.reschedulePod(t.sentinelPods()[2].name);
        await t.waitHealthy({ master: master.host, timeoutMs: 30_000 });

        // The master back within down-after at a new address: the sentinels reach it by
        // name, so it stays master (no failover), with its data.
        const masterAddress = await t.reschedulePod(master.name);
        await new Promise((r) => setTimeout(r, DOWN_AFTER_MS + 2000));
        const end = await finishScenario(t, writer, 40_000);
        writer = undefined;
        assert.equal(end.master, master.host);
        for (const x of end.snapshot.sentinels) assert.equal(x.flags, "master", `sentinel ${x.pod} flags`);
        assert.match(t.logs(master.name, "redis"), /names this pod as master: starting as master/);
        assert.equal(t.resolve(master.host).address, masterAddress);
    });
});
