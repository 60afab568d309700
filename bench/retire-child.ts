/**
 * The retirement in its own process, as in a deployment (the Pulumi provider is not the
 * application): the parent (retire-process.ts) sends the topology's addresses, the containers'
 * environments and the target, then "go"; this process runs retireSeed over LocalTransport
 * (redis-cli on loopback; handover.sh run locally with the seed container's environment, as an
 * exec would run it in the pod), every call delayed by execLatencyMs when set, and asks the
 * parent, over IPC, to get/delete/wait for the seed pod (the harness that owns the processes
 * lives there). Nothing here runs by itself: it exits when its parent goes away.
 */
import { RetireOptions, retireSeed, SeedPodControl } from "../src/retirement/retire";
import { RetirementTarget } from "../src/retirement/observe";
import { LocalNode, LocalTransport, RetirementTransport } from "../src/retirement/transport";
import { DelayedTransport } from "../tests/harness/delayed-transport";
import { ResetGuardTransport } from "./reset-guard";

export interface ChildSetup {
    nodes: Record<string, LocalNode>;
    password?: string;
    target: RetirementTarget;
    timeoutMs: number;
    resetGuard: boolean;
    log: boolean;
    /** Where the scripts are and each pod's container environment (by announced host). */
    scripts: { dir: string; env: Record<string, Record<string, string>> };
    /** Delay every transport call by this much (ms), as an API server round trip would. */
    execLatencyMs: number;
}

export type ToChild = { kind: "setup"; setup: ChildSetup } | { kind: "go" } | { kind: "reply"; id: number; value?: unknown; error?: string };
export type FromChild =
    | { kind: "ready" }
    | { kind: "call"; id: number; op: "get" | "delete" | "waitGone"; args: unknown[] }
    | { kind: "log"; line: string }
    | { kind: "done"; result: unknown; resetsHeld: number; resetsHeldMs: number }
    | { kind: "failed"; error: string };

const send = (m: FromChild): void => {
    process.send?.(m);
};

let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

function callParent(op: "get" | "delete" | "waitGone", ...args: unknown[]): Promise<unknown> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        send({ kind: "call", id, op, args });
    });
}

const seedPod: SeedPodControl = {
    get: async () => ((await callParent("get")) ?? undefined) as Awaited<ReturnType<SeedPodControl["get"]>>,
    delete: (uid) => callParent("delete", uid) as ReturnType<SeedPodControl["delete"]>,
    waitGone: async (uid, deadline) => {
        await callParent("waitGone", uid, deadline);
    },
};

let setup: ChildSetup | undefined;

async function run(s: ChildSetup): Promise<void> {
    const local = new LocalTransport({ nodes: s.nodes, password: s.password, scripts: { dir: s.scripts.dir, env: (host) => s.scripts.env[host] ?? {} } });
    const transport: RetirementTransport = s.execLatencyMs > 0 ? new DelayedTransport(local, s.execLatencyMs) : local;
    const guard = s.resetGuard ? new ResetGuardTransport(transport, s.target.seed) : undefined;
    const opts: RetireOptions = {
        transport: guard ?? transport,
        seedPod,
        target: s.target,
        timeoutMs: s.timeoutMs,
        log: s.log ? (line) => send({ kind: "log", line }) : undefined,
    };
    try {
        const result = await retireSeed(opts);
        send({ kind: "done", result, resetsHeld: guard?.held ?? 0, resetsHeldMs: guard?.heldMs ?? 0 });
    } catch (e) {
        send({ kind: "failed", error: (e as Error).message });
    }
}

process.on("message", (m: ToChild) => {
    if (m.kind === "setup") {
        setup = m.setup;
        send({ kind: "ready" });
    } else if (m.kind === "go" && setup) {
        void run(setup);
    } else if (m.kind === "reply") {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.value);
    }
});
process.on("disconnect", () => process.exit(0));
