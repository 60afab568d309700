// Runs a command in a container through the API server's WebSocket exec endpoint
// (client-node's `Exec`), collecting stdout, stderr and the exit code from the status
// channel, with a timeout. Errors name the pod, container and command, never the output
// (it may hold data) and never credentials.
import { Readable, Writable } from "stream";
import { Exec, KubeConfig } from "@kubernetes/client-node";
import { describeApiError, httpCodeOf, kubeApiError, type KubeApiError, StatusLike } from "./errors";
import { outcomeFromExecStatus } from "./exec-status";

export interface ExecResult {
    stdout: string;
    stderr: string;
    exitCode: number;
}

export interface ExecOptions {
    /** Give up after this long (default 30 s); the connection is closed. */
    timeoutMs?: number;
    /**
     * Text for the command's stdin (how a secret reaches a pod without being on the command
     * line, which the API server's audit log records). The stream is never ended: before the
     * v5 exec protocol (Kubernetes 1.30) ending it closes the whole connection, so the command
     * reads only what it needs (e.g. one line).
     */
    stdin?: string;
}

export const DEFAULT_EXEC_TIMEOUT_MS = 30_000;

/** Pure: how a command is named in messages (argv joined, shortened). */
export function describeCommand(command: string[]): string {
    const text = command.join(" ");
    return text.length > 120 ? `[${text.slice(0, 117)}...]` : `[${text}]`;
}

/** A Writable that keeps what is written; `done` resolves once it has been ended. */
interface Collector {
    stream: Writable;
    done: Promise<void>;
    byteLength(): number;
    text(): string;
}

// A factory, not a subclass of Writable: Pulumi's closure serializer (the dynamic provider
// is serialized) cannot serialize a class whose parent is a Node built-in class.
function collector(): Collector {
    const chunks: Buffer[] = [];
    const stream = new Writable({
        write(chunk: Buffer, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
            chunks.push(Buffer.from(chunk));
            cb();
        },
    });
    const done = new Promise<void>((resolve) => stream.once("finish", () => resolve()));
    return {
        stream,
        done,
        byteLength: () => chunks.reduce((n, c) => n + c.length, 0),
        text: () => Buffer.concat(chunks).toString("utf8"),
    };
}

interface ClosableSocket {
    close(): void;
    terminate?: () => void;
    on?: (event: "close", listener: () => void) => unknown;
}

/** Runs `command` in the container through the API server and waits for its exit status. */
export function execInPod(kc: KubeConfig, namespace: string, pod: string, container: string,
    command: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const where = `exec ${describeCommand(command)} in pod "${pod}" container "${container}" (namespace "${namespace}")`;
    const run = new ExecRun(where, opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS);
    const stdin = opts.stdin === undefined ? null : openStdin(opts.stdin);
    if (stdin) void run.result.then(() => stdin.destroy(), () => stdin.destroy());
    new Exec(kc)
        .exec(namespace, pod, container, command, run.stdout.stream, run.stderr.stream, stdin, false, (s) => run.onStatus(s))
        .then((ws) => run.attach(ws as unknown as ClosableSocket), (err: unknown) => run.fail(execError(where, namespace, pod, err)));
    return run.result;
}

/** One exec's state: output, status, socket, timeout; settles `result` exactly once. */
class ExecRun {
    readonly stdout = collector();
    readonly stderr = collector();
    readonly result: Promise<ExecResult>;
    private resolve!: (r: ExecResult) => void;
    private reject!: (e: Error) => void;
    private status: StatusLike | undefined;
    private socket: ClosableSocket | undefined;
    private settled = false;
    private readonly timer: NodeJS.Timeout;

    constructor(private readonly where: string, timeoutMs: number) {
        this.result = new Promise<ExecResult>((resolve, reject) => {
            this.resolve = resolve;
            this.reject = reject;
        });
        this.timer = setTimeout(() => this.fail(new Error(`${where} timed out after ${timeoutMs} ms with no exit status (${this.received()})`)),
            timeoutMs);
    }

    /** The status channel's Status: the exit code, once both output streams are flushed. */
    onStatus(status: StatusLike): void {
        this.status = status;
        void Promise.all([this.stdout.done, this.stderr.done]).then(() => {
            const outcome = outcomeFromExecStatus(status);
            if (outcome.kind === "failed") this.fail(new Error(`${this.where} failed: ${outcome.message}`));
            else this.succeed({ stdout: this.stdout.text(), stderr: this.stderr.text(), exitCode: outcome.exitCode });
        });
    }

    attach(socket: ClosableSocket): void {
        this.socket = socket;
        if (this.settled && this.status === undefined) terminateQuietly(socket); // timed out while connecting
        else socket.on?.("close", () => this.onClose());
    }

    fail(err: Error): void {
        if (this.settled) return;
        this.settle();
        terminateQuietly(this.socket);
        this.reject(err);
    }

    private onClose(): void {
        if (this.status === undefined) {
            this.fail(new Error(`${this.where} failed: the connection closed without an exit status (${this.received()})`));
        }
    }

    private succeed(result: ExecResult): void {
        if (this.settled) return;
        this.settle();
        this.resolve(result); // client-node closes the socket itself after the status frame
    }

    private settle(): void {
        this.settled = true;
        clearTimeout(this.timer);
    }

    private received(): string {
        return `received ${this.stdout.byteLength()} bytes of stdout, ${this.stderr.byteLength()} of stderr`;
    }
}

/** A stdin stream holding `text` that never ends (see {@link ExecOptions.stdin}). */
function openStdin(text: string): Readable {
    const stream = new Readable({ read() { /* everything is pushed at once */ } });
    stream.push(Buffer.from(text, "utf8"));
    return stream;
}

function execError(where: string, namespace: string, pod: string, err: unknown): KubeApiError {
    const t = { verb: "create", resource: "pods/exec", namespace, name: pod };
    return kubeApiError(`${where} failed: ${describeApiError(t, err).message}`, httpCodeOf(err), t);
}

function terminateQuietly(socket: ClosableSocket | undefined): void {
    if (!socket) return;
    try {
        if (socket.terminate) socket.terminate();
        else socket.close();
    } catch {
        // already closed
    }
}
