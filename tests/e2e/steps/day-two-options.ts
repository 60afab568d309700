/**
 * The `day-two` step (issue 12): change the options of the config reference on the running
 * root stack one at a time, as a user would (`pulumi config set` then `pulumi up`), with the
 * writer running. Each change must pass `preview` and `up`, reach the running pods, roll only
 * the set it concerns (or none) and keep every Sentinel's id; after the last one a `preview`
 * shows no changes; a change the component refuses must fail before anything
 * changes, with its message. The seed is long gone by now: that must not matter.
 */
import { memoryShare } from "../../../src/options/quantity";
import { REPO_ROOT } from "../lib/kit";
import { field, podCli, podCliText } from "../lib/topology";
import { awaitRollout, awaitTopology, mustBeWhole, STACK } from "./checks";
import { StepContext } from "./context";

const NS = "default";
const INSTANCE = "app.kubernetes.io/instance=redis";
const MASTER = "mymaster";

type SetName = "redis" | "sentinel";
type Rolls = "none" | "redis" | "sentinel" | "both" | "no-redis";

interface Change {
    /** What the step log calls it. */
    label: string;
    /** `pulumi config set` arguments (after `config set --stack e2e`), in order. */
    set: string[][];
    /** Which pods may be replaced: `no-redis` = the Sentinels may roll or not, no Redis pod may. */
    rolls: Rolls;
    /** Reads the effect from the cluster; throws when it did not arrive. Text for the report. */
    verify?: (ctx: StepContext, pods: PodsView) => Promise<string>;
    /** A change the component must refuse: a pattern of its message. */
    refused?: RegExp;
    /** Run before the change (e.g. an object the option names). */
    before?: (ctx: StepContext) => Promise<void>;
}

interface PodsView {
    redis: string[];
    sentinel: string[];
}

async function podUids(ctx: StepContext): Promise<Map<string, string>> {
    const pods = await ctx.cluster.kubectlJson<{ items: { metadata: { name: string; uid: string; labels?: Record<string, string> } }[] }>(["get", "pods", "-n", NS, "-l", INSTANCE]);
    return new Map(pods.items.map((p) => [p.metadata.name, p.metadata.uid]));
}

const setOf = (pod: string): SetName | undefined => (/-redis-\d+$/.test(pod) ? "redis" : /-sentinel-\d+$/.test(pod) ? "sentinel" : undefined);

async function myIds(ctx: StepContext, sentinels: string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const pod of sentinels) ids.set(pod, (await podCliText(ctx.cluster, NS, pod, "sentinel", ["SENTINEL", "MYID"])).trim());
    return ids;
}

/** Every Sentinel's `SENTINEL MASTER` field equals `value`. */
function sentinelSetting(name: string, value: string) {
    return async (ctx: StepContext, pods: PodsView) => {
        const seen: string[] = [];
        for (const pod of pods.sentinel) {
            const got = field(await podCli(ctx.cluster, NS, pod, "sentinel", ["SENTINEL", "MASTER", MASTER]), name);
            if (got !== value) throw new Error(`${pod}: SENTINEL MASTER ${name} is ${got}, expected ${value}`);
            seen.push(got);
        }
        return `every Sentinel: ${name} ${value}`;
    };
}

/** Every Sentinel's INFO SECTION field equals `value` (what a sentinel.conf directive set). */
function sentinelInfo(section: string, name: string, value: string) {
    return async (ctx: StepContext, pods: PodsView) => {
        for (const pod of pods.sentinel) {
            const text = await podCliText(ctx.cluster, NS, pod, "sentinel", ["INFO", section]);
            const got = new RegExp(`^${name}:(.*)$`, "m").exec(text)?.[1]?.trim();
            if (got !== value) throw new Error(`${pod}: INFO ${section} ${name} is ${got}, expected ${value}`);
        }
        return `every Sentinel: ${name} ${value}`;
    };
}

/** Every Redis server's `CONFIG GET` equals `value` (a function of it). */
function redisSetting(name: string, want: (v: string) => boolean, wantText: string) {
    return async (ctx: StepContext, pods: PodsView) => {
        for (const pod of pods.redis) {
            const reply = (await podCliText(ctx.cluster, NS, pod, "redis", ["CONFIG", "GET", name])).trim().split("\n");
            if (!want(reply[1] ?? "")) throw new Error(`${pod}: CONFIG GET ${name} is ${reply[1]}, expected ${wantText}`);
        }
        return `every Redis server: ${name} ${wantText}`;
    };
}

/** Every Redis server's `maxmemory` is `percent` % of its container's memory limit. */
function maxmemoryShare(percent: number) {
    return async (ctx: StepContext, pods: PodsView) => {
        const limit = (await ctx.cluster.kubectl(["get", "pod", "-n", NS, pods.redis[0], "-o", `jsonpath={.spec.containers[?(@.name=="redis")].resources.limits.memory}`])).trim();
        const want = memoryShare(limit, percent);
        return redisSetting("maxmemory", (v) => Number(v) === want, `${want} (${percent}% of ${limit})`)(ctx, pods);
    };
}

/** The named kind of object of the deployment exists (or not). */
function objectPresent(kind: string, present: boolean) {
    return async (ctx: StepContext) => {
        const names = (await ctx.cluster.kubectl(["get", kind, "-n", NS, "-l", INSTANCE, "-o", "name"])).trim();
        if (Boolean(names) !== present) throw new Error(`${kind}: expected ${present ? "some" : "none"}, found [${names.replace(/\n/g, ", ")}]`);
        return `${kind}: ${present ? names.replace(/\n/g, ", ") : "none"}`;
    };
}

/** A field of every pod of both sets' spec (JSONPath), compared with the wanted text. */
function podField(path: string, want: string, what: string) {
    return async (ctx: StepContext, pods: PodsView) => {
        for (const pod of [...pods.redis, ...pods.sentinel]) {
            const got = (await ctx.cluster.kubectl(["get", "pod", "-n", NS, pod, "-o", `jsonpath=${path}`])).trim();
            if (got !== want) throw new Error(`${pod}: ${what} is "${got}", expected "${want}"`);
        }
        return `every pod: ${what} ${want}`;
    };
}

const CHANGES: Change[] = [
    // Sentinel settings: no Redis pod may roll; the value reaches every Sentinel.
    { label: "quorum 3", set: [["quorum", "3"]], rolls: "no-redis", verify: sentinelSetting("quorum", "3") },
    { label: "downAfterMilliseconds 7000", set: [["downAfterMilliseconds", "7000"]], rolls: "no-redis", verify: sentinelSetting("down-after-milliseconds", "7000") },
    { label: "failoverTimeoutMilliseconds 90000", set: [["failoverTimeoutMilliseconds", "90000"]], rolls: "no-redis", verify: sentinelSetting("failover-timeout", "90000") },
    { label: "parallelSyncs 2", set: [["parallelSyncs", "2"]], rolls: "no-redis", verify: sentinelSetting("parallel-syncs", "2") },
    // Redis settings: the Redis set rolls (its masters hand over), no Sentinel does.
    { label: "maxmemoryPolicy volatile-lru", set: [["maxmemoryPolicy", "volatile-lru"]], rolls: "redis", verify: redisSetting("maxmemory-policy", (v) => v === "volatile-lru", "volatile-lru") },
    // 50% is the most the default 1Gi volume allows a 512Mi limit (it must hold 4 x maxmemory).
    { label: "maxmemoryPercent 50", set: [["maxmemoryPercent", "50"]], rolls: "redis", verify: maxmemoryShare(50) },
    { label: "maxmemoryPercent 60 (refused: the volume holds 4 x maxmemory)", set: [["maxmemoryPercent", "60"]], rolls: "none", refused: /persistence\.size/ },
    // Extra directives: each rolls only its set and reaches every server.
    { label: "redisConfig hz 20", set: [["--path", "redisConfig.hz", "20"]], rolls: "redis", verify: redisSetting("hz", (v) => v === "20", "20") },
    { label: "sentinelConfig maxclients 5000", set: [["--path", "sentinelConfig.maxclients", "5000"]], rolls: "sentinel", verify: sentinelInfo("clients", "maxclients", "5000") },
    { label: "redisConfig port (refused: managed)", set: [["--path", "redisConfig.port", "6380"]], rolls: "none", refused: /redisConfig\.port/ },
    // Objects beside the pods: nothing rolls.
    { label: "podDisruptionBudgets false", set: [["podDisruptionBudgets", "false"]], rolls: "none", verify: objectPresent("poddisruptionbudgets", false) },
    { label: "podDisruptionBudgets true", set: [["podDisruptionBudgets", "true"]], rolls: "none", verify: objectPresent("poddisruptionbudgets", true) },
    { label: "networkPolicy false", set: [["networkPolicy", "false"]], rolls: "none", verify: objectPresent("networkpolicies", false) },
    { label: "networkPolicy true", set: [["networkPolicy", "true"]], rolls: "none", verify: objectPresent("networkpolicies", true) },
    { label: "retirementTimeoutSeconds 900", set: [["retirementTimeoutSeconds", "900"]], rolls: "none" },
    { label: "retireSeed false (seed long gone)", set: [["retireSeed", "false"]], rolls: "none" },
    { label: "retireSeed true again", set: [["retireSeed", "true"]], rolls: "none" },
    // Pod options: both sets roll, one pod at a time, masters handing over.
    { label: "spread none", set: [["spread", "none"]], rolls: "both", verify: podField("{.spec.topologySpreadConstraints}", "", "topologySpreadConstraints") },
    { label: "podAnnotations team=cache", set: [["--path", "podAnnotations.team", "cache"]], rolls: "both", verify: podField("{.metadata.annotations.team}", "cache", "annotation team") },
    {
        label: "priorityClassName rs-e2e-high",
        before: async (ctx) => {
            const exists = (await ctx.cluster.kubectl(["get", "priorityclass", "rs-e2e-high", "--ignore-not-found", "-o", "name"])).trim();
            if (!exists) await ctx.cluster.kubectl(["create", "priorityclass", "rs-e2e-high", "--value", "1000", "--description", "e2e day-two"]);
        },
        set: [["priorityClassName", "rs-e2e-high"]],
        rolls: "both",
        verify: podField("{.spec.priorityClassName}", "rs-e2e-high", "priorityClassName"),
    },
    { label: "serviceAccount create", set: [["--path", "serviceAccount.create", "true"]], rolls: "both", verify: podField("{.spec.serviceAccountName}", "redis", "serviceAccountName") },
    // Volume changes the StatefulSet cannot take in place: refused, nothing changes.
    { label: "persistenceSize 2Gi (refused)", set: [["persistenceSize", "2Gi"]], rolls: "none", refused: /persistence/i },
];

function rolledSets(before: Map<string, string>, after: Map<string, string>): Set<SetName> {
    const rolled = new Set<SetName>();
    for (const [pod, uid] of before) {
        const set = setOf(pod);
        if (set && after.get(pod) !== uid) rolled.add(set);
    }
    return rolled;
}

function rollProblem(want: Rolls, rolled: Set<SetName>): string | undefined {
    const text = rolled.size ? [...rolled].join(" and ") : "none";
    const ok =
        want === "none" ? rolled.size === 0 :
        want === "no-redis" ? !rolled.has("redis") :
        want === "both" ? rolled.has("redis") && rolled.has("sentinel") :
        rolled.size === 1 && rolled.has(want);
    return ok ? undefined : `pods replaced in: ${text}; expected: ${want}`;
}

async function applyChange(ctx: StepContext, change: Change, pods: PodsView): Promise<string> {
    const t0 = Date.now();
    await change.before?.(ctx);
    const uids0 = await podUids(ctx);
    const ids0 = await myIds(ctx, pods.sentinel);
    for (const args of change.set) await ctx.pulumi.ok(REPO_ROOT, ["config", "set", "--stack", STACK, ...args], 60_000, false);
    const preview = await ctx.pulumi.run(REPO_ROOT, ["preview", "--stack", STACK], 10 * 60_000);
    if (change.refused) {
        const upRes = await ctx.pulumi.run(REPO_ROOT, ["up", "--yes", "--skip-preview", "--stack", STACK], 10 * 60_000);
        const text = preview.stdout + preview.stderr + upRes.stdout + upRes.stderr;
        // Put the value back whatever happened, so that the stack stays usable.
        const path = change.set[0].includes("--path") ? ["--path"] : [];
        const [key] = change.set[0].filter((a) => a !== "--path");
        await ctx.pulumi.ok(REPO_ROOT, ["config", "rm", "--stack", STACK, ...path, key], 60_000, false);
        if (preview.code === 0 || upRes.code === 0) throw new Error(`preview (exit ${preview.code}) or up (exit ${upRes.code}) accepted it`);
        const message = text.split("\n").find((l) => change.refused!.test(l) && /option|refus|cannot|not/i.test(l));
        if (!message) throw new Error(`refused without the component's message:\n${text.slice(-1500)}`);
        const rolled = rolledSets(uids0, await podUids(ctx));
        if (rolled.size) throw new Error(`refused, but pods were replaced in ${[...rolled].join(", ")}`);
        return `refused: ${message.trim().slice(0, 300)}`;
    }
    if (preview.code !== 0) throw new Error(`preview failed:\n${(preview.stdout + preview.stderr).slice(-1500)}`);
    const upRes = await ctx.pulumi.run(REPO_ROOT, ["up", "--yes", "--skip-preview", "--stack", STACK], 20 * 60_000);
    if (upRes.code !== 0) throw new Error(`up failed:\n${(upRes.stdout + upRes.stderr).slice(-2000)}`);
    const early = await awaitRollout(ctx);
    const topo = mustBeWhole(await awaitTopology(ctx, pods.redis.length, pods.sentinel.length, 120_000));
    const problems: string[] = [];
    const rolled = rolledSets(uids0, await podUids(ctx));
    const roll = rollProblem(change.rolls, rolled);
    if (roll) problems.push(roll);
    const ids1 = await myIds(ctx, pods.sentinel);
    const moved = pods.sentinel.filter((p) => ids0.get(p) !== ids1.get(p));
    if (moved.length) problems.push(`Sentinel ids changed: ${moved.join(", ")}`);
    let effect = "";
    try {
        effect = change.verify ? await change.verify(ctx, pods) : "";
    } catch (e) {
        problems.push((e as Error).message);
    }
    const w = ctx.app.window(t0);
    if (w.errors) problems.push(`the writer saw ${w.errors} errors: ${ctx.app.errorMessages().slice(-3).join(" | ")}`);
    if (problems.length) throw new Error(problems.join("; "));
    const rolledText = rolled.size ? `${[...rolled].join(" and ")} rolled` : "no pod replaced";
    return `${rolledText}${early ? " (up returned before the rollout: the kit provider's race)" : ""}; ${effect || "up ok"}; ${topo.split(" (")[0]}; writer ${w.acked} acked, gap ${w.maxGapMs} ms`;
}

/** Each change in turn; the step fails if any change fails, after trying them all. */
export async function dayTwoStep(ctx: StepContext, replicas: number, sentinels: number): Promise<void> {
    await ctx.recorder.step("day-two", async () => {
        const t0 = Date.now();
        mustBeWhole(await awaitTopology(ctx, replicas, sentinels, 60_000));
        const pods: PodsView = {
            redis: Array.from({ length: replicas }, (_, i) => `redis-redis-${i}`),
            sentinel: Array.from({ length: sentinels }, (_, i) => `redis-sentinel-${i}`),
        };
        const lines: string[] = [];
        const failed: string[] = [];
        for (const change of CHANGES) {
            const c0 = Date.now();
            try {
                const text = await applyChange(ctx, change, pods);
                lines.push(`ok   ${change.label} (${Math.round((Date.now() - c0) / 1000)} s): ${text}`);
            } catch (e) {
                const text = (e as Error).message;
                lines.push(`FAIL ${change.label} (${Math.round((Date.now() - c0) / 1000)} s): ${text}`);
                failed.push(change.label);
            }
            process.stderr.write(`day-two: ${lines[lines.length - 1]}\n`);
        }
        // Converged: after the last change, a preview shows nothing to do (each change's own
        // preview ran before its up; a change that did not converge would show up here or there).
        const again = await ctx.pulumi.run(REPO_ROOT, ["preview", "--expect-no-changes", "--stack", STACK], 10 * 60_000);
        if (again.code !== 0) failed.push("the preview after the last change is not empty");
        lines.push(again.code === 0 ? "preview after the last change: no changes" : `preview after the last change is not empty:\n${(again.stdout + again.stderr).slice(-1500)}`);
        const lost = await ctx.app.lost();
        const w = ctx.app.window(t0);
        lines.push(`writer over the step: ${w.acked} acknowledged, ${w.errors} errors, longest gap ${w.maxGapMs} ms; ${lost.missing.length} of ${lost.checked} acknowledged writes missing`);
        if (lost.missing.length) failed.push(`${lost.missing.length} lost writes`);
        if (failed.length) throw new Error(`${failed.length} of ${CHANGES.length} changes failed (${failed.join(", ")}):\n${lines.join("\n")}`);
        return lines.join("\n");
    });
}
