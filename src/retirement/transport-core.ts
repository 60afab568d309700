/**
 * Core of the transport (see transport.ts). How the retirement logic reaches Redis and Sentinel: "run this command on the redis server (or
 * the sentinel) of node X", X being the node's announced host name (its pod FQDN). The same logic
 * runs over Kubernetes exec (`KubeTransport`) and over loopback (`LocalTransport`: tests, demo,
 * bench). Both run `redis-cli --no-raw` and share one parser, so what the tests exercise is what
 * runs against a cluster.
 */
import { parseCliOutput, Reply, replyError } from "./reply";

export type NodeRole = "redis" | "sentinel";

export interface RetirementTransport {
  /** Run one command. Resolves to the reply; rejects with ReplyError (error reply) or TransportError. */
  call(role: NodeRole, host: string, args: readonly string[]): Promise<Reply>;
  /**
   * Run one of the scripts ConfigMap's scripts in the node's container (`sh /scripts/<script>
   * <args>`, e.g. handover.sh): its output and exit code. Rejects with TransportError when it
   * could not be run or its result did not come back (the script may still have run).
   */
  runScript(role: NodeRole, host: string, script: string, args: readonly string[], opts?: ScriptOptions): Promise<CliResult>;
}

/** How a script is run: its time bound, and text for its stdin (a secret never goes in `args`). */
export interface ScriptOptions {
  timeoutMs?: number;
  stdin?: string;
}

/** The node could not be reached or the command could not be run (no reply from Redis). */
export interface TransportError extends Error {
  kind: "transport";
}

export function transportError(message: string): TransportError {
  return Object.assign(new Error(message), { name: "TransportError", kind: "transport" as const });
}

export function isTransportError(err: unknown): err is TransportError {
  return err instanceof Error && (err as Partial<TransportError>).kind === "transport";
}

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `redis-cli <cliArgs>` against the given node; cliArgs already hold `--no-raw` and the command. */
export type CliRunner = (role: NodeRole, host: string, cliArgs: string[]) => Promise<CliResult>;

/** Runs `sh <scripts dir>/<script> <args>` in the node's container. */
export type ScriptRunner = (role: NodeRole, host: string, script: string, args: readonly string[], timeoutMs: number, stdin?: string) => Promise<CliResult>;

/** Default bound of a script run (the handover's `start` waits up to 10 s for its result). */
export const DEFAULT_SCRIPT_TIMEOUT_MS = 40_000;

/**
 * A transport over any way of running redis-cli; parses its `--no-raw` output. (Composed, not
 * subclassed, by KubeTransport and LocalTransport: the dynamic provider's closure serialization
 * does not keep class inheritance.)
 */
export class CliTransport implements RetirementTransport {
  constructor(private readonly run: CliRunner, private readonly script?: ScriptRunner) {}

  async runScript(role: NodeRole, host: string, script: string, args: readonly string[], opts: ScriptOptions = {}): Promise<CliResult> {
    if (!this.script) throw transportError(`${role} ${host}: this transport cannot run ${script}`);
    return this.script(role, host, script, args, opts.timeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS, opts.stdin);
  }

  async call(role: NodeRole, host: string, args: readonly string[]): Promise<Reply> {
    const where = `${role} ${host}`;
    const result = await this.run(role, host, ["--no-raw", ...args]);
    const stdout = result.stdout;
    if (stdout.trim() === "") {
      const why = result.stderr.trim().split("\n").slice(-2).join(" ") || `redis-cli exited with code ${result.exitCode}`;
      throw transportError(`${where}: ${args[0] ?? ""} ${args[1] ?? ""}: no reply (${why})`.replace(/ +/g, " "));
    }
    let parsed: ReturnType<typeof parseCliOutput>;
    try {
      parsed = parseCliOutput(stdout, args);
    } catch (err) {
      throw transportError(`${where}: could not parse redis-cli output of ${args.join(" ")}: ${(err as Error).message}`);
    }
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) throw replyError(parsed.error, where);
    return parsed;
  }
}

/** Wraps a runner to see every raw output (used to record test fixtures). */
export function recordingRunner(run: CliRunner, record: (role: NodeRole, host: string, cliArgs: string[], out: CliResult) => void): CliRunner {
  return async (role, host, cliArgs) => {
    const out = await run(role, host, cliArgs);
    record(role, host, cliArgs, out);
    return out;
  };
}

