/**
 * The master endpoint on the real-process harness: a real `haproxy` process running the
 * configuration the manifests ship (haproxyConfig, same builder and same input shape as
 * src/manifests/endpoint.ts), in front of a Topology's pods, on the topology's own
 * loopback /24 (.2, a host octet no pod uses). Names resolve through /etc/hosts once at
 * start (the cluster config re-resolves through DNS instead).
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { haproxyConfig, HaproxyConfigInput } from "../../src/endpoint/haproxyConfig";
import { endpointConfigInput } from "../../src/manifests/endpoint";
import { onExit } from "./cleanup";
import type { Topology } from "./topology";
import { waitFor } from "./redis-query";

export const ENDPOINT_HOST_OCTET = 2;
const PORT = 6379;
const HEALTH_PORT = 8404;

/** The haproxy binary: $HAPROXY_BIN, else `haproxy` on PATH, else Debian's /usr/sbin/haproxy. */
export function haproxyBinary(): string {
    const candidates = [process.env.HAPROXY_BIN, "haproxy", "/usr/sbin/haproxy"].filter((c): c is string => !!c);
    for (const c of candidates) {
        const r = spawnSync(c, ["-v"], { encoding: "utf8" });
        if (r.status === 0) return c;
    }
    throw new Error("the master endpoint tests need HAProxy: install the Debian package `haproxy` (.ci/run does) or set HAPROXY_BIN");
}

export class EndpointProxy {
    readonly address: string;
    readonly port = PORT;
    readonly configFile: string;
    private child?: ChildProcess;
    private output = "";
    private unregister?: () => void;

    private constructor(private readonly t: Topology, readonly config: string) {
        this.address = t.serviceAddress.replace(/\.\d+$/, `.${ENDPOINT_HOST_OCTET}`);
        this.configFile = path.join(t.dir, "haproxy.cfg");
    }

    /**
     * Starts haproxy with the shipped configuration for this topology; resolves once it
     * routes to a master (or, with `waitRoutable: false`, once it listens).
     */
    static async start(t: Topology, opts: { overrides?: Partial<HaproxyConfigInput>; waitRoutable?: boolean } = {}): Promise<EndpointProxy> {
        const proxy = new EndpointProxy(t, "");
        const input = endpointConfigInput({
            masterName: t.masterName,
            sentinelCount: t.sentinelPods().length,
            servers: [t.seedPod(), ...t.redisPods()].map((p) => ({ name: p.name, host: p.host })),
            sentinels: t.sentinelPods().map((p) => ({ name: p.name, host: p.host })),
            dnsResolvers: false,
        });
        const config = haproxyConfig({
            ...input,
            bind: `${proxy.address}:${PORT}`,
            healthBind: `${proxy.address}:${HEALTH_PORT}`,
            auth: !!t.password,
            ...opts.overrides,
        });
        (proxy as { config: string }).config = config;
        fs.writeFileSync(proxy.configFile, config);
        proxy.launch();
        await waitFor("haproxy to serve /healthz", 10_000, () => proxy.healthy(), 100);
        if (opts.waitRoutable !== false) await waitFor("the endpoint to route to a master", 30_000, () => proxy.routes(), 100);
        return proxy;
    }

    private launch(): void {
        const bin = haproxyBinary();
        const check = spawnSync(bin, ["-c", "-f", this.configFile], { encoding: "utf8", env: this.env() });
        if (check.status !== 0) throw new Error(`haproxy refused the endpoint config:\n${check.stdout}${check.stderr}`);
        // -db: foreground, logs to stdout; the password only in the environment.
        const child = spawn(bin, ["-db", "-f", this.configFile], { env: this.env(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout!.on("data", (d) => (this.output += d));
        child.stderr!.on("data", (d) => (this.output += d));
        this.child = child;
        this.unregister = onExit(() => this.killSync());
    }

    private env(): NodeJS.ProcessEnv {
        return { PATH: process.env.PATH, ...(this.t.password ? { REDIS_PASSWORD: this.t.password } : {}) };
    }

    /** GET /healthz answers (what the pod's probes ask). */
    async healthy(): Promise<boolean> {
        try {
            const r = await fetch(`http://${this.address}:${HEALTH_PORT}/healthz`, { signal: AbortSignal.timeout(1000) });
            return r.ok;
        } catch {
            return false;
        }
    }

    /** A PING through the endpoint is answered (a master is routable). */
    async routes(): Promise<boolean> {
        const { redisCli } = await import("./redis-query");
        const r = await redisCli(this.address, PORT, this.t.password, ["PING"], 1000);
        return r.ok && r.out === "PONG";
    }

    /** haproxy's log (server state changes, health checks). */
    logs(): string {
        return this.output;
    }

    private killSync(): void {
        if (!this.child || this.child.exitCode !== null) return;
        try {
            process.kill(-(this.child.pid as number), "SIGKILL");
        } catch {
            /* gone */
        }
    }

    async stop(): Promise<void> {
        this.unregister?.();
        const child = this.child;
        if (!child || child.exitCode !== null) return;
        const exited = new Promise((r) => child.once("exit", r));
        this.killSync();
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
}
