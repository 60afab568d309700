/**
 * Single Redis servers and Sentinels started from the config the scripts write (common.sh's
 * rs_write_redis_conf / rs_sentinel_conf) with a container's environment from the manifests,
 * each on an address of a leased loopback /24; and the memory and disk of a server's process
 * tree (the server and its forks), sampled while it runs.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { addressOf, leaseSubnet, releaseSubnet, recordProcessGroups, type SubnetLease } from "../../harness/addresses";
import { onExit } from "../../harness/cleanup";
import { redisCli, waitFor } from "../../harness/redis-query";

const COMMON_SH = path.resolve(__dirname, "../../../src/scripts/common.sh");
export const PASSWORD = "server-conf-test-password";

export interface Server {
    name: string;
    address: string;
    port: number;
    dir: string;
    process: ChildProcess;
}

/** A leased /24 with servers started in it; stop() kills them all and frees the lease. */
export class Servers {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "rs-server-conf-"));
    private readonly lease: SubnetLease = leaseSubnet(200);
    private readonly started: Server[] = [];
    private readonly unregister = onExit(() => this.killAll());

    address(host: number): string {
        return addressOf(this.lease.subnet, host);
    }

    /** Writes redis.conf with common.sh (MODE master or replica), then starts redis-server on it. */
    async redis(name: string, host: number, env: Record<string, string>, mode: "master" | ["replica", string, number] = "master"): Promise<Server> {
        const address = this.address(host);
        const dir = path.join(this.dir, name);
        fs.mkdirSync(dir, { recursive: true });
        const args = mode === "master" ? ["master"] : [mode[0], mode[1], String(mode[2])];
        execFileSync("sh", ["-c", '. "$0"; rs_write_redis_conf "$@"', COMMON_SH, ...args], { env: this.env(address, dir, env) });
        return this.start(name, address, 6379, dir, "redis-server", path.join(dir, "redis.conf"));
    }

    /** Writes sentinel.conf with common.sh (monitoring MASTER), then starts redis-sentinel on it. */
    async sentinel(name: string, host: number, env: Record<string, string>, master: Server): Promise<Server> {
        const address = this.address(host);
        const dir = path.join(this.dir, name);
        fs.mkdirSync(dir, { recursive: true });
        execFileSync("sh", ["-c", '. "$0"; rs_sentinel_conf "$1" "$2"', COMMON_SH, master.address, String(master.port)], {
            env: { ...this.env(address, dir, env), RS_SENTINEL_DIR: dir },
        });
        return this.start(name, address, 26379, dir, "redis-sentinel", path.join(dir, "sentinel.conf"));
    }

    cli(server: Server, ...args: string[]): Promise<string> {
        return redisCli(server.address, server.port, PASSWORD, args).then((r) => r.out);
    }

    /** Kills a server (SIGKILL) and waits for it to exit. */
    async kill(server: Server): Promise<void> {
        if (server.process.exitCode !== null || server.process.signalCode !== null) return;
        const exited = new Promise((resolve) => server.process.once("exit", resolve));
        server.process.kill("SIGKILL");
        await exited;
    }

    async stop(): Promise<void> {
        this.killAll();
        this.unregister();
        releaseSubnet(this.lease);
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    private env(address: string, dir: string, env: Record<string, string>): NodeJS.ProcessEnv {
        return {
            PATH: process.env.PATH, RS_DATA_DIR: dir, RS_BIND: address, RS_ANNOUNCE_HOST: address, RS_SCRIPTS_DIR: dir,
            REDIS_PASSWORD: PASSWORD, ...env,
        };
    }

    private async start(name: string, address: string, port: number, dir: string, bin: string, conf: string): Promise<Server> {
        const child = spawn(bin, [conf], { detached: true, stdio: ["ignore", fs.openSync(path.join(dir, "server.log"), "a"), "ignore"] });
        recordProcessGroups(this.lease, [...this.started.map((s) => s.process.pid ?? 0), child.pid ?? 0].filter((p) => p > 0));
        const server = { name, address, port, dir, process: child };
        this.started.push(server);
        await waitFor(`${name} to answer PING`, 10_000, async () => (await redisCli(address, port, PASSWORD, ["PING"])).out === "PONG");
        return server;
    }

    private killAll(): void {
        for (const s of this.started) {
            try {
                if (s.process.pid) process.kill(-s.process.pid, "SIGKILL");
            } catch {
                /* already gone */
            }
        }
    }
}

/** Proportional set size of one process, in bytes (0 once it is gone). */
function pss(pid: number): number {
    try {
        const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
        return m ? Number(m[1]) * 1024 : 0;
    } catch {
        return 0;
    }
}

function children(pid: number): number[] {
    try {
        return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
        return [];
    }
}

/**
 * Memory of a process and its descendants (a Redis server and its fork) as the container's
 * memory cgroup charges it: every page once, a copied-on-write page once per copy. The sum of
 * their PSS is that (a page shared by the tree is split among it).
 */
export function treeMemory(pid: number): number {
    return pss(pid) + children(pid).reduce((sum, c) => sum + treeMemory(c), 0);
}

/** Bytes of the files under a directory. */
export function dirBytes(dir: string): number {
    let total = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        try {
            if (entry.isDirectory()) total += dirBytes(p);
            else if (entry.isFile()) total += fs.statSync(p).size;
        } catch {
            /* removed meanwhile (a rewrite's temp file) */
        }
    }
    return total;
}

/** Samples `measure` every `everyMs` until stopped; `peak()` is the largest value seen. */
export function sampler(measure: () => number, everyMs = 20): { peak: () => number; stop: () => void } {
    let peak = 0;
    const timer = setInterval(() => {
        peak = Math.max(peak, measure());
    }, everyMs);
    return { peak: () => peak, stop: () => clearInterval(timer) };
}

/** INFO SECTION of a server as fields. */
export async function info(servers: Servers, server: Server, section: string): Promise<Record<string, string>> {
    const text = await servers.cli(server, "INFO", section);
    return Object.fromEntries(text.split("\n").filter((l) => l.includes(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]));
}
