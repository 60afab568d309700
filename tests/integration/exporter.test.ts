/**
 * The metrics sidecar on a real redis_exporter process, run with the env its container gets
 * from the manifests (Redis port, password-file path and listen address mapped to this
 * test's loopback ones), next to a real redis-server that requires the password.
 *
 * The threat: anyone who reaches 9121 asks `/scrape?target=<their host>`, and an exporter
 * holding the password as REDIS_PASSWORD logs in there with it. A "harvester" (a TCP server
 * speaking just enough RESP) records what the exporter sends it.
 *
 * The exporter binary: $REDIS_EXPORTER_BIN, else `redis_exporter` or Debian's
 * `prometheus-redis-exporter` (1.45, which predates the /scrape switch: the password file
 * alone must keep the password off other hosts) on PATH. Skipped when there is none.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import { mkdtempSync, writeFileSync, rmSync } from "fs";
import * as net from "net";
import { tmpdir } from "os";
import * as path from "path";
import { exporterPasswordFile } from "../../src/manifests/containers";
import { renderManifests } from "../unit/support/renderManifests";

const PASSWORD = "exporter-test-password-4711";

function findExporter(): string | undefined {
    const candidates = [process.env.REDIS_EXPORTER_BIN, "redis_exporter", "prometheus-redis-exporter"].filter((c): c is string => !!c);
    return candidates.find((c) => spawnSync(c, ["--version"], { stdio: "ignore" }).error === undefined);
}

function freePort(host: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, host, () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** A TCP server answering every RESP command with +OK and recording the raw bytes it got. */
async function startHarvester(host: string): Promise<{ port: number; received: () => string; stop: () => Promise<void> }> {
    const chunks: Buffer[] = [];
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("data", (data) => {
            chunks.push(data);
            const commands = (data.toString("latin1").match(/^\*\d+\r\n/gm) ?? []).length;
            socket.write("+OK\r\n".repeat(Math.max(commands, 1)));
        });
        socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        received: () => Buffer.concat(chunks).toString("latin1"),
        stop: () => new Promise((resolve) => {
            for (const s of sockets) s.destroy();
            server.close(() => resolve());
        }),
    };
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

async function get(url: string): Promise<{ status: number; body: string }> {
    const response = await fetch(url);
    return { status: response.status, body: await response.text() };
}

describe("the exporter sidecar on a real redis_exporter (metrics on)", function () {
    this.timeout(60_000);
    const exporterBin = findExporter();
    const children: ChildProcess[] = [];
    let dir: string;
    let redisPort: number;

    function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
        const child = spawn(command, args, { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "ignore", "pipe"] });
        children.push(child);
        return child;
    }

    /** The exporter with `env`, listening on a free loopback port; resolves once /health answers. */
    async function startExporter(env: Record<string, string>): Promise<string> {
        const port = await freePort("127.0.0.1");
        run(exporterBin!, [], { ...env, REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${port}` });
        const base = `http://127.0.0.1:${port}`;
        await waitFor("the exporter's /health", async () => ((await get(`${base}/health`)).status === 200 ? true : undefined));
        return base;
    }

    /** The exporter container's env as the Redis set's pod template has it, mapped to this test's Redis port and file. */
    function manifestEnv(): Record<string, string> {
        const template = (renderManifests({ metrics: { enabled: true } }).redisSet.spec as any).template.spec;
        const exporter = template.containers.find((c: any) => c.name === "metrics");
        assert.ok(exporter.env.every((e: any) => e.value !== undefined), "every exporter env var is a plain value (no secret reference)");
        const env: Record<string, string> = Object.fromEntries(exporter.env.map((e: any) => [e.name, String(e.value)]));
        const file = path.join(dir, "passwords.json");
        // The file as the auth Secret holds it, keyed to the container's REDIS_ADDR.
        writeFileSync(file, exporterPasswordFile(PASSWORD).replace(":6379", `:${redisPort}`));
        return { ...env, REDIS_ADDR: env.REDIS_ADDR.replace(":6379", `:${redisPort}`), REDIS_PASSWORD_FILE: file };
    }

    before(async function () {
        // Like redis-server, a requirement of the suite (.ci/run installs it): never a silent skip.
        if (!exporterBin) throw new Error("no redis_exporter on PATH: apt-get install prometheus-redis-exporter (as .ci/run does)");
        dir = mkdtempSync(path.join(tmpdir(), "exporter-"));
        redisPort = await freePort("127.0.0.1");
        run("redis-server", ["--bind", "127.0.0.1", "--port", String(redisPort), "--requirepass", PASSWORD, "--save", "", "--appendonly", "no"]);
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

    it("control: with REDIS_PASSWORD (the old env), /scrape?target= logs in to any host with the password", async () => {
        const harvester = await startHarvester("127.0.0.1");
        try {
            const base = await startExporter({ REDIS_ADDR: `redis://127.0.0.1:${redisPort}`, REDIS_PASSWORD: PASSWORD });
            await get(`${base}/scrape?target=redis://127.0.0.1:${harvester.port}`);
            assert.ok(harvester.received().includes(PASSWORD), `the harvester did not get the password; it got: ${JSON.stringify(harvester.received())}`);
        } finally {
            await harvester.stop();
        }
    });

    it("with the manifest's env: scrapes its own Redis with the password, and hands it to no other host", async () => {
        const harvester = await startHarvester("127.0.0.1");
        try {
            const base = await startExporter(manifestEnv());
            const metrics = await waitFor("redis_up 1", async () => {
                const body = (await get(`${base}/metrics`)).body;
                return /^redis_up 1$/m.test(body) ? body : undefined;
            });
            assert.match(metrics, /^redis_connected_clients \d+$/m, "authenticated: INFO answered");
            const scrape = await get(`${base}/scrape?target=redis://127.0.0.1:${harvester.port}`);
            // v1.83.0+: the endpoint is gone (404); older (Debian's 1.45): it runs, without the password.
            assert.ok(scrape.status === 404 || !harvester.received().includes(PASSWORD), `status ${scrape.status}`);
            assert.ok(!harvester.received().includes(PASSWORD), `the harvester got the password: ${JSON.stringify(harvester.received())}`);
        } finally {
            await harvester.stop();
        }
    });
});
