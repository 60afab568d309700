/**
 * A whole Redis + Sentinel deployment on real processes, run through the very scripts
 * the ConfigMap ships (src/scripts, copied from scriptFiles() into the topology's temp
 * dir). Each "pod" is a loopback address with a host name in /etc/hosts:
 *   seed pod      N-seed.N-headless.default.svc.cluster.local   containers redis + sentinel
 *   Redis pod i   N-redis-i.N-headless.default.svc.cluster.local container redis
 *   Sentinel pod  N-sentinel-i.N-headless...                     container sentinel
 *   Sentinel Service N-sentinel.default.svc.cluster.local:26379 (a TCP proxy)
 * Volumes (data dir, sentinel dir) live in the pod's dir and survive restarts unless
 * `fresh` is asked for (a recreated pod).
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { scriptFiles } from "../../src/scripts";
import {
    addressOf,
    leaseSubnet,
    reapStaleLeases,
    recordProcessGroups,
    redisHostOctet,
    releaseSubnet,
    SEED_HOST_OCTET,
    sentinelHostOctet,
    SERVICE_HOST_OCTET,
    SubnetLease,
} from "./addresses";
import { onExit, sleepSync } from "./cleanup";
import { addHostsBlock, removeHostsBlock } from "./hosts";
import { CliResult, parseInfo, parsePairs, redisCli, waitFor } from "./redis-query";
import { SentinelServiceProxy } from "./sentinel-service";
import { makeTlsMaterial, TlsMaterial } from "./tls";

export type ContainerName = "redis" | "sentinel";
export type PodKind = "seed" | "redis" | "sentinel";

export interface TopologyOptions {
    /** Redis pods in the Redis set (default 3). */
    replicas?: number;
    /** Sentinel pods in the Sentinel set (default 3). */
    sentinels?: number;
    /** Password (default: a random one); "" runs without auth. */
    password?: string;
    masterName?: string;
    /** Default: a majority of the sentinels the deployment will have (set + seed not counted). */
    quorum?: number;
    /** Sentinel down-after-milliseconds (default 5000, the package default; tests use less). */
    downAfterMs?: number;
    failoverTimeoutMs?: number;
    parallelSyncs?: number;
    /** Cap of the scripts' retry backoff in seconds (default 2: fast tests). */
    retryMaxS?: number;
    /** Cold-start election: wait for absent peers, seconds (default 10). */
    electionWaitS?: number;
    appendonly?: boolean;
    /** Preferred /24 (127.0.X.0); another free one is taken if it is in use. */
    subnet?: number;
    /** Receives one line per harness action. */
    log?: (line: string) => void;
    /** Extra environment of the Redis containers (seed and Redis pods), e.g. the manifests' `maxmemoryEnv`. */
    redisEnv?: Record<string, string>;
    /**
     * TLS on (RS_TLS=yes): the topology makes a CA and a server certificate with every pod's
     * host name and the Sentinel Service's as SANs (openssl), mounted as the pods' /tls.
     */
    tls?: boolean;
}

export interface PodInfo {
    name: string;
    kind: PodKind;
    /** Announced host name (the pod FQDN). */
    host: string;
    /** Current loopback address (changes when the pod is rescheduled). */
    address: string;
    containers: ContainerName[];
    dir: string;
}

export interface HostAddress {
    pod: string;
    address: string;
    redisPort: number;
    sentinelPort: number;
}

export interface RedisState {
    pod: string;
    host: string;
    up: boolean;
    role?: "master" | "slave";
    /** For a replica: its master's host and whether the link is up. */
    masterHost?: string;
    linkUp?: boolean;
    offset: number;
    keys: number;
    /** True while waiting in a cold-start election (readiness probe says not ready). */
    standby: boolean;
}

export interface SentinelState {
    pod: string;
    host: string;
    up: boolean;
    masterHost?: string;
    /** Other sentinels this one sees, not flagged down. */
    otherSentinels: number;
    /** Replicas it sees for the master, not flagged down. */
    replicas: number;
    flags?: string;
}

export interface Snapshot {
    redis: RedisState[];
    sentinels: SentinelState[];
    /** Hosts of the running Redis servers that serve as master. */
    masters: string[];
}

export interface ExpectHealthy {
    /** Host the master must be. */
    master?: string;
    /** Host the master must not be (e.g. after a failover). */
    notMaster?: string;
    timeoutMs?: number;
}

export interface IORedisSentinelOptions {
    sentinels: Array<{ host: string; port: number }>;
    name: string;
    password?: string;
    sentinelPassword?: string;
    /** With TLS on: trust the test CA, for the master/replica connections and the sentinels. */
    tls?: { ca: string };
    enableTLSForSentinelMode?: boolean;
    sentinelTLS?: { ca: string };
}

const REDIS_PORT = 6379;
const SENTINEL_PORT = 26379;
const DOMAIN_SUFFIX = "default.svc.cluster.local";

interface Container {
    child: ChildProcess;
    exited: Promise<void>;
    done: boolean;
}

export class Topology {
    readonly name: string;
    readonly dir: string;
    /** The password, quorum and down-after of the pods started from now on (see {@link reconfigure}). */
    password: string;
    readonly masterName: string;
    quorum: number;
    downAfterMs: number;
    readonly serviceHost: string;
    readonly serviceAddress: string;
    readonly servicePort = SENTINEL_PORT;
    readonly scriptsDir: string;
    readonly pods: PodInfo[] = [];
    private readonly running = new Map<string, Container>(); // key pod/container
    private readonly started = Date.now();
    private proxy?: SentinelServiceProxy;
    private unregisterExit?: () => void;
    private stopped = false;
    /** The certificates (with `tls: true`). */
    readonly tls?: TlsMaterial;

    private constructor(
        private readonly opts: Required<Omit<TopologyOptions, "log" | "subnet" | "quorum" | "password" | "redisEnv" | "tls">> & TopologyOptions,
        private readonly lease: SubnetLease,
    ) {
        const s = lease.subnet;
        this.name = `rs${s}`;
        this.password = opts.password ?? `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
        this.masterName = opts.masterName;
        this.quorum = opts.quorum ?? Math.floor(opts.sentinels / 2) + 1;
        this.downAfterMs = opts.downAfterMs;
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `rs-topology-${this.name}-`));
        this.serviceHost = `${this.name}-sentinel.${DOMAIN_SUFFIX}`;
        this.serviceAddress = addressOf(s, SERVICE_HOST_OCTET);
        const headless = `${this.name}-headless.${DOMAIN_SUFFIX}`;
        const pod = (name: string, kind: PodKind, octet: number, containers: ContainerName[]): PodInfo => ({
            name,
            kind,
            host: `${name}.${headless}`,
            address: addressOf(s, octet),
            containers,
            dir: path.join(this.dir, "pods", name),
        });
        this.pods.push(pod(`${this.name}-seed`, "seed", SEED_HOST_OCTET, ["redis", "sentinel"]));
        for (let i = 0; i < opts.replicas; i++) this.pods.push(pod(`${this.name}-redis-${i}`, "redis", redisHostOctet(i), ["redis"]));
        for (let i = 0; i < opts.sentinels; i++) this.pods.push(pod(`${this.name}-sentinel-${i}`, "sentinel", sentinelHostOctet(i), ["sentinel"]));
        this.scriptsDir = path.join(this.dir, "scripts");
        fs.mkdirSync(this.scriptsDir, { recursive: true });
        for (const [file, text] of Object.entries(scriptFiles())) fs.writeFileSync(path.join(this.scriptsDir, file), text, { mode: 0o755 });
        // The host lists the scripts ConfigMap carries beside the scripts (read at use time).
        for (const kind of ["redis", "sentinel"] as const) {
            const hosts = this.pods.filter((p) => p.kind === kind).map((p) => `${p.host}\n`).join("");
            fs.writeFileSync(path.join(this.scriptsDir, `${kind}-hosts`), hosts);
        }
        this.writeQuorumFile();
        if (opts.tls) this.tls = makeTlsMaterial([...this.pods.map((p) => p.host), this.serviceHost], path.join(this.dir, "tls"));
    }

    /** Allocates addresses, host names and a temp dir; starts nothing. */
    static async create(options: TopologyOptions = {}): Promise<Topology> {
        const replicas = options.replicas ?? 3;
        const sentinels = options.sentinels ?? 3;
        if (replicas > 39 || sentinels > 39) throw new Error("harness: at most 39 Redis pods and 39 Sentinel pods");
        reapStaleLeases((subnet) => removeHostsBlock(`rs${subnet}`));
        const lease = leaseSubnet(options.subnet);
        const t = new Topology(
            {
                masterName: "mymaster",
                downAfterMs: 5000,
                failoverTimeoutMs: 60000,
                parallelSyncs: 1,
                retryMaxS: 2,
                electionWaitS: 10,
                appendonly: true,
                ...options,
                replicas,
                sentinels,
            },
            lease,
        );
        t.unregisterExit = onExit(() => t.stopAllSync());
        t.writeHostsBlock();
        t.log(`topology ${t.name}: ${replicas} Redis pods, ${sentinels} Sentinel pods, dir ${t.dir}`);
        return t;
    }

    // ---- names and addresses ----------------------------------------------------

    seedPod(): PodInfo {
        return this.pod(`${this.name}-seed`);
    }
    redisPods(): PodInfo[] {
        return this.pods.filter((p) => p.kind === "redis");
    }
    sentinelPods(): PodInfo[] {
        return this.pods.filter((p) => p.kind === "sentinel");
    }
    /** Looks a pod up by pod name or announced host name. */
    pod(nameOrHost: string): PodInfo {
        const p = this.pods.find((x) => x.name === nameOrHost || x.host === nameOrHost);
        if (!p) throw new Error(`harness: no pod ${nameOrHost} in topology ${this.name}`);
        return p;
    }
    /** Maps an announced host name (or pod name) to its loopback address and ports. */
    resolve(host: string): HostAddress {
        const p = this.pod(host);
        return { pod: p.name, address: p.address, redisPort: REDIS_PORT, sentinelPort: SENTINEL_PORT };
    }
    /** Pods whose given container currently runs. */
    runningPods(container: ContainerName): PodInfo[] {
        return this.pods.filter((p) => this.isRunning(p.name, container));
    }
    isRunning(pod: string, container: ContainerName): boolean {
        const c = this.running.get(`${this.pod(pod).name}/${container}`);
        return !!c && !c.done;
    }
    /** ioredis options for a client in sentinel mode (through the Sentinel Service). */
    clientOptions(): IORedisSentinelOptions {
        return {
            sentinels: [{ host: this.serviceHost, port: this.servicePort }],
            name: this.masterName,
            ...(this.password ? { password: this.password, sentinelPassword: this.password } : {}),
            ...(this.tls ? { tls: { ca: this.tls.ca }, enableTLSForSentinelMode: true, sentinelTLS: { ca: this.tls.ca } } : {}),
        };
    }

    /**
     * A day-two change: the settings of the containers started from now on (running ones
     * keep theirs until restarted, as a rolled pod template would).
     */
    reconfigure(changes: Pick<TopologyOptions, "quorum" | "downAfterMs" | "failoverTimeoutMs" | "parallelSyncs" | "password">): void {
        if (changes.quorum !== undefined) {
            this.quorum = changes.quorum;
            this.writeQuorumFile();
        }
        if (changes.downAfterMs !== undefined) this.downAfterMs = this.opts.downAfterMs = changes.downAfterMs;
        if (changes.failoverTimeoutMs !== undefined) this.opts.failoverTimeoutMs = changes.failoverTimeoutMs;
        if (changes.parallelSyncs !== undefined) this.opts.parallelSyncs = changes.parallelSyncs;
        if (changes.password !== undefined) this.password = changes.password;
        this.log(`reconfigured: ${Object.keys(changes).join(", ")}`);
    }

    /** The ConfigMap's `quorum` file (what a Sentinel starts with when no running Sentinel answers). */
    private writeQuorumFile(): void {
        fs.writeFileSync(path.join(this.scriptsDir, "quorum"), `${this.quorum}\n`);
    }

    // ---- starting pods ----------------------------------------------------------

    /** The seed pod: redis (seed-master.sh) and sentinel (seed-sentinel.sh). */
    async startSeed(): Promise<void> {
        await this.startPod(this.seedPod().name);
    }

    async startSentinelService(): Promise<void> {
        if (this.proxy) return;
        this.proxy = new SentinelServiceProxy(this.serviceAddress, this.servicePort, () =>
            this.pods
                .filter((p) => p.containers.includes("sentinel") && this.isRunning(p.name, "sentinel"))
                .map((p) => ({ address: p.address, port: SENTINEL_PORT })),
        );
        await this.proxy.start();
        this.log(`sentinel service ${this.serviceHost}:${this.servicePort} -> ${this.serviceAddress}`);
    }

    async startRedisPods(): Promise<void> {
        for (const p of this.redisPods()) await this.startPod(p.name);
    }

    async startSentinelPods(): Promise<void> {
        for (const p of this.sentinelPods()) await this.startPod(p.name);
    }

    /** Starts every container of a pod that is not running; `fresh` empties its volumes first. */
    async startPod(name: string, opts: { fresh?: boolean } = {}): Promise<void> {
        const p = this.pod(name);
        if (opts.fresh) for (const v of ["data", "sentinel"]) fs.rmSync(path.join(p.dir, v), { recursive: true, force: true });
        for (const c of p.containers) if (!this.isRunning(p.name, c)) this.spawnContainer(p, c);
    }

    /** Seed + Sentinel Service + both sets, then waits for a healthy topology. */
    async startAll(expect: ExpectHealthy = {}): Promise<Snapshot> {
        await this.startSeed();
        await this.startSentinelService();
        await this.waitHealthy({ master: this.seedPod().host, timeoutMs: 20_000 });
        await this.startRedisPods();
        await this.startSentinelPods();
        return this.waitHealthy({ master: this.seedPod().host, ...expect });
    }

    private scriptFor(p: PodInfo, c: ContainerName): string {
        if (p.kind === "seed") return c === "redis" ? "seed-master.sh" : "seed-sentinel.sh";
        return p.kind === "redis" ? "replica.sh" : "sentinel.sh";
    }

    /** The container environment, as the Kubernetes manifests set it (docs/internals.md). */
    containerEnv(p: PodInfo): Record<string, string> {
        const o = this.opts;
        const env: Record<string, string> = {
            PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
            RS_MASTER_NAME: this.masterName,
            RS_ANNOUNCE_HOST: p.host,
            RS_HEADLESS_DOMAIN: `${this.name}-headless.${DOMAIN_SUFFIX}`,
            RS_SEED_HOST: this.seedPod().host,
            RS_SENTINEL_HOST: this.serviceHost,
            RS_SENTINEL_PORT: String(this.servicePort),
            RS_BIND: p.address,
            RS_REDIS_PORT: String(REDIS_PORT),
            RS_SENTINEL_LISTEN_PORT: String(SENTINEL_PORT),
            RS_QUORUM: String(this.quorum),
            RS_DOWN_AFTER_MS: String(o.downAfterMs),
            RS_FAILOVER_TIMEOUT_MS: String(o.failoverTimeoutMs),
            RS_PARALLEL_SYNCS: String(o.parallelSyncs),
            RS_DATA_DIR: path.join(p.dir, "data"),
            RS_SENTINEL_DIR: path.join(p.dir, "sentinel"),
            RS_APPENDONLY: o.appendonly ? "yes" : "no",
            RS_SCRIPTS_DIR: this.scriptsDir,
            RS_RETRY_MAX_S: String(o.retryMaxS),
            RS_ELECTION_WAIT_S: String(o.electionWaitS),
        };
        if (p.kind !== "sentinel") Object.assign(env, o.redisEnv ?? {});
        if (this.tls) Object.assign(env, { RS_TLS: "yes", RS_TLS_DIR: this.tls.dir });
        if (this.password) {
            env.REDIS_PASSWORD = this.password;
            env.REDISCLI_AUTH = this.password;
        }
        return env;
    }

    private spawnContainer(p: PodInfo, c: ContainerName): void {
        if (this.stopped) throw new Error(`harness: topology ${this.name} is stopped`);
        fs.mkdirSync(p.dir, { recursive: true });
        const script = this.scriptFor(p, c);
        const logFile = path.join(p.dir, `${c}.log`);
        const fd = fs.openSync(logFile, "a");
        fs.writeSync(fd, `--- ${new Date().toISOString()} harness: starting sh ${script}\n`);
        const child = spawn("sh", [path.join(this.scriptsDir, script)], {
            env: this.containerEnv(p),
            cwd: p.dir,
            detached: true, // own process group: a pod kill takes the script and its children
            stdio: ["ignore", fd, fd],
        });
        fs.closeSync(fd);
        const container: Container = { child, done: false, exited: Promise.resolve() };
        container.exited = new Promise<void>((resolve) =>
            child.once("exit", () => {
                container.done = true;
                resolve();
            }),
        );
        this.running.set(`${p.name}/${c}`, container);
        recordProcessGroups(this.lease, this.pgids());
        this.log(`start ${p.name}/${c} (sh ${script}) on ${p.address}`);
    }

    private pgids(): number[] {
        return [...this.running.values()].filter((c) => !c.done && c.child.pid).map((c) => c.child.pid as number);
    }

    // ---- killing and restarting -------------------------------------------------

    /**
     * Kills every container of a pod. SIGKILL kills the whole process group at once (a
     * node crash); SIGTERM signals the container's main process, like the kubelet, and
     * kills the group after graceMs.
     */
    async killPod(name: string, signal: "SIGKILL" | "SIGTERM" = "SIGKILL", graceMs = 10_000): Promise<void> {
        const p = this.pod(name);
        await Promise.all(p.containers.map((c) => this.killContainer(p, c, signal, graceMs)));
        this.log(`${signal === "SIGKILL" ? "killed" : "stopped"} ${p.name}`);
    }

    async killContainer(p: PodInfo, c: ContainerName, signal: "SIGKILL" | "SIGTERM", graceMs = 10_000): Promise<void> {
        const container = this.running.get(`${p.name}/${c}`);
        if (!container) return;
        const pid = container.child.pid as number;
        if (!container.done) {
            try {
                if (signal === "SIGKILL") process.kill(-pid, "SIGKILL");
                else process.kill(pid, "SIGTERM");
            } catch {
                /* gone */
            }
            await Promise.race([container.exited, new Promise((r) => setTimeout(r, graceMs))]);
        }
        try {
            process.kill(-pid, "SIGKILL"); // whatever is left in the group
        } catch {
            /* gone */
        }
        await container.exited;
        this.running.delete(`${p.name}/${c}`);
        // A stopped container takes every process in it, the detached handover too.
        if (c === "redis") this.killHandover(p);
    }

    /** Sends a signal to a container's processes (SIGSTOP / SIGCONT: a hung and resumed server). */
    signalContainer(pod: string, c: ContainerName, signal: "SIGSTOP" | "SIGCONT"): void {
        const container = this.running.get(`${this.pod(pod).name}/${c}`);
        if (!container || container.done) throw new Error(`harness: ${pod}/${c} is not running`);
        process.kill(-(container.child.pid as number), signal);
    }

    /**
     * Kills a handover.sh running detached in a pod's redis container (its own session, so
     * the container's process group does not hold it), found by the pid in its lock on the
     * pod's data volume and checked to be this topology's handover.sh.
     */
    killHandover(p: PodInfo): void {
        let pid: number;
        try {
            pid = Number(fs.readFileSync(path.join(p.dir, "data", "rs-handover.lock", "pid"), "utf8").trim());
            const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
            if (!pid || !cmdline.includes(path.join(this.scriptsDir, "handover.sh"))) return;
        } catch {
            return; // no lock, or its process is gone
        }
        for (const target of [-pid, pid]) {
            try {
                process.kill(target, "SIGKILL");
            } catch {
                /* gone */
            }
        }
    }

    /**
     * A pod rescheduled onto another node: killed, given a new loopback address (its
     * host name now resolves there, as the pod's DNS record would), started again with
     * its volumes. Returns the new address.
     */
    async reschedulePod(name: string, opts: { signal?: "SIGKILL" | "SIGTERM" } = {}): Promise<string> {
        const p = this.pod(name);
        await this.killPod(p.name, opts.signal ?? "SIGKILL");
        const octet = Number(p.address.split(".")[3]);
        p.address = addressOf(this.lease.subnet, octet >= 100 ? octet - 100 : octet + 100);
        this.writeHostsBlock();
        await this.startPod(p.name);
        this.log(`rescheduled ${p.name} to ${p.address}`);
        return p.address;
    }

    private writeHostsBlock(): void {
        addHostsBlock(this.name, [
            { address: this.serviceAddress, names: [this.serviceHost] },
            ...this.pods.map((p) => ({ address: p.address, names: [p.host] })),
        ]);
    }

    async restartPod(name: string, opts: { signal?: "SIGKILL" | "SIGTERM"; fresh?: boolean } = {}): Promise<void> {
        await this.killPod(name, opts.signal ?? "SIGKILL");
        await this.startPod(name, { fresh: opts.fresh });
    }

    // ---- observing -------------------------------------------------------------

    /** redis-cli against a pod's container (password through REDISCLI_AUTH). */
    async cli(pod: string, container: ContainerName, ...args: string[]): Promise<string> {
        const p = this.pod(pod);
        const r = await this.rcli(p.address, container === "redis" ? REDIS_PORT : SENTINEL_PORT, args);
        if (!r.ok) throw new Error(`${p.name}/${container} ${args[0]}: no answer (${r.out || "connection failed"})`);
        return r.out;
    }

    /** redis-cli to address:port as this topology's clients connect (password, TLS). */
    rcli(address: string, port: number, args: string[]): Promise<CliResult> {
        return redisCli(address, port, this.password, [...this.cliTlsArgs(), ...args]);
    }

    /** redis-cli's TLS options for this topology ([] without TLS). */
    cliTlsArgs(): string[] {
        return this.tls ? ["--tls", "--cacert", path.join(this.tls.dir, "ca.crt")] : [];
    }

    async info(pod: string, section = "replication"): Promise<Record<string, string>> {
        return parseInfo(await this.cli(pod, "redis", "INFO", section));
    }

    /** Runs a readiness probe script in a pod's environment, as the kubelet would. */
    async probe(pod: string, container: ContainerName): Promise<{ ready: boolean; output: string }> {
        const p = this.pod(pod);
        const script = path.join(this.scriptsDir, container === "redis" ? "probe-redis.sh" : "probe-sentinel.sh");
        return new Promise((resolve) => {
            const child = spawn("sh", [script], { env: this.containerEnv(p), stdio: ["ignore", "pipe", "pipe"] });
            let output = "";
            child.stdout.on("data", (d) => (output += d));
            child.stderr.on("data", (d) => (output += d));
            child.on("exit", (code) => resolve({ ready: code === 0, output: output.trim() }));
        });
    }

    async redisState(pod: string): Promise<RedisState> {
        const p = this.pod(pod);
        const base: RedisState = { pod: p.name, host: p.host, up: false, offset: 0, keys: 0, standby: false };
        const r = await this.rcli(p.address, REDIS_PORT, ["INFO", "everything"]);
        if (!r.ok || !r.out.includes("role:")) return base;
        const info = parseInfo(r.out);
        const users = await this.rcli(p.address, REDIS_PORT, ["ACL", "USERS"]);
        let keys = 0;
        for (const [k, v] of Object.entries(info)) if (/^db\d+$/.test(k)) keys += Number(/keys=(\d+)/.exec(v)?.[1] ?? 0);
        return {
            ...base,
            up: true,
            role: info.role as "master" | "slave",
            masterHost: info.master_host,
            linkUp: info.role === "slave" ? info.master_link_status === "up" : undefined,
            offset: Number(info.master_repl_offset ?? 0),
            keys,
            standby: /rs-cold-start-rank-/.test(users.out),
        };
    }

    async sentinelState(pod: string): Promise<SentinelState> {
        const p = this.pod(pod);
        const base: SentinelState = { pod: p.name, host: p.host, up: false, otherSentinels: 0, replicas: 0 };
        const m = await this.rcli(p.address, SENTINEL_PORT, ["SENTINEL", "MASTER", this.masterName]);
        if (!m.ok || !m.out.includes("flags")) return base;
        const master = parsePairs(m.out);
        const countUp = async (cmd: string): Promise<number> => {
            const r = await this.rcli(p.address, SENTINEL_PORT, ["SENTINEL", cmd, this.masterName]);
            return (r.out.match(/^flags\n(.*)$/gm) ?? []).filter((f) => !/s_down|o_down|disconnected/.test(f)).length;
        };
        return {
            ...base,
            up: true,
            masterHost: master.ip,
            flags: master.flags,
            otherSentinels: await countUp("SENTINELS"),
            replicas: await countUp("REPLICAS"),
        };
    }

    /** The state of every running Redis and Sentinel container. */
    async snapshot(): Promise<Snapshot> {
        const redis = await Promise.all(this.runningPods("redis").map((p) => this.redisState(p.name)));
        const sentinels = await Promise.all(this.runningPods("sentinel").map((p) => this.sentinelState(p.name)));
        const masters = redis.filter((r) => r.up && r.role === "master" && !r.standby).map((r) => r.host);
        return { redis, sentinels, masters };
    }

    /** Why the snapshot is not a healthy topology, or undefined when it is. */
    static unhealthy(s: Snapshot, expect: ExpectHealthy = {}): string | undefined {
        if (s.masters.length !== 1) return `expected exactly one master, found ${s.masters.length} (${s.masters.join(", ") || "none"})`;
        const master = s.masters[0];
        if (expect.master && master !== expect.master) return `master is ${master}, expected ${expect.master}`;
        if (expect.notMaster && master === expect.notMaster) return `master is still ${master}`;
        for (const r of s.redis) {
            if (!r.up) return `${r.pod} does not answer`;
            if (r.host !== master && !(r.role === "slave" && r.masterHost === master && r.linkUp))
                return `${r.pod} is ${r.role ?? "?"}${r.masterHost ? ` of ${r.masterHost} (link ${r.linkUp ? "up" : "down"})` : ""}, not a linked replica of ${master}`;
        }
        for (const x of s.sentinels) {
            if (!x.up) return `sentinel ${x.pod} does not answer`;
            if (x.masterHost !== master) return `sentinel ${x.pod} names ${x.masterHost}, not ${master}`;
            if (x.otherSentinels < s.sentinels.length - 1) return `sentinel ${x.pod} sees ${x.otherSentinels} other sentinels of ${s.sentinels.length - 1}`;
            if (x.replicas < s.redis.length - 1) return `sentinel ${x.pod} sees ${x.replicas} replicas of ${s.redis.length - 1}`;
        }
        return undefined;
    }

    /**
     * Waits until exactly one master serves, every other running Redis container is its
     * replica with the link up, and every running sentinel names it and sees all the
     * others and all the replicas.
     */
    async waitHealthy(expect: ExpectHealthy = {}): Promise<Snapshot> {
        let last = "no snapshot yet";
        try {
            return await waitFor("a healthy topology", expect.timeoutMs ?? 30_000, async () => {
                const s = await this.snapshot();
                const why = Topology.unhealthy(s, expect);
                last = why ?? "";
                return why ? undefined : s;
            }, 300);
        } catch (e) {
            throw new Error(`${(e as Error).message}; last observed: ${last}`);
        }
    }

    /** The host the Sentinel Service names as master (undefined if none answers). */
    async serviceMaster(): Promise<string | undefined> {
        const r = await this.rcli(this.serviceAddress, this.servicePort, ["SENTINEL", "get-master-addr-by-name", this.masterName]);
        const host = r.ok ? r.out.split("\n")[0] : "";
        return host && !host.includes(" ") ? host : undefined;
    }

    /**
     * A switchover that loses no acknowledged write (the shape of the seed retirement,
     * done simply for tests): pause writes on the master, wait until every replica has
     * its offset, SENTINEL FAILOVER, wait until every sentinel names the new master, make
     * the old master its replica, only then unpause it (a master unpaused earlier
     * accepts writes it will lose). Resolves
     * once the topology is healthy around the new master.
     */
    async failover(timeoutMs = 30_000): Promise<Snapshot> {
        const before = await this.waitHealthy({ timeoutMs });
        const old = this.pod(before.masters[0]);
        const via = this.runningPods("sentinel").find((p) => p.name !== old.name) ?? this.runningPods("sentinel")[0];
        if (!via) throw new Error("harness: no running sentinel to ask for a failover");
        await this.cli(old.name, "redis", "CLIENT", "PAUSE", String(timeoutMs), "WRITE");
        const target = Number((await this.info(old.name)).master_repl_offset);
        await waitFor(`replicas to reach offset ${target}`, 10_000, async () => {
            const states = await Promise.all(this.runningPods("redis").filter((p) => p !== old).map((p) => this.redisState(p.name)));
            return states.every((r) => r.offset >= target);
        }, 50);
        const r = await this.cli(via.name, "sentinel", "SENTINEL", "FAILOVER", this.masterName);
        if (r !== "OK") throw new Error(`SENTINEL FAILOVER via ${via.name}: ${r}`);
        this.log(`failover requested via ${via.name} (master was ${old.host}, writes paused there)`);
        // Sentinel converts a live old master only ~15 s later, and its MULTI/EXEC waits
        // behind the pause: once every sentinel names the new master, demote the old one
        // directly, then unpause it (its paused writes then fail READONLY and clients
        // resend them to the new master).
        const next = await waitFor("every sentinel to name a new master", timeoutMs, async () => {
            const named = await Promise.all(this.runningPods("sentinel").map((p) => this.sentinelState(p.name)));
            const m = named[0]?.masterHost;
            return m && m !== old.host && named.every((x) => x.masterHost === m) ? m : undefined;
        }, 50);
        await this.cli(old.name, "redis", "REPLICAOF", next, String(REDIS_PORT));
        await waitFor(`${old.name} to report role:slave`, timeoutMs, async () => (await this.redisState(old.name)).role === "slave", 50);
        await this.cli(old.name, "redis", "CLIENT", "UNPAUSE");
        return this.waitHealthy({ notMaster: old.host, timeoutMs });
    }

    /** SENTINEL RESET on every running sentinel, one at a time (forgets dead pods). */
    async resetSentinels(settleMs = 1000): Promise<void> {
        for (const p of this.runningPods("sentinel")) {
            await this.cli(p.name, "sentinel", "SENTINEL", "RESET", this.masterName);
            await new Promise((r) => setTimeout(r, settleMs));
        }
    }

    /**
     * What the seed retirement does, done bluntly for tests that need a topology without
     * the seed: fail over away from it if it is master, kill it, reset the sentinels.
     */
    async removeSeed(): Promise<Snapshot> {
        const seed = this.seedPod();
        const s = await this.waitHealthy();
        if (s.masters[0] === seed.host) await this.failover();
        await this.killPod(seed.name, "SIGKILL");
        await this.resetSentinels();
        return this.waitHealthy({ notMaster: seed.host });
    }

    /** Contents of a container's log (script and server output). */
    logs(pod: string, container: ContainerName): string {
        const f = path.join(this.pod(pod).dir, `${container}.log`);
        return fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "";
    }

    elapsedMs(): number {
        return Date.now() - this.started;
    }

    private log(line: string): void {
        this.opts.log?.(line);
    }

    // ---- teardown ----------------------------------------------------------------

    /** Kills every process, stops the proxy, removes the /etc/hosts block and the temp dir. */
    async stopAll(opts: { keepDir?: boolean } = {}): Promise<void> {
        if (this.stopped) return;
        await this.proxy?.stop();
        this.stopAllSync(opts);
    }

    private stopAllSync(opts: { keepDir?: boolean } = {}): void {
        if (this.stopped) return;
        this.stopped = true;
        for (const p of this.pods) this.killHandover(p);
        for (const c of this.running.values()) {
            try {
                process.kill(-(c.child.pid as number), "SIGKILL");
            } catch {
                /* gone */
            }
        }
        this.running.clear();
        sleepSync(50);
        try {
            removeHostsBlock(this.name);
        } finally {
            releaseSubnet(this.lease);
            if (!opts.keepDir && !process.env.RS_HARNESS_KEEP) fs.rmSync(this.dir, { recursive: true, force: true });
            this.unregisterExit?.();
            this.log(`topology ${this.name} stopped`);
        }
    }
}

/** Creates a topology and brings everything up (seed, service, both sets), healthy. */
export async function startTopology(options: TopologyOptions = {}): Promise<Topology> {
    const t = await Topology.create(options);
    try {
        await t.startAll();
        return t;
    } catch (e) {
        await t.stopAll({ keepDir: true });
        throw new Error(`${(e as Error).message} (logs kept in ${t.dir})`);
    }
}
