/**
 * Extra redis.conf / sentinel.conf directives (`redisConfig`, `sentinelConfig`): validation,
 * the config lines, the containers' env, what a change rolls (under Pulumi mocks), and stack
 * config through `npm run render`. On real processes: tests/integration/serverConf/extra-directives.test.ts.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { RedisSentinel } from "../../src";
import { renderYaml } from "../../src/cli/render";
import type { RedisSentinelArgs } from "../../src/options/args";
import { redisConfigLines, sentinelConfigLines, splitArgs } from "../../src/options/extraConfig";
import { resolveSpec } from "../../src/options/validate";
import { installMocks } from "./support/mockedPulumi";
import { renderManifests } from "./support/renderManifests";

const ROOT = path.resolve(__dirname, "../..");

type Container = { name: string; env?: { name: string; value?: string }[] };

/** Literal env of every container of the seed pod and both sets, by "<object>/<container>". */
function envs(args: RedisSentinelArgs): Record<string, Record<string, string | undefined>> {
    const m = renderManifests(args);
    const out: Record<string, Record<string, string | undefined>> = {};
    const add = (what: string, containers: Container[]) => {
        for (const c of containers) out[`${what}/${c.name}`] = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    };
    add("seed", (m.seedPod.spec as { containers: Container[] }).containers);
    add("redisSet", (m.redisSet.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers);
    add("sentinelSet", (m.sentinelSet.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers);
    return out;
}

function problemsOf(args: RedisSentinelArgs): string {
    try {
        resolveSpec("cache", args);
    } catch (e) {
        return (e as Error).message;
    }
    assert.fail(`accepted ${JSON.stringify(args)}`);
}

describe("redisConfig / sentinelConfig: validation", () => {
    const REFUSED: [string, RedisSentinelArgs, RegExp][] = [
        ["port", { redisConfig: { port: 6380 } }, /`redisConfig\.port` = 6380: the component manages `port`: the component sets how Redis listens/],
        ["a tls- directive", { redisConfig: { "tls-port": 6380 } }, /`redisConfig\.tls-port` = 6380: the component manages `tls-port`/],
        ["requirepass", { redisConfig: { requirepass: "x" } }, /`redisConfig\.requirepass` = "x": the component manages `requirepass`: authentication is the component's \(option `password`\)/],
        ["user", { redisConfig: { user: "app on >pw ~* +@all" } }, /`redisConfig\.user`.*authentication/],
        ["dir", { redisConfig: { dir: "/tmp" } }, /`redisConfig\.dir` = "\/tmp".*start from an empty dataset/],
        ["appendonly", { redisConfig: { appendonly: "no" } }, /`redisConfig\.appendonly` = "no": the component manages `appendonly`/],
        ["replicaof", { redisConfig: { replicaof: "other 6379" } }, /`redisConfig\.replicaof`.*choose the master/],
        ["replica-announce-ip", { redisConfig: { "replica-announce-ip": "10.0.0.1" } }, /stable DNS name/],
        ["include", { redisConfig: { include: "/etc/redis/more.conf" } }, /`redisConfig\.include`.*any managed directive/],
        ["maxmemory beside a memory limit", { redisConfig: { maxmemory: "1gb" } }, /`redisConfig\.maxmemory` = "1gb".*use the option `maxmemoryPercent`/],
        ["maxmemory-policy", { redisConfig: { "maxmemory-policy": "allkeys-lru" } }, /use the option `maxmemoryPolicy`/],
        ["renaming a command the scripts use", { redisConfig: { "rename-command": ["FLUSHALL \"\"", "config \"\""] } },
            /`redisConfig\.rename-command` = \["FLUSHALL \\"\\"","config \\"\\""\]: `CONFIG` is sent by the scripts/],
        ["a newline in a value", { redisConfig: { hz: "10\nrequirepass x" } }, /`redisConfig\.hz` = "10\\nrequirepass x": must not contain control characters/],
        ["unbalanced quotes", { redisConfig: { pidfile: '"/tmp/x.pid' } }, /`redisConfig\.pidfile` = "\\"\/tmp\/x\.pid": has unbalanced quotes/],
        ["an upper-case name", { redisConfig: { HZ: 10 } }, /`redisConfig\.HZ` = 10: directive names are lower-case/],
        ["a boolean", { redisConfig: { "lazyfree-lazy-eviction": true } } as unknown as RedisSentinelArgs, /`redisConfig\.lazyfree-lazy-eviction` = true: must be the directive's arguments/],
        ["not a map", { redisConfig: "hz 10" } as unknown as RedisSentinelArgs, /`redisConfig` = "hz 10": must be a map of directive names to values/],
        ["sentinel monitor", { sentinelConfig: { "sentinel monitor": "other 10.0.0.1 6379 2" } }, /`sentinelConfig\.sentinel monitor`.*the component manages `sentinel monitor`/],
        ["sentinel down-after-milliseconds", { sentinelConfig: { "sentinel down-after-milliseconds": 1000 } }, /use the option `sentinel\.downAfterMilliseconds`/],
        ["sentinel auth-pass", { sentinelConfig: { "sentinel auth-pass": "x" } }, /authentication/],
        ["sentinel announce-ip", { sentinelConfig: { "sentinel announce-ip": "10.0.0.1" } }, /stable DNS name/],
        ["sentinel myid", { sentinelConfig: { "sentinel myid": "0".repeat(40) } }, /state the scripts keep/],
        ["an unknown sentinel option", { sentinelConfig: { "sentinel info-period": 100 } },
            /`sentinelConfig\.sentinel info-period` = 100: not a `sentinel` option this option takes \(accepted: sentinel deny-scripts-reconfig, sentinel master-reboot-down-after-period/],
        ["sentinel port", { sentinelConfig: { port: 26380 } }, /`sentinelConfig\.port`.*the component manages `port`/],
        ["sentinel rename-command", { sentinelConfig: { "rename-command": "PING PONG" } }, /`sentinelConfig\.rename-command`.*by name/],
    ];
    for (const [what, args, expected] of REFUSED) {
        it(`refuses ${what}, naming the directive and why`, () => assert.match(problemsOf(args), expected));
    }

    it("accepts tunables, repeated directives, renaming other commands, maxmemory without a memory limit", () => {
        resolveSpec("cache", { redisConfig: { save: "3600 1", "client-output-buffer-limit": "replica 128mb 64mb 60", "rename-command": ["FLUSHALL \"\"", "KEYS \"\""], hz: 20 } });
        resolveSpec("cache", { redisResources: { requests: { memory: "1Gi" } }, redisConfig: { maxmemory: "512mb" } });
        resolveSpec("cache", { sentinelConfig: { loglevel: "warning", "sentinel deny-scripts-reconfig": "yes", "sentinel master-reboot-down-after-period": 30000 } });
    });

    it("nothing is registered when a directive is refused", async () => {
        const run = installMocks();
        assert.throws(() => new RedisSentinel("cache", { redisConfig: { port: 1 } }), /redisConfig\.port/);
        await run.settle();
        assert.equal(run.registrations.filter((r) => r.type !== "redis-sentinel:index:RedisSentinel").length, 0);
    });
});

describe("redisConfig / sentinelConfig: config lines", () => {
    it("splits a value as redis.conf does, and writes every argument quoted", () => {
        assert.deepEqual(splitArgs("3600 1  300 100"), ["3600", "1", "300", "100"]);
        assert.deepEqual(splitArgs('FLUSHALL ""'), ["FLUSHALL", ""]);
        assert.deepEqual(splitArgs('"/data/my file" x'), ["/data/my file", "x"]);
        assert.deepEqual(splitArgs(`'it\\'s' "a \\"b\\" \\\\c"`), ["it's", 'a "b" \\c']);
        assert.deepEqual(splitArgs(""), [""]);
        assert.equal(splitArgs('"open'), undefined);
        assert.equal(splitArgs('"a"b'), undefined);
        assert.deepEqual(redisConfigLines({ hz: 20, save: "3600 1", "rename-command": ['FLUSHALL ""', "KEYS hidden-keys"], pidfile: `'/run/a"b\\c.pid'` }), [
            'hz "20"', 'save "3600" "1"', 'rename-command "FLUSHALL" ""', 'rename-command "KEYS" "hidden-keys"', 'pidfile "/run/a\\"b\\\\c.pid"',
        ]);
    });

    it("a per-master sentinel option gets the master name; others are written as given", () => {
        assert.deepEqual(sentinelConfigLines({ loglevel: "warning", "sentinel master-reboot-down-after-period": 30000, "sentinel deny-scripts-reconfig": "yes" }, "orders"), [
            'loglevel "warning"', 'sentinel master-reboot-down-after-period orders "30000"', 'sentinel deny-scripts-reconfig "yes"',
        ]);
    });

    it("RS_REDIS_CONF on every Redis container, RS_SENTINEL_CONF on every Sentinel container, neither when unset", () => {
        const e = envs({ redisConfig: { hz: 20 }, sentinelConfig: { loglevel: "warning" } });
        for (const key of ["seed/redis", "redisSet/redis"]) {
            assert.equal(e[key].RS_REDIS_CONF, 'hz "20"', key);
            assert.equal(e[key].RS_SENTINEL_CONF, undefined, key);
        }
        for (const key of ["seed/sentinel", "sentinelSet/sentinel"]) {
            assert.equal(e[key].RS_SENTINEL_CONF, 'loglevel "warning"', key);
            assert.equal(e[key].RS_REDIS_CONF, undefined, key);
        }
        for (const env of Object.values(envs({}))) assert.ok(!("RS_REDIS_CONF" in env) && !("RS_SENTINEL_CONF" in env));
    });
});

describe("redisConfig / sentinelConfig: what a change rolls (Pulumi mocks)", function () {
    this.timeout(20_000);
    async function templates(args: RedisSentinelArgs) {
        const run = installMocks();
        new RedisSentinel("cache", { namespace: "data", ...args });
        await run.settle();
        const set = (which: string) => run.byType("kubernetes:apps/v1:StatefulSet").find((r) => r.name === `cache-${which}`)!.inputs.spec.template;
        return { redis: set("redis"), sentinel: set("sentinel") };
    }

    it("a redisConfig change rolls the Redis set only; a sentinelConfig change the Sentinel set only", async () => {
        const base = await templates({});
        const redis = await templates({ redisConfig: { hz: 20 } });
        const sentinel = await templates({ sentinelConfig: { loglevel: "warning" } });
        assert.notDeepEqual(redis.redis, base.redis);
        assert.deepEqual(redis.sentinel, base.sentinel, "a redisConfig change rolls the Sentinel set");
        assert.notDeepEqual(sentinel.sentinel, base.sentinel);
        assert.deepEqual(sentinel.redis, base.redis, "a sentinelConfig change rolls the Redis set");
    });
});

describe("redisConfig / sentinelConfig from stack config (npm run render)", function () {
    this.timeout(30_000);
    it("reads both structured keys and puts them on the right containers; refuses a managed directive", () => {
        const set = ['redisConfig={"hz":20,"rename-command":["FLUSHALL \\"\\""]}', 'sentinelConfig={"loglevel":"warning"}'];
        const docs = parseAllDocuments(renderYaml({ projectDir: ROOT, set })).map((d) => d.toJSON());
        const containers = docs.filter((d) => d.kind === "StatefulSet" || d.kind === "Pod")
            .flatMap((d) => (d.kind === "Pod" ? d.spec : d.spec.template.spec).containers as Container[]);
        const valueOf = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.value;
        const redis = containers.filter((c) => c.name === "redis");
        const sentinel = containers.filter((c) => c.name === "sentinel");
        assert.equal(redis.length, 2);
        assert.equal(sentinel.length, 2);
        for (const c of redis) assert.equal(valueOf(c, "RS_REDIS_CONF"), 'hz "20"\nrename-command "FLUSHALL" ""');
        for (const c of sentinel) assert.equal(valueOf(c, "RS_SENTINEL_CONF"), 'loglevel "warning"');
        assert.throws(() => renderYaml({ projectDir: ROOT, set: ['redisConfig={"requirepass":"x"}'] }), /redisConfig\.requirepass/);
    });
});
