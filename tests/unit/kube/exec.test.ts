// PodApi.exec: client-node's WebSocket Exec against the fake API server, with scripted
// handlers and with real local processes (sh, redis-cli against a loopback redis-server).
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import { createServer } from "net";
import { loadKubeConfig, PodApi } from "../../../src/kube";
import { ExecRequest, FakeKubeServer, hangingExec, localProcessExec } from "../../fakekube";

const NS = "redis";
const POD = "r-seed";

describe("PodApi.exec against the fake Kubernetes API", () => {
    let fake: FakeKubeServer;
    let api: PodApi;

    beforeEach(async () => {
        fake = await FakeKubeServer.start();
        fake.addPod({ namespace: NS, name: POD, containers: ["redis", "sentinel"] });
        api = new PodApi(loadKubeConfig({ kubeconfig: fake.kubeconfig() }));
    });
    afterEach(async () => {
        await fake.stop();
    });

    it("sends argv, container and stream flags, and collects stdout and stderr with exit code 0", async () => {
        const seen: ExecRequest[] = [];
        fake.onExec(NS, POD, "sentinel", (req) => {
            seen.push(req);
            return { stdout: `master ${req.command.slice(1).join("|")}\n`, stderr: "warning\n" };
        });
        const result = await api.exec(NS, POD, "sentinel", ["redis-cli", "SENTINEL", "get master addr"]);
        assert.deepStrictEqual(result, { stdout: "master SENTINEL|get master addr\n", stderr: "warning\n", exitCode: 0 });
        assert.deepStrictEqual(seen.map((r) => r.command), [["redis-cli", "SENTINEL", "get master addr"]]);
        const [req] = fake.requestsTo("GET", `/api/v1/namespaces/${NS}/pods/${POD}/exec`);
        assert.deepStrictEqual(req.query.container, ["sentinel"]);
        assert.deepStrictEqual([req.query.stdout, req.query.stderr, req.query.stdin, req.query.tty],
            [["true"], ["true"], ["false"], ["false"]]);
        assert.strictEqual(req.protocol, "v5.channel.k8s.io");
        assert.ok(req.authorized);
    });

    it("returns a non-zero exit code from the status channel, with the output", async () => {
        fake.onExec(NS, POD, "redis", () => ({ stdout: "partial", stderr: "ERR no such key\n", exitCode: 3 }));
        assert.deepStrictEqual(await api.exec(NS, POD, "redis", ["sh", "-c", "exit 3"]),
            { stdout: "partial", stderr: "ERR no such key\n", exitCode: 3 });
    });

    it("speaks v4.channel.k8s.io when the API server offers only that", async () => {
        const v4 = await FakeKubeServer.start({ execProtocols: ["v4.channel.k8s.io"], openFrames: false });
        try {
            v4.addPod({ namespace: NS, name: POD, containers: ["redis"] });
            v4.onExec(NS, POD, "redis", () => ({ stdout: "PONG\n", exitCode: 1 }));
            const v4api = new PodApi(loadKubeConfig({ kubeconfig: v4.kubeconfig() }));
            assert.deepStrictEqual(await v4api.exec(NS, POD, "redis", ["redis-cli", "PING"]), { stdout: "PONG\n", stderr: "", exitCode: 1 });
            assert.strictEqual(v4.requests[0].protocol, "v4.channel.k8s.io");
        } finally {
            await v4.stop();
        }
    });

    it("times out naming pod, container and command, and closes the connection", async () => {
        let aborted = false;
        fake.onExec(NS, POD, "redis", (req) => {
            req.signal.addEventListener("abort", () => { aborted = true; });
            return hangingExec(req);
        });
        const started = Date.now();
        await assert.rejects(api.exec(NS, POD, "redis", ["redis-cli", "WAIT", "1", "0"], { timeoutMs: 300 }),
            /exec \[redis-cli WAIT 1 0\] in pod "r-seed" container "redis" \(namespace "redis"\) timed out after 300 ms with no exit status/);
        const took = Date.now() - started;
        assert.ok(took >= 280 && took < 1500, `timed out after ${took} ms`);
        await waitFor(() => aborted, 2000, "the fake saw the exec connection closed");
    });

    it("fails with the API server's message when the command cannot start (InternalError)", async () => {
        fake.onExec(NS, POD, "redis", localProcessExec());
        await assert.rejects(api.exec(NS, POD, "redis", ["no-such-binary-xyz"]),
            /exec \[no-such-binary-xyz\] in pod "r-seed" container "redis" .*failed: InternalError: .*executable file not found/);
    });

    it("fails when the stream closes without an exit status", async () => {
        fake.onExec(NS, POD, "redis", () => ({ stdout: "half", closeWithoutStatus: true }));
        await assert.rejects(api.exec(NS, POD, "redis", ["redis-cli", "INFO"]),
            /closed without an exit status \(received 4 bytes of stdout, 0 of stderr\)/);
    });

    it("throws an RBAC hint for pods/exec on 403", async () => {
        fake.forbid({ verb: "exec", name: POD });
        await assert.rejects(api.exec(NS, POD, "redis", ["true"]), (err: Error) => {
            assert.match(err.message, /exec \[true\] in pod "r-seed" container "redis"/);
            assert.match(err.message, /403 Forbidden/);
            assert.match(err.message, /resources: \["pods\/exec"\], verbs: \["get", "create"\]/);
            return true;
        });
    });

    it("names the HTTP failure for a missing pod or container", async () => {
        await assert.rejects(api.exec(NS, "absent", "redis", ["true"]), /pod "absent".*HTTP 404/);
        await assert.rejects(api.exec(NS, POD, "nginx", ["true"]), /container "nginx".*HTTP 400/);
    });

    it("runs a real local process and passes its exit code and output through", async () => {
        fake.onExec(NS, POD, "redis", localProcessExec());
        assert.deepStrictEqual(await api.exec(NS, POD, "redis", ["sh", "-c", "printf 'a b'; printf oops >&2; exit 4"]),
            { stdout: "a b", stderr: "oops", exitCode: 4 });
    });

    describe("with a real redis-server behind the pod", function () {
        this.timeout(10_000);
        let redis: ChildProcess | undefined;
        let port = 0;
        const password = "fake-kube-test-pass";

        before(async () => {
            port = await freePort();
            redis = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(port), "--save", "",
                "--appendonly", "no", "--requirepass", password], { stdio: "ignore" });
            process.once("exit", killRedis);
            await waitForPort(port, 5000);
        });
        after(() => killRedis());
        function killRedis(): void {
            redis?.kill("SIGKILL");
            redis = undefined;
        }

        it("runs redis-cli over kube exec with the container's environment, no password on the command line", async () => {
            fake.onExec(NS, POD, "redis", localProcessExec({
                rewrite: (argv) => argv[0] === "redis-cli" ? ["redis-cli", "-h", "127.0.0.1", "-p", String(port), ...argv.slice(1)] : argv,
                env: { PATH: process.env.PATH, REDISCLI_AUTH: password },
            }));
            const set = await api.exec(NS, POD, "redis", ["redis-cli", "SET", "k", "v1"]);
            assert.deepStrictEqual(set, { stdout: "OK\n", stderr: "", exitCode: 0 });
            const role = await api.exec(NS, POD, "redis", ["redis-cli", "INFO", "replication"]);
            assert.match(role.stdout, /role:master/);
            const [req] = fake.requests;
            assert.ok(!req.query.command.join(" ").includes(password));
        });
    });
});

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const { port } = srv.address() as { port: number };
            srv.close(() => resolve(port));
        });
    });
}

async function waitForPort(port: number, ms: number): Promise<void> {
    const { connect } = await import("net");
    const end = Date.now() + ms;
    for (;;) {
        const ok = await new Promise<boolean>((resolve) => {
            const s = connect(port, "127.0.0.1", () => { s.destroy(); resolve(true); });
            s.once("error", () => resolve(false));
        });
        if (ok) return;
        if (Date.now() > end) throw new Error(`redis-server did not listen on 127.0.0.1:${port} within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 25));
    }
}
