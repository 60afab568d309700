/**
 * Redis maxmemory from the Redis container's memory limit: the quantity parser, the
 * options' defaults, and the RS_MAXMEMORY / RS_MAXMEMORY_POLICY env of the manifests.
 */
import { strict as assert } from "assert";
import { buildManifests, type ManifestSpec } from "../../src/manifests";
import { maxmemoryEnv } from "../../src/manifests/containers";
import type { RedisSentinelArgs } from "../../src/options/args";
import { memoryBytes, memoryShare, parseQuantity } from "../../src/options/quantity";
import { resolveSpec } from "../../src/options/validate";

type Container = { name: string; env?: { name: string; value?: string }[] };

function manifestSpec(args: RedisSentinelArgs): ManifestSpec {
    const spec = resolveSpec("cache", args);
    return { ...spec, namespace: String(spec.namespace) };
}

function envOf(container: Container | undefined): Record<string, string | undefined> {
    assert.ok(container, "container missing");
    return Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
}

/** The env of every container of the seed pod and both sets, by "<object>/<container>". */
function containerEnvs(args: RedisSentinelArgs): Record<string, Record<string, string | undefined>> {
    const m = buildManifests(manifestSpec(args), {});
    const out: Record<string, Record<string, string | undefined>> = {};
    const add = (what: string, containers: unknown) => {
        for (const c of containers as Container[]) out[`${what}/${c.name}`] = envOf(c);
    };
    add("seed", (m.seedPod.spec as { containers: unknown }).containers);
    add("redisSet", (m.redisSet.spec as { template: { spec: { containers: unknown } } }).template.spec.containers);
    add("sentinelSet", (m.sentinelSet.spec as { template: { spec: { containers: unknown } } }).template.spec.containers);
    return out;
}

describe("Kubernetes quantities", () => {
    const CASES: [string, number][] = [
        ["512Mi", 512 * 1024 * 1024],
        ["1Gi", 1024 ** 3],
        ["1.5Gi", 1.5 * 1024 ** 3],
        ["64Ki", 64 * 1024],
        ["2Ti", 2 * 1024 ** 4],
        ["1G", 1e9],
        ["500M", 500e6],
        ["128k", 128e3],
        ["1073741824", 1073741824],
        ["1e9", 1e9],
        ["1.5E3", 1500],
        ["0.5", 0.5],
        [".5Gi", 0.5 * 1024 ** 3],
        ["1500m", 1.5],
    ];
    for (const [text, value] of CASES) {
        it(`parses ${JSON.stringify(text)} as ${value}`, () => assert.equal(parseQuantity(text), value));
    }
    for (const text of ["", "lots", "1 GB", "1GB", "Gi", "1.2.3Gi", "1gi", "--1", "1Mi5"]) {
        it(`rejects ${JSON.stringify(text)} naming it`, () => assert.throws(() => parseQuantity(text), (e: Error) => e.message.includes(JSON.stringify(text))));
    }
    it("rounds fractional bytes up, and a share down", () => {
        assert.equal(memoryBytes("1500m"), 2);
        assert.equal(memoryShare("1001", 75), 750); // 750.75 bytes: never above the share
        assert.equal(memoryShare("512Mi", 75), 402653184);
    });
});

describe("maxmemory from the Redis container's memory limit", () => {
    it("defaults: 40% of the default 512Mi limit, noeviction, on every Redis container and no Sentinel container", () => {
        const envs = containerEnvs({});
        for (const key of ["seed/redis", "redisSet/redis"]) {
            assert.equal(envs[key].RS_MAXMEMORY, String(Math.floor(512 * 1024 * 1024 * 0.4)), key);
            assert.equal(envs[key].RS_MAXMEMORY_POLICY, "noeviction", key);
        }
        for (const key of ["seed/sentinel", "sentinelSet/sentinel"]) {
            assert.equal(envs[key].RS_MAXMEMORY, undefined, key);
            assert.equal(envs[key].RS_MAXMEMORY_POLICY, undefined, key);
        }
    });

    const LIMITS: [string, number, number][] = [
        ["2Gi", 75, 1610612736],
        ["1G", 50, 500_000_000],
        ["300000000", 90, 270_000_000],
        ["256Mi", 10, 26843545],
    ];
    for (const [memory, percent, bytes] of LIMITS) {
        it(`limit ${memory} at ${percent}% -> RS_MAXMEMORY ${bytes}`, () => {
            const env = containerEnvs({ redisResources: { limits: { memory } }, maxmemoryPercent: percent, persistence: { size: "8Gi" } })["redisSet/redis"];
            assert.equal(env.RS_MAXMEMORY, String(bytes));
        });
    }

    it("no memory limit: RS_MAXMEMORY unset, the policy still set", () => {
        const env = containerEnvs({ redisResources: { requests: { memory: "128Mi" } }, maxmemoryPolicy: "allkeys-lru" })["redisSet/redis"];
        assert.ok(!("RS_MAXMEMORY" in env), `RS_MAXMEMORY = ${env.RS_MAXMEMORY}`);
        assert.equal(env.RS_MAXMEMORY_POLICY, "allkeys-lru");
    });

    it("maxmemoryEnv is a pure function of the limit, the percentage and the policy", () => {
        assert.deepEqual(maxmemoryEnv({ redisResources: { limits: { memory: "1Gi" } }, maxmemoryPercent: 80, maxmemoryPolicy: "volatile-ttl" }), [
            { name: "RS_MAXMEMORY", value: String(Math.floor(1024 ** 3 * 0.8)) },
            { name: "RS_MAXMEMORY_POLICY", value: "volatile-ttl" },
        ]);
        assert.deepEqual(maxmemoryEnv({ redisResources: {}, maxmemoryPercent: 75, maxmemoryPolicy: "noeviction" }), [
            { name: "RS_MAXMEMORY_POLICY", value: "noeviction" },
        ]);
    });
});
