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

/**
 * A transport over any way of running redis-cli; parses its `--no-raw` output. (Composed, not
 * subclassed, by KubeTransport and LocalTransport: the dynamic provider's closure serialization
 * does not keep class inheritance.)
 */
export class CliTransport implements RetirementTransport {
  constructor(private readonly run: CliRunner) {}

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

