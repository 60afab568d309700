/**
 * What the e2e checks of a running deployment, read through `kubectl exec ... redis-cli`
 * (the container's REDISCLI_AUTH supplies the password), and the pure verdict on it.
 */
import { Cluster } from "./cluster";

export interface SentinelView {
    pod: string;
    /** `SENTINEL get-master-addr-by-name`: host, or an error text. */
    master: string;
    /** `ip` (the announced host name), flags and master-link-status of each replica. */
    replicas: { name: string; flags: string; linkStatus: string }[];
    /** `ip` (announced host name) and flags of each other Sentinel. */
    otherSentinels: { name: string; flags: string }[];
}

export interface TopologyObservation {
    /** Redis pod -> `ROLE`'s first element ("master", "slave") or an error text. */
    roles: Record<string, string>;
    sentinels: SentinelView[];
}

export interface TopologyExpectation {
    /** FQDN suffix of the pods: `<headless>.<ns>.svc.<domain>`. */
    headlessDomain: string;
    redisPods: string[];
    sentinelPods: string[];
}

export interface TopologyVerdict {
    ok: boolean;
    master?: string;
    problems: string[];
}

/** Exactly one master among the Redis pods; every Sentinel names it, lists every other
 * Redis pod as a linked replica (nothing else) and every other Sentinel, none down. */
export function judgeTopology(obs: TopologyObservation, want: TopologyExpectation): TopologyVerdict {
    const problems: string[] = [];
    const masters = Object.entries(obs.roles).filter(([, r]) => r === "master").map(([p]) => p);
    if (masters.length !== 1) problems.push(`expected exactly one master, found ${masters.length} (${JSON.stringify(obs.roles)})`);
    const masterPod = masters.length === 1 ? masters[0] : undefined;
    const fqdn = (pod: string) => `${pod}.${want.headlessDomain}`;
    const master = masterPod ? fqdn(masterPod) : undefined;
    const wantReplicas = want.redisPods.filter((p) => p !== masterPod).map(fqdn).sort();
    const wantSentinelsOf = (pod: string) => want.sentinelPods.filter((p) => p !== pod).map(fqdn).sort();
    if (obs.sentinels.length !== want.sentinelPods.length)
        problems.push(`expected ${want.sentinelPods.length} sentinels, read ${obs.sentinels.length}`);
    for (const s of obs.sentinels) {
        if (master && s.master !== master) problems.push(`${s.pod} names ${s.master} as master, not ${master}`);
        const replicas = s.replicas.map((r) => r.name.replace(/:\d+$/, "")).sort();
        if (JSON.stringify(replicas) !== JSON.stringify(wantReplicas))
            problems.push(`${s.pod} lists replicas [${replicas.join(", ")}], expected [${wantReplicas.join(", ")}]`);
        for (const r of s.replicas) {
            if (/s_down|o_down|disconnected/.test(r.flags) || r.linkStatus !== "ok")
                problems.push(`${s.pod} sees replica ${r.name} flags=${r.flags} link=${r.linkStatus}`);
        }
        const others = s.otherSentinels.map((o) => o.name.replace(/:\d+$/, "")).sort();
        if (JSON.stringify(others) !== JSON.stringify(wantSentinelsOf(s.pod)))
            problems.push(`${s.pod} lists sentinels [${others.join(", ")}], expected [${wantSentinelsOf(s.pod).join(", ")}]`);
        for (const o of s.otherSentinels) {
            if (/s_down|o_down|disconnected/.test(o.flags)) problems.push(`${s.pod} sees sentinel ${o.name} flags=${o.flags}`);
        }
    }
    return { ok: problems.length === 0, master, problems };
}

/** `redis-cli` in a pod's container, its plain output (INFO and other verbatim replies). */
export async function podCliText(cluster: Cluster, ns: string, pod: string, container: string, args: string[]): Promise<string> {
    const port = container === "sentinel" ? "26379" : "6379";
    return cluster.kubectl(["exec", "-n", ns, pod, "-c", container, "--", "redis-cli", "-p", port, ...args], 30_000);
}

/** `redis-cli` in a pod's container; RESP3 JSON output. */
export async function podCli(cluster: Cluster, ns: string, pod: string, container: string, args: string[]): Promise<unknown> {
    return JSON.parse(await podCliText(cluster, ns, pod, container, ["--json", ...args]));
}

/** A field of a reply entry: a RESP3 map (an object) or a RESP2 flat key/value list. */
export function field(entry: unknown, key: string): string {
    if (entry && typeof entry === "object" && !Array.isArray(entry)) return String((entry as Record<string, unknown>)[key] ?? "");
    if (Array.isArray(entry)) {
        const i = entry.indexOf(key);
        return i >= 0 ? String(entry[i + 1]) : "";
    }
    return "";
}

/** Reads the roles of the Redis pods and the view of each Sentinel; failures become text. */
/** `cliArgs`: redis-cli options before each command (TLS on: `--tls --cacert /tls/ca.crt`). */
export async function observeTopology(cluster: Cluster, ns: string, masterName: string, want: TopologyExpectation, cliArgs: string[] = []): Promise<TopologyObservation> {
    const roles: Record<string, string> = {};
    for (const pod of want.redisPods) {
        try {
            const role = (await podCli(cluster, ns, pod, "redis", [...cliArgs, "ROLE"])) as unknown[];
            roles[pod] = String(role[0]);
        } catch (e) {
            roles[pod] = `error: ${(e as Error).message.split("\n")[0]}`;
        }
    }
    const sentinels: SentinelView[] = [];
    for (const pod of want.sentinelPods) {
        try {
            const addr = (await podCli(cluster, ns, pod, "sentinel", [...cliArgs, "SENTINEL", "get-master-addr-by-name", masterName])) as unknown[];
            const reps = (await podCli(cluster, ns, pod, "sentinel", [...cliArgs, "SENTINEL", "replicas", masterName])) as unknown[];
            const sens = (await podCli(cluster, ns, pod, "sentinel", [...cliArgs, "SENTINEL", "sentinels", masterName])) as unknown[];
            sentinels.push({
                pod,
                master: Array.isArray(addr) ? String(addr[0]) : String(addr),
                replicas: reps.map((r) => ({
                    name: field(r, "ip"),
                    flags: field(r, "flags"),
                    linkStatus: field(r, "master-link-status"),
                })),
                otherSentinels: sens.map((s) => ({ name: field(s, "ip"), flags: field(s, "flags") })),
            });
        } catch (e) {
            sentinels.push({ pod, master: `error: ${(e as Error).message.split("\n")[0]}`, replicas: [], otherSentinels: [] });
        }
    }
    return { roles, sentinels };
}
