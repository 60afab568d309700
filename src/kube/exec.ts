// Runs a command in a container through the API server's WebSocket exec endpoint
// (client-node's `Exec`), collecting stdout, stderr and the exit code from the status
// channel, with a timeout. Errors name the pod, container and command, never the output
// (it may hold data) and never credentials.
import { Writable } from "stream";
import { Exec, KubeConfig } from "@kubernetes/client-node";
import { describeApiError, httpCodeOf, KubeApiError, StatusLike } from "./errors";
import { outcomeFromExecStatus } from "./exec-status";

export interface ExecResult {
    stdout: string;
    stderr: string;
    exitCode: number;
}

export interface ExecOptions {
    /** Give up after this long (default 30 s); the connection is closed. */
    timeoutMs?: number;
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

export async function execInPod(kc: KubeConfig, namespace: string, pod: string, container: string,
    command: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    const where = `exec ${describeCommand(command)} in pod "${pod}" container "${container}" (namespace "${namespace}")`;
    const stdout = collector();
    const stderr = collector();
    const received = (): string => `received ${stdout.byteLength()} bytes of stdout, ${stderr.byteLength()} of stderr`;
    let status: StatusLike | undefined;
    let socket: ClosableSocket | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    return new Promise<ExecResult>((resolve, reject) => {
        const fail = (err: Error): void => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            terminateQuietly(socket);
            reject(err);
        };
        const succeed = (result: ExecResult): void => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve(result); // client-node closes the socket itself after the status frame
        };
        const onStatus = (s: StatusLike): void => {
            status = s;
            void Promise.all([stdout.done, stderr.done]).then(() => {
                const outcome = outcomeFromExecStatus(s);
                if (outcome.kind === "failed") fail(new Error(`${where} failed: ${outcome.message}`));
                else succeed({ stdout: stdout.text(), stderr: stderr.text(), exitCode: outcome.exitCode });
            });
        };
        const onClose = (): void => {
            if (status === undefined) fail(new Error(`${where} failed: the connection closed without an exit status (${received()})`));
        };
        timer = setTimeout(() => fail(new Error(`${where} timed out after ${timeoutMs} ms with no exit status (${received()})`)),
            timeoutMs);
        new Exec(kc)
            .exec(namespace, pod, container, command, stdout.stream, stderr.stream, null, false, onStatus)
            .then((ws) => {
                socket = ws as unknown as ClosableSocket;
                if (settled && status === undefined) terminateQuietly(socket); // timed out while connecting
                else socket.on?.("close", onClose);
            }, (err: unknown) => fail(execError(where, namespace, pod, err)));
    });
}

function execError(where: string, namespace: string, pod: string, err: unknown): KubeApiError {
    const t = { verb: "create", resource: "pods/exec", namespace, name: pod };
    return new KubeApiError(`${where} failed: ${describeApiError(t, err).message}`, httpCodeOf(err), t);
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
