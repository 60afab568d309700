/**
 * Transport for processes on this machine (tests, demo, bench): each announced host name maps to
 * a loopback address; redis-cli runs locally with REDISCLI_AUTH set from `password`; a script
 * "in a node's container" runs locally with that container's environment (`scripts`).
 */
import { execFile } from "child_process";
import * as path from "path";
import { Reply } from "./reply";
import { CliTransport, CliResult, NodeRole, RetirementTransport, ScriptOptions } from "./transport-core";

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
  /** redis-cli options before every command (e.g. `--tls --cacert <ca>` when the servers speak TLS only). */
  cliArgs?: string[];
  timeoutMs?: number;        // default 5000
  /** How to run the scripts ConfigMap's scripts "in a node's container" (runScript); unset: not supported. */
  scripts?: LocalScripts;
}

export interface LocalScripts {
  /** Directory holding the scripts (what the pods mount at /scripts). */
  dir: string;
  /** The container environment of the node's container, as the pod would have it (REDISCLI_AUTH, RS_*). */
  env: (host: string, role: NodeRole) => NodeJS.ProcessEnv;
}

/** Runs `sh <dir>/<script> <args>` locally with the node's container environment. */
export function runLocalScript(scripts: LocalScripts, role: NodeRole, host: string, script: string, args: readonly string[], timeoutMs: number, stdin?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile("sh", [path.join(scripts.dir, script), ...args], { env: scripts.env(host, role), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
        resolve({ stdout: String(stdout), stderr: String(stderr) + (err && !stderr ? err.message : ""), exitCode: code });
      });
    // As over exec: the text, and stdin left open (the script reads what it needs).
    child.stdin?.on("error", () => undefined);
    if (stdin !== undefined) child.stdin?.write(stdin);
    else child.stdin?.end();
  });
}

export function runLocalCli(opts: LocalTransportOptions, role: NodeRole, host: string, cliArgs: string[]): Promise<CliResult> {
  const node = opts.resolve?.(host) ?? opts.nodes?.[host] ?? { address: host };
  const port = role === "redis" ? node.redisPort ?? 6379 : node.sentinelPort ?? 26379;
  const env = { ...process.env };
  if (opts.password !== undefined) env.REDISCLI_AUTH = opts.password;
  return new Promise((resolve) => {
    execFile(opts.redisCli ?? "redis-cli", [...(opts.cliArgs ?? []), "-h", node.address, "-p", String(port), ...cliArgs],
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
    const scripts = opts.scripts;
    this.cli = new CliTransport((role, host, cliArgs) => runLocalCli(opts, role, host, cliArgs),
      scripts ? (role, host, script, args, ms, stdin) => runLocalScript(scripts, role, host, script, args, ms, stdin) : undefined);
  }

  call(role: NodeRole, host: string, args: readonly string[]): Promise<Reply> {
    return this.cli.call(role, host, args);
  }

  runScript(role: NodeRole, host: string, script: string, args: readonly string[], opts?: ScriptOptions): Promise<CliResult> {
    return this.cli.runScript(role, host, script, args, opts);
  }
}
