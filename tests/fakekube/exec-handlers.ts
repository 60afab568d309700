// What a fake exec does: a handler gets the argv and answers stdout/stderr/exit code.
// `localProcessExec` runs the (rewritten) argv as a real local process, e.g. redis-cli
// against a loopback redis-server, so "kube exec" reaches real Redis in tests.
import { ChildProcess, spawn } from "child_process";

export interface ExecRequest {
    namespace: string;
    pod: string;
    container: string;
    command: string[];
    /** aborted when the client disconnects or the fake server stops */
    signal: AbortSignal;
    /** What the client sends on the stdin channel (0); ends when it closes stdin or the socket. */
    stdin?: NodeJS.ReadableStream;
}

export interface ExecReply {
    stdout?: string | Buffer;
    stderr?: string | Buffer;
    /** default 0 */
    exitCode?: number;
    /** Answer an InternalError status instead of an exit code (e.g. executable not found). */
    error?: string;
    /** Close the WebSocket after the output without sending a status (a broken stream). */
    closeWithoutStatus?: boolean;
}

export type ExecHandler = (req: ExecRequest) => ExecReply | Promise<ExecReply>;

/** A handler that never answers (until the client goes away): for timeout tests. */
export const hangingExec: ExecHandler = (req) =>
    new Promise<ExecReply>((resolve) => req.signal.addEventListener("abort", () => resolve({ closeWithoutStatus: true })));

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    process.on("exit", () => {
        for (const child of liveChildren) child.kill("SIGKILL");
    });
}

export interface LocalProcessOptions {
    /** Turns the pod's argv into the local argv (e.g. add `-h 127.0.0.N -p PORT` to redis-cli). */
    rewrite?: (command: string[], req: ExecRequest) => string[];
    /** Environment of the process (e.g. REDISCLI_AUTH, as the container would have). Default: this process's. */
    env?: NodeJS.ProcessEnv | ((req: ExecRequest) => NodeJS.ProcessEnv);
    /** Kill the process after this long (default 20 s); it then reports exit code 137. */
    timeoutMs?: number;
}

/** Runs the command as a local process; it is killed if the client disconnects or the fake stops. */
export function localProcessExec(opts: LocalProcessOptions = {}): ExecHandler {
    installExitHook();
    return (req) => new Promise<ExecReply>((resolve) => {
        const argv = opts.rewrite ? opts.rewrite(req.command, req) : req.command;
        const env = typeof opts.env === "function" ? opts.env(req) : opts.env ?? process.env;
        const child = spawn(argv[0], argv.slice(1), { env, stdio: ["pipe", "pipe", "pipe"] });
        liveChildren.add(child);
        child.stdin.on("error", () => undefined);
        if (req.stdin) req.stdin.pipe(child.stdin);
        else child.stdin.end();
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (b: Buffer) => out.push(b));
        child.stderr.on("data", (b: Buffer) => err.push(b));
        const kill = (): void => {
            child.kill("SIGKILL");
        };
        const timer = setTimeout(kill, opts.timeoutMs ?? 20_000);
        req.signal.addEventListener("abort", kill);
        child.on("error", (e: NodeJS.ErrnoException) => {
            clearTimeout(timer);
            liveChildren.delete(child);
            const msg = e.code === "ENOENT"
                ? `failed to exec in container: exec: "${argv[0]}": executable file not found in $PATH: unknown`
                : `failed to exec in container: ${e.message}`;
            resolve({ error: msg });
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            liveChildren.delete(child);
            req.signal.removeEventListener("abort", kill);
            const exitCode = code ?? (signal === "SIGKILL" ? 137 : 128);
            resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode });
        });
    });
}
