/**
 * The metrics sidecar with TLS on, on a real redis_exporter ($REDIS_EXPORTER_BIN, `redis_exporter`
 * or Debian's `prometheus-redis-exporter`, as exporter.test.ts finds it) next to a real
 * redis-server that listens on TLS only (port 0) with an openssl-made certificate, run with the
 * env the exporter container gets from the manifests (`tls.secretName` and metrics on; port and
 * password file mapped to this test's). It must scrape its own Redis (redis_up 1, authenticated),
 * which a plain-text address cannot (control), nor a TLS connection that checks the certificate
 * against 127.0.0.1 (the loopback address no pod certificate names: control).
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import * as net from "net";
import { tmpdir } from "os";
import * as path from "path";
import { exporterPasswordFile } from "../../src/manifests/containers";
import { renderManifests } from "../unit/support/renderManifests";
import { makeTlsMaterial, TlsMaterial } from "../harness/tls";

const PASSWORD = "exporter-tls-test-password-0815";

function findExporter(): string | undefined {
    const candidates = [process.env.REDIS_EXPORTER_BIN, "redis_exporter", "prometheus-redis-exporter"].filter((c): c is string => !!c);
    return candidates.find((c) => spawnSync(c, ["--version"], { stdio: "ignore" }).error === undefined);
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
        try {
            const value = await probe();
            if (value !== undefined) return value;
        } catch (err) {
            last = err;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

describe("the exporter sidecar with TLS on, on a real redis_exporter and a TLS-only redis-server", function () {
    this.timeout(60_000);
    const exporterBin = findExporter();
    const children: ChildProcess[] = [];
    let dir: string;
    let tls: TlsMaterial;
    let redisPort: number;

    function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
        const child = spawn(command, args, { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "ignore", "ignore"] });
        children.push(child);
        return child;
    }

    /** Starts the exporter with `env`; returns the value of redis_up once it reports one. */
    async function redisUp(env: Record<string, string>): Promise<{ up: string; body: string }> {
        const port = await freePort();
        run(exporterBin!, [], { ...env, REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${port}` });
        return waitFor("redis_up in /metrics", async () => {
            const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
            const up = /^redis_up (\d)$/m.exec(body)?.[1];
            return up === undefined ? undefined : { up, body };
        });
    }

    /** The exporter container's env from the manifests (TLS and metrics on), mapped to this test's port and password file. */
    function manifestEnv(): Record<string, string> {
        const template = (renderManifests({ metrics: { enabled: true }, tls: { secretName: "redis-tls" } }).redisSet.spec as any).template.spec;
        const exporter = template.containers.find((c: any) => c.name === "metrics");
        const env: Record<string, string> = Object.fromEntries(exporter.env.map((e: any) => [e.name, String(e.value)]));
        const file = path.join(dir, "passwords.json");
        writeFileSync(file, exporterPasswordFile(PASSWORD, true).replace(":6379", `:${redisPort}`));
        return { ...env, REDIS_ADDR: env.REDIS_ADDR.replace(":6379", `:${redisPort}`), REDIS_PASSWORD_FILE: file };
    }

    before(async function () {
        if (!exporterBin) throw new Error("no redis_exporter on PATH: apt-get install prometheus-redis-exporter (as .ci/run does)");
        dir = mkdtempSync(path.join(tmpdir(), "exporter-tls-"));
        tls = makeTlsMaterial(["cache-redis-0.cache-headless.data.svc.cluster.local"], path.join(dir, "tls"));
        redisPort = await freePort();
        run("redis-server", ["--bind", "127.0.0.1", "--port", "0", "--tls-port", String(redisPort), "--tls-cert-file", path.join(tls.dir, "tls.crt"),
            "--tls-key-file", path.join(tls.dir, "tls.key"), "--tls-ca-cert-file", path.join(tls.dir, "ca.crt"), "--tls-auth-clients", "no",
            "--requirepass", PASSWORD, "--save", "", "--appendonly", "no"]);
        await waitFor("redis-server", async () => new Promise<true | undefined>((resolve) => {
            const socket = net.connect(redisPort, "127.0.0.1", () => {
                socket.destroy();
                resolve(true);
            });
            socket.on("error", () => resolve(undefined));
        }));
    });

    afterEach(() => {
        for (const child of children.splice(1)) child.kill("SIGKILL");
    });

    after(() => {
        for (const child of children) child.kill("SIGKILL");
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("with the manifest's env: scrapes its own Redis over TLS, authenticated", async () => {
        const env = manifestEnv();
        assert.match(env.REDIS_ADDR, /^rediss:\/\/127\.0\.0\.1:\d+$/);
        const { up, body } = await redisUp(env);
        assert.equal(up, "1");
        assert.match(body, /^redis_connected_clients \d+$/m, "authenticated: INFO answered");
    });

    it("control: a plain-text address gets nothing (the plain port is closed)", async () => {
        const env = manifestEnv();
        assert.equal((await redisUp({ ...env, REDIS_ADDR: env.REDIS_ADDR.replace("rediss://", "redis://") })).up, "0");
    });

    it("control: checking the certificate against 127.0.0.1 fails (no pod certificate names the loopback address)", async () => {
        const { REDIS_EXPORTER_SKIP_TLS_VERIFICATION: _skip, ...env } = manifestEnv();
        assert.equal(_skip, "true");
        assert.equal((await redisUp({ ...env, REDIS_EXPORTER_TLS_CA_CERT_FILE: path.join(tls.dir, "ca.crt") })).up, "0");
    });
});
