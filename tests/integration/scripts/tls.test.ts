/**
 * TLS on (RS_TLS=yes), on real redis-server / redis-sentinel processes run through the
 * ConfigMap's scripts, with certificates made by openssl (a CA and one server certificate
 * whose SANs are every pod's host name and the Sentinel Service's): the seed procedure end to
 * end, probes, a stopping master handing over (SIGTERM: the preStop handover), with an
 * ioredis application writing over TLS through the Sentinel Service all along. The plain-text
 * ports are closed and a client that does not trust the CA is refused.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Redis from "ioredis";
import { createSentinel } from "redis";
import { ContinuousWriter, finishScenario, redisCli, Topology } from "../../harness";

describe("scripts: TLS end to end (real processes, openssl certificates)", function () {
    this.timeout(120_000);
    let t: Topology;
    let writer: ContinuousWriter | undefined;
    let failed = false;

    before(async () => {
        t = await Topology.create({ downAfterMs: 3000, tls: true });
    });
    afterEach(async function () {
        if (this.currentTest?.state === "failed") failed = true;
        await writer?.stop(2000);
        writer = undefined;
    });
    after(async () => {
        await t?.stopAll({ keepDir: failed || !!process.env.KEEP });
        if (failed) console.log(`      logs kept in ${t?.dir}`);
    });

    it("seed, Sentinel Service, both sets over TLS: one master, all linked; an ioredis writer through Sentinel loses nothing", async () => {
        await t.startSeed();
        await t.startSentinelService();
        await t.waitHealthy({ master: t.seedPod().host, timeoutMs: 20_000 });
        writer = new ContinuousWriter({ redis: t.clientOptions() }).start();
        await t.startRedisPods();
        await t.startSentinelPods();
        const s = await t.waitHealthy({ master: t.seedPod().host, timeoutMs: 45_000 });
        assert.equal(s.redis.length, 4);
        assert.equal(s.sentinels.length, 4);

        // The servers run with the plain-text port closed and replicate over TLS.
        const conf = fs.readFileSync(path.join(t.seedPod().dir, "data", "redis.conf"), "utf8");
        assert.match(conf, /^port 0$/m);
        assert.match(conf, /^tls-port 6379$/m);
        assert.match(conf, /^tls-replication yes$/m);
        const sconf = fs.readFileSync(path.join(t.sentinelPods()[0].dir, "sentinel", "sentinel.conf"), "utf8");
        assert.match(sconf, /^port 0$/m);
        assert.match(sconf, /^tls-port 26379$/m);
        for (const p of t.pods) for (const c of p.containers) assert.deepEqual(await t.probe(p.name, c), { ready: true, output: "" }, `${p.name}/${c}`);

        const end = await finishScenario(t, writer);
        writer = undefined;
        assert.equal(end.master, t.seedPod().host);
        assert.equal(end.report.errors, 0, JSON.stringify(end.report));
        assert.ok(end.report.acked > 20, `writes acknowledged: ${end.report.acked}`);
    });

    it("refuses plain-text connections on every Redis and Sentinel port, and the Sentinel Service", async () => {
        const targets = [
            ...t.pods.flatMap((p) => p.containers.map((c) => ({ what: `${p.name}/${c}`, address: p.address, port: c === "redis" ? 6379 : 26379 }))),
            { what: "sentinel service", address: t.serviceAddress, port: 26379 },
        ];
        for (const x of targets) {
            const plain = await redisCli(x.address, x.port, t.password, ["PING"]);
            assert.ok(!plain.ok && plain.out !== "PONG", `${x.what}: plain text answered ${plain.out}`);
            const tls = await t.rcli(x.address, x.port, ["PING"]);
            assert.equal(tls.out, "PONG", `${x.what} over TLS`);
        }
    });

    it("refuses a client that does not trust the CA (redis-cli and ioredis), and ioredis checks the host name", async () => {
        const other = path.join(t.dir, "untrusted-ca.crt");
        fs.writeFileSync(other, t.tls!.untrustedCa);
        const cli = await redisCli(t.seedPod().address, 6379, t.password, ["--tls", "--cacert", other, "PING"]);
        assert.ok(!cli.ok, `redis-cli with another CA: ${cli.out}`);

        const attempt = async (host: string, ca: string): Promise<string> => {
            const c = new Redis({ host, port: 6379, password: t.password, tls: { ca }, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 3000 });
            let lastError = "";
            c.on("error", (e: Error) => (lastError = e.message));
            try {
                await c.connect();
                return String(await c.ping());
            } catch (e) {
                return `refused: ${lastError || (e as Error).message}`;
            } finally {
                c.disconnect();
            }
        };
        assert.equal(await attempt(t.seedPod().host, t.tls!.ca), "PONG");
        assert.match(await attempt(t.seedPod().host, t.tls!.untrustedCa), /^refused: .*(self[- ]signed|unable to verify|certificate)/i);
        // A name the certificate does not carry (the pod's bare address) is refused too.
        assert.match(await attempt(t.seedPod().address, t.tls!.ca), /^refused: .*(altnames|does not match|IP: )/i);
    });

    it("node-redis (createSentinel) with the README's TLS options writes and reads through the Sentinel Service; without the CA it is refused", async () => {
        const client = (ca?: string) => createSentinel({
            name: t.masterName,
            sentinelRootNodes: [{ host: t.serviceHost, port: t.servicePort }],
            nodeClientOptions: { password: t.password, socket: { tls: true, ca, connectTimeout: 2000, reconnectStrategy: false } },
            sentinelClientOptions: { password: t.password, socket: { tls: true, ca, connectTimeout: 2000, reconnectStrategy: false } },
        });
        const good = client(t.tls!.ca);
        good.on("error", () => undefined);
        try {
            await good.connect();
            await good.set("node-redis:tls", "ok");
            assert.equal(await good.get("node-redis:tls"), "ok");
        } finally {
            await good.close().catch(() => undefined);
        }
        const untrusted = client(t.tls!.untrustedCa);
        let lastError = "";
        untrusted.on("error", (e: Error) => (lastError = e.message));
        const outcome = await Promise.race([
            untrusted.connect().then(() => "connected", (e: Error) => `refused: ${lastError || e.message}`),
            new Promise<string>((r) => setTimeout(() => r(`refused: no connection in 5 s (${lastError})`), 5000)),
        ]);
        await untrusted.close().catch(() => undefined);
        // It never connects; its error events name the certificate check.
        assert.match(outcome, /^refused: .*(self[- ]signed|unable to verify|certificate)/i);
    });

    it("a master stopped with SIGTERM hands over over TLS (the preStop handover): writes pause, none lost, no error", async () => {
        await t.removeSeed();
        writer = new ContinuousWriter({ redis: t.clientOptions() }).start();
        await new Promise((r) => setTimeout(r, 1000));
        const before = await t.waitHealthy();
        const master = t.pod(before.masters[0]);
        await t.killPod(master.name, "SIGTERM", 30_000);
        assert.match(t.logs(master.name, "redis"), /handing over first/);
        await t.startPod(master.name);
        const end = await finishScenario(t, writer, 45_000);
        writer = undefined;
        assert.notEqual(end.master, master.host);
        assert.equal(end.report.errors, 0, JSON.stringify(end.report));
        assert.ok(end.report.longestGapMs < 3000, `longest write gap ${end.report.longestGapMs} ms (down-after is 3000 ms: the handover, not Sentinel's own failover)`);
    });
});
