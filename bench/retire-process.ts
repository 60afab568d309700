/**
 * Parent side of retire-child.ts: starts the retirement process ahead of the measured window
 * (its start-up is not measured), answers its seed-pod calls with LocalSeedPod, and kills it
 * whatever happens.
 */
import { ChildProcess, fork } from "child_process";
import * as path from "path";
import { RetirementResult } from "../src/retirement/retire";
import { LocalNode } from "../src/retirement/transport";
import { onExit, Topology } from "../tests/harness";
import { ChildSetup, FromChild, ToChild } from "./retire-child";
import { LocalSeedPod } from "./seed-pod";

export interface LocalRetirement extends RetirementResult {
    /** SENTINEL RESETs the bench's guard held back until the sentinel's failover ended, and for how long. */
    resetsHeld: number;
    resetsHeldMs: number;
}

export interface RetirementProcessOptions {
    timeoutMs?: number;
    resetGuard?: boolean;
    /** Delay every transport call of the retirement by this much (ms). */
    execLatencyMs?: number;
    log?: (line: string) => void;
}

export class RetirementProcess {
    private readonly child: ChildProcess;
    private readonly seedPod: LocalSeedPod;
    private readonly unregister: () => void;
    private outcome?: { resolve: (r: LocalRetirement) => void; reject: (e: Error) => void };
    private ready?: () => void;
    private exited = false;

    private constructor(t: Topology, private readonly opts: RetirementProcessOptions) {
        this.seedPod = new LocalSeedPod(t);
        this.child = fork(path.join(__dirname, "retire-child.ts"), [], {
            execArgv: ["-r", "ts-node/register/transpile-only"],
            stdio: ["ignore", "ignore", "pipe", "ipc"],
        });
        let stderr = "";
        this.child.stderr?.on("data", (d) => (stderr = (stderr + String(d)).slice(-2000)));
        this.unregister = onExit(() => this.child.kill("SIGKILL"));
        this.child.on("message", (m: FromChild) => void this.onMessage(m));
        this.child.on("exit", (code, signal) => {
            this.exited = true;
            this.outcome?.reject(new Error(`the retirement process exited (${signal ?? `code ${code}`}) before finishing${stderr ? `: ${stderr.trim()}` : ""}`));
        });
    }

    /** Forks the process and hands it the topology; resolves once it is ready to run. */
    static async start(t: Topology, opts: RetirementProcessOptions = {}): Promise<RetirementProcess> {
        const p = new RetirementProcess(t, opts);
        const nodes: Record<string, LocalNode> = {};
        const env: Record<string, Record<string, string>> = {};
        for (const pod of t.pods) {
            const a = t.resolve(pod.host);
            nodes[pod.host] = { address: a.address, redisPort: a.redisPort, sentinelPort: a.sentinelPort };
            env[pod.host] = t.containerEnv(pod);
        }
        const setup: ChildSetup = {
            nodes,
            password: t.password || undefined,
            target: {
                masterName: t.masterName,
                seed: t.seedPod().host,
                replicas: t.redisPods().map((x) => x.host),
                sentinels: t.sentinelPods().map((x) => x.host),
            },
            timeoutMs: opts.timeoutMs ?? 120_000,
            resetGuard: opts.resetGuard !== false,
            log: !!opts.log,
            scripts: { dir: t.scriptsDir, env },
            execLatencyMs: opts.execLatencyMs ?? 0,
        };
        let timer: NodeJS.Timeout | undefined;
        const ready = new Promise<void>((resolve, reject) => {
            p.ready = resolve;
            timer = setTimeout(() => reject(new Error("the retirement process did not start within 60 s")), 60_000);
            p.child.once("exit", () => reject(new Error("the retirement process exited while starting")));
        });
        p.send({ kind: "setup", setup });
        try {
            await ready;
        } catch (e) {
            p.stop();
            throw e;
        } finally {
            clearTimeout(timer);
        }
        return p;
    }

    /** Runs the retirement; resolves with its result, rejects with its error. */
    retire(): Promise<LocalRetirement> {
        return new Promise<LocalRetirement>((resolve, reject) => {
            if (this.exited) return reject(new Error("the retirement process is not running"));
            this.outcome = { resolve, reject };
            this.send({ kind: "go" });
        });
    }

    stop(): void {
        this.unregister();
        if (!this.exited) this.child.kill("SIGKILL");
    }

    private send(m: ToChild): void {
        this.child.send(m);
    }

    private async onMessage(m: FromChild): Promise<void> {
        switch (m.kind) {
            case "ready":
                this.ready?.();
                break;
            case "log":
                this.opts.log?.(m.line);
                break;
            case "done":
                this.outcome?.resolve({ ...(m.result as RetirementResult), resetsHeld: m.resetsHeld, resetsHeldMs: m.resetsHeldMs });
                break;
            case "failed":
                this.outcome?.reject(new Error(m.error));
                break;
            case "call": {
                try {
                    let value: unknown;
                    if (m.op === "get") value = await this.seedPod.get();
                    else if (m.op === "delete") value = await this.seedPod.delete(String(m.args[0]));
                    else value = await this.seedPod.waitGone(String(m.args[0]), Number(m.args[1]));
                    this.send({ kind: "reply", id: m.id, value: value ?? null });
                } catch (e) {
                    this.send({ kind: "reply", id: m.id, error: (e as Error).message });
                }
                break;
            }
        }
    }
}

/** Runs the retirement in its own process against the topology, start to finish. */
export async function retireInProcess(t: Topology, opts: RetirementProcessOptions = {}): Promise<LocalRetirement> {
    const p = await RetirementProcess.start(t, opts);
    try {
        return await p.retire();
    } finally {
        p.stop();
    }
}
