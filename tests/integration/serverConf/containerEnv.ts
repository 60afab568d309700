/** The settings env of the Redis and Sentinel containers, as the manifests render it for some args. */
import { buildManifests } from "../../../src/manifests";
import type { RedisSentinelArgs } from "../../../src/options/args";
import { resolveSpec } from "../../../src/options/validate";

type Container = { name: string; env?: { name: string; value?: string }[] };

/** Env of the server settings (not addresses, ports or paths: the test gives its own). */
const SETTINGS = /^RS_(MAXMEMORY|MAXMEMORY_POLICY|REPLICA_BUFFER_BYTES|REPL_BACKLOG_BYTES|REDIS_CONF|SENTINEL_CONF|APPENDONLY|DOWN_AFTER_MS|FAILOVER_TIMEOUT_MS|PARALLEL_SYNCS|MASTER_NAME|QUORUM)$/;

/** The literal settings env of the Redis set's `redis` and the Sentinel set's `sentinel` container. */
export function containerSettings(args: RedisSentinelArgs): { redis: Record<string, string>; sentinel: Record<string, string> } {
    const spec = resolveSpec("cache", args);
    const m = buildManifests({ ...spec, namespace: String(spec.namespace) }, {});
    const of = (set: unknown, name: string): Record<string, string> => {
        const containers = (set as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers;
        const c = containers.find((x) => x.name === name);
        if (!c) throw new Error(`no ${name} container`);
        return Object.fromEntries((c.env ?? []).filter((e) => SETTINGS.test(e.name) && e.value !== undefined).map((e) => [e.name, String(e.value)]));
    };
    return { redis: of(m.redisSet, "redis"), sentinel: of(m.sentinelSet, "sentinel") };
}
