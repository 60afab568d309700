/**
 * Memory and disk headroom on real redis-server processes, each started from the redis.conf
 * common.sh writes with the env the manifests give a Redis container (scaled down: a 256Mi or
 * 128Mi memory limit instead of the default 512Mi).
 *
 * The worst case a Redis container meets: a full dataset (at maxmemory) while a new replica
 * full-syncs and the AOF is rewritten, under a writer that rewrites every key while the fork
 * runs, so that the fork copies (copy-on-write) nearly every page. A fork over a few hundred
 * megabytes lasts seconds; here `rdb-key-save-delay` (a Redis debug setting, microseconds per
 * key) makes the fork over ~100 MB last as long. The container's memory is what its cgroup
 * charges: the server and its fork, every page once (the sum of their PSS).
 */
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import Redis from "ioredis";
import { parseQuantity } from "../../../src/options/quantity";
import { VOLUME_MAXMEMORY_FACTOR } from "../../../src/options/headroom";
import { containerSettings } from "./containerEnv";
import { PASSWORD, Servers, dirBytes, info, sampler, treeMemory } from "./servers";

const MIB = 2 ** 20;
const mib = (n: number) => `${(n / MIB).toFixed(1)} MiB`;

/** Redis's replication backlog size when the env sets none. */
const REDIS_DEFAULT_BACKLOG = MIB;

/** Fills a master to maxmemory with VALUE strings (until OOM), then frees room for the backlog; returns the key count. */
async function fill(client: Redis, value: () => string, backlogBytes: number | undefined, valueBytes: number): Promise<number> {
    let n = 0;
    for (let full = false; !full; n += 500) {
        const p = client.pipeline();
        for (let i = 0; i < 500; i++) p.set(`k:${n + i}`, value());
        for (const [err] of (await p.exec()) ?? []) if (err) full = true;
    }
    // A full dataset that still takes writes: keys as large as the replication backlog (created
    // when the first replica attaches, inside maxmemory) plus 3% are deleted again.
    const keep = Math.floor(n * 0.97) - Math.ceil((backlogBytes ?? REDIS_DEFAULT_BACKLOG) / valueBytes);
    const p = client.pipeline();
    for (let i = keep; i < n; i++) p.del(`k:${i}`);
    await p.exec();
    return keep;
}

/** Overwrites random keys of k:0..keys-1 until stopped; counts acknowledged and refused writes. */
function writer(client: Redis, keys: number, value: () => string, pauseMs: number) {
    let stopped = false;
    const counts = { acked: 0, refused: 0 };
    const done = (async () => {
        while (!stopped) {
            const p = client.pipeline();
            for (let i = 0; i < 100; i++) p.set(`k:${Math.floor(Math.random() * keys)}`, value());
            for (const [err] of (await p.exec()) ?? []) if (err) counts.refused++; else counts.acked++;
            if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
        }
    })();
    return { counts, stop: async () => { stopped = true; await done; } };
}

function backlogOf(env: Record<string, string>): number | undefined {
    return env.RS_REPL_BACKLOG_BYTES === undefined ? undefined : Number(env.RS_REPL_BACKLOG_BYTES);
}

describe("memory and disk headroom (real redis-server, config from common.sh, env from the manifests)", function () {
    this.timeout(120_000);
    let servers: Servers;
    const clients: Redis[] = [];
    beforeEach(() => {
        servers = new Servers();
    });
    afterEach(async () => {
        for (const c of clients.splice(0)) c.disconnect();
        await servers.stop();
    });
    const connect = (s: { address: string; port: number }) => {
        const c = new Redis({ host: s.address, port: s.port, password: PASSWORD, maxRetriesPerRequest: 1 });
        clients.push(c);
        return c;
    };

    it("no RDB snapshot points beside the AOF: CONFIG GET save is empty, appendonly yes, full syncs stream to the socket", async () => {
        const env = containerSettings({}).redis;
        const master = await servers.redis("master", 20, env);
        assert.deepEqual((await servers.cli(master, "CONFIG", "GET", "save")).split("\n"), ["save"]); // an empty value: no snapshot points
        assert.equal(await servers.cli(master, "CONFIG", "GET", "appendonly"), "appendonly\nyes");
        assert.equal(await servers.cli(master, "CONFIG", "GET", "repl-diskless-sync"), "repl-diskless-sync\nyes");
        assert.equal(await servers.cli(master, "CONFIG", "GET", "aof-use-rdb-preamble"), "aof-use-rdb-preamble\nyes");
        assert.equal(await servers.cli(master, "CONFIG", "GET", "repl-backlog-size"), `repl-backlog-size\n${env.RS_REPL_BACKLOG_BYTES}`);
        assert.match(await servers.cli(master, "CONFIG", "GET", "client-output-buffer-limit"),
            new RegExp(`slave ${env.RS_REPLICA_BUFFER_BYTES} 0 0`));
    });

    it("a full dataset, a full sync to a new replica and an AOF rewrite under a writer rewriting every key stay within the memory limit", async () => {
        const limit = "256Mi";
        const env = containerSettings({ redisResources: { limits: { memory: limit } } }).redis;
        const limitBytes = parseQuantity(limit);
        const maxmemory = Number(env.RS_MAXMEMORY);
        const master = await servers.redis("master", 20, env);
        const client = connect(master);
        const value = () => "v".repeat(1000);
        const keys = await fill(client, value, backlogOf(env), 1000);
        const filled = await info(servers, master, "memory");
        await client.config("SET", "rdb-key-save-delay", "50"); // ~5 s per fork over ~90k keys

        const memory = sampler(() => treeMemory(master.process.pid ?? 0));
        // The largest copy-on-write of any fork during the run (each fork reports its own while it runs).
        let cowPeak = 0;
        const cowTimer = setInterval(() => {
            void info(servers, master, "persistence").then((p) => {
                cowPeak = Math.max(cowPeak, Number(p.current_cow_peak ?? 0), Number(p.aof_last_cow_size ?? 0), Number(p.rdb_last_cow_size ?? 0));
            });
        }, 250);
        const w = writer(client, keys, value, 0);
        const replica = await servers.redis("replica", 21, env, ["replica", master.address, master.port]);
        await new Promise((r) => setTimeout(r, 2000));
        await client.bgrewriteaof().catch(() => undefined); // already running (the writes trigger it) or scheduled after the sync's fork
        await new Promise((r) => setTimeout(r, 18_000));
        await w.stop();
        memory.stop();
        clearInterval(cowTimer);

        const persistence = await info(servers, master, "persistence");
        const stats = await info(servers, master, "stats");
        const cow = Math.max(cowPeak, Number(persistence.aof_last_cow_size ?? 0), Number(persistence.rdb_last_cow_size ?? 0));
        console.log(`      headroom: limit ${mib(limitBytes)}, maxmemory ${mib(maxmemory)} (used ${mib(Number(filled.used_memory))}, rss ${mib(Number(filled.used_memory_rss))} when full), ` +
            `peak of redis-server + fork ${mib(memory.peak())} (${Math.round((100 * memory.peak()) / limitBytes)}% of the limit), largest fork copy-on-write ${mib(cow)}, ` +
            `full syncs ${stats.sync_full}, writes acknowledged ${w.counts.acked}, refused ${w.counts.refused}`);
        assert.ok(Number(stats.sync_full) >= 1, "no full sync happened");
        assert.ok(w.counts.acked > 0, "the writer got no write through");
        assert.ok(memory.peak() <= limitBytes, `redis-server and its fork peaked at ${mib(memory.peak())}, above the ${mib(limitBytes)} memory limit: the kubelet would OOM-kill it`);
        // Not a vacuous pass: a fork copied a large part of the dataset (the whole of it, typically).
        assert.ok(cow >= 0.4 * maxmemory, `the fork copied ${mib(cow)}, less than 40% of maxmemory ${mib(maxmemory)}: not the worst case this test claims`);
        assert.equal(await servers.cli(master, "PING"), "PONG");
        await servers.kill(replica);
    });

    it(`a volume of ${VOLUME_MAXMEMORY_FACTOR} x maxmemory holds the AOF, its rewrite and a full sync's snapshot of a full, incompressible dataset`, async () => {
        const limit = "128Mi";
        const env = containerSettings({ redisResources: { limits: { memory: limit } } }).redis;
        const maxmemory = Number(env.RS_MAXMEMORY);
        const master = await servers.redis("master", 30, env);
        const client = connect(master);
        const value = () => crypto.randomBytes(500).toString("hex"); // 1000 bytes that do not compress
        const keys = await fill(client, value, backlogOf(env), 1000);
        const replica = await servers.redis("replica", 31, env, ["replica", master.address, master.port]);
        const disk = { master: sampler(() => dirBytes(master.dir), 100), replica: sampler(() => dirBytes(replica.dir), 100) };
        const w = writer(client, keys, value, 50);
        await new Promise((r) => setTimeout(r, 8000)); // the replica's full sync (diskless, 5 s delay) and its AOF rewrite
        await client.bgrewriteaof().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 8000));
        await w.stop();
        disk.master.stop();
        disk.replica.stop();
        const budget = VOLUME_MAXMEMORY_FACTOR * maxmemory;
        const masterFiles = fs.readdirSync(master.dir); // the AOF (its base has an RDB preamble) is in appendonlydir/
        console.log(`      disk: maxmemory ${mib(maxmemory)}, peak on the master's volume ${mib(disk.master.peak())}, on the new replica's ${mib(disk.replica.peak())} ` +
            `(budget ${VOLUME_MAXMEMORY_FACTOR} x maxmemory = ${mib(budget)}); writes acknowledged ${w.counts.acked}`);
        assert.equal((await info(servers, replica, "replication")).master_link_status, "up");
        assert.ok(!masterFiles.some((f) => f.endsWith(".rdb")), `the master wrote an RDB file: ${masterFiles.join(", ")}`);
        assert.ok(disk.master.peak() <= budget, `master volume peaked at ${mib(disk.master.peak())}, above ${mib(budget)}`);
        assert.ok(disk.replica.peak() <= budget, `replica volume peaked at ${mib(disk.replica.peak())}, above ${mib(budget)}`);
        await servers.kill(replica);
    });
});
