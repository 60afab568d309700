/**
 * Transport for processes on this machine (tests, demo, bench): each announced host name maps to
 * a loopback address; redis-cli runs locally with REDISCLI_AUTH set from `password`.
 */
import { execFile } from "child_process";
import { Reply } from "./reply";
import { CliTransport, CliResult, NodeRole, RetirementTransport } from "./transport-core";

export interface LocalNode {
  address: string;           // e.g. 127.0.0.3
  redisPort?: number;        // default 6379
  sentinelPort?: number;     // default 26379
}

export interface LocalTransportOptions {
  /** Announced host -> where to connect. A host missing from the map is used as the address. */
  nodes?: Record<string, LocalNode>;
  /** Or a function doing the same (takes precedence over `nodes`). */
  resolve?: (host: string) => LocalNode;
  password?: string;
  redisCli?: string;         // default "redis-cli"
  timeoutMs?: number;        // default 5000
}

export function runLocalCli(opts: LocalTransportOptions, role: NodeRole, host: string, cliArgs: string[]): Promise<CliResult> {
  const node = opts.resolve?.(host) ?? opts.nodes?.[host] ?? { address: host };
  const port = role === "redis" ? node.redisPort ?? 6379 : node.sentinelPort ?? 26379;
  const env = { ...process.env };
  if (opts.password !== undefined) env.REDISCLI_AUTH = opts.password;
  return new Promise((resolve) => {
    execFile(opts.redisCli ?? "redis-cli", ["-h", node.address, "-p", String(port), ...cliArgs],
      { env, timeout: opts.timeoutMs ?? 5000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
        resolve({ stdout: String(stdout), stderr: String(stderr) + (err && code === 1 && !stderr ? err.message : ""), exitCode: code });
      });
  });
}

export class LocalTransport implements RetirementTransport {
  private readonly cli: CliTransport;

  constructor(readonly opts: LocalTransportOptions = {}) {
    this.cli = new CliTransport((role, host, cliArgs) => runLocalCli(opts, role, host, cliArgs));
  }

  call(role: NodeRole, host: string, args: readonly string[]): Promise<Reply> {
    return this.cli.call(role, host, args);
  }
}
