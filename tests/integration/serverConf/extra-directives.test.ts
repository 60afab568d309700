/**
 * `redisConfig` / `sentinelConfig` on real processes: the directives the manifests put in a
 * Redis or Sentinel container's env reach the running server through the config common.sh
 * writes (CONFIG GET, INFO, the config file Sentinel rewrites from memory), win over the component's tunable defaults, never over
 * what it manages, keep an argument with quotes and backslashes whole, and a Sentinel restarted
 * with changed directives runs with them (sentinel.conf is written afresh at each start).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parsePairs } from "../../harness/redis-query";
import { containerSettings } from "./containerEnv";
import { Servers } from "./servers";

describe("extra redis.conf / sentinel.conf directives (real processes)", function () {
    this.timeout(60_000);
    let servers: Servers;
    beforeEach(() => {
        servers = new Servers();
    });
    afterEach(async () => {
        await servers.stop();
    });

    it("redisConfig reaches the running server: values, a repeated directive, a default overridden, an argument with spaces, quotes and a backslash kept whole", async () => {
        const pidfile = path.join(servers.dir, 'odd "name"\\with a quote.pid');
        const env = containerSettings({
            redisConfig: { hz: 25, save: "900 1", "rename-command": ["FLUSHALL \"\"", "KEYS KEYS-RENAMED"], pidfile: `'${pidfile}'`, "slowlog-max-len": "512" },
        }).redis;
        const master = await servers.redis("master", 40, env);
        assert.equal(await servers.cli(master, "CONFIG", "GET", "hz"), "hz\n25");
        assert.equal(await servers.cli(master, "CONFIG", "GET", "save"), "save\n900 1", "the user's save replaces the component's save \"\"");
        assert.equal(await servers.cli(master, "CONFIG", "GET", "slowlog-max-len"), "slowlog-max-len\n512");
        assert.equal(await servers.cli(master, "CONFIG", "GET", "pidfile"), `pidfile\n${pidfile}`);
        assert.match(await servers.cli(master, "FLUSHALL"), /unknown command/);
        assert.match(await servers.cli(master, "KEYS", "*"), /unknown command/);
        assert.equal(await servers.cli(master, "KEYS-RENAMED", "*"), "");
        // What the component manages stays its own (and the scripts' commands answer).
        assert.equal(await servers.cli(master, "CONFIG", "GET", "appendonly"), "appendonly\nyes");
        assert.match(await servers.cli(master, "ROLE"), /^master/);
    });

    it("sentinelConfig reaches the running Sentinel, and a Sentinel restarted with other directives runs with them, its id kept", async () => {
        const master = await servers.redis("master", 50, {});
        const start = async (sentinelConfig: Record<string, string | number>) => {
            const env = { ...containerSettings({ sentinelConfig }).sentinel, RS_QUORUM: "1" };
            return servers.sentinel("sentinel", 51, env, master);
        };
        // maxclients shows in the running Sentinel's INFO; master-reboot-down-after-period is not in
        // 7.0's SENTINEL MASTER reply: SENTINEL FLUSHCONFIG rewrites the config file from memory.
        const running = async (s: Awaited<ReturnType<typeof start>>) => ({
            maxclients: /^maxclients:(\d+)$/m.exec(await servers.cli(s, "INFO", "clients"))?.[1],
            flushed: await servers.cli(s, "SENTINEL", "FLUSHCONFIG"),
            rebootDownAfter: /^sentinel master-reboot-down-after-period mymaster (\d+)$/m.exec(fs.readFileSync(path.join(s.dir, "sentinel.conf"), "utf8"))?.[1],
        });

        let sentinel = await start({ "sentinel master-reboot-down-after-period": 30000, maxclients: 777 });
        assert.deepEqual(await running(sentinel), { maxclients: "777", flushed: "OK", rebootDownAfter: "30000" });
        const id = (await servers.cli(sentinel, "SENTINEL", "MYID")).trim();
        await servers.kill(sentinel);

        sentinel = await start({ "sentinel master-reboot-down-after-period": 45000, maxclients: 555 });
        assert.deepEqual(await running(sentinel), { maxclients: "555", flushed: "OK", rebootDownAfter: "45000" });
        assert.equal((await servers.cli(sentinel, "SENTINEL", "MYID")).trim(), id, "the restarted Sentinel kept its id");
        assert.equal(parsePairs(await servers.cli(sentinel, "SENTINEL", "MASTER", "mymaster")).quorum, "1");
    });
});
