/**
 * Transport over the Kubernetes exec API: `redis-cli` runs inside the pod's container, connects to
 * its own server on localhost and authenticates from the container's REDISCLI_AUTH. The provider
 * never holds the password and never puts one on a command line.
 */
import { Reply } from "./reply";
import { CliTransport, CliResult, NodeRole, RetirementTransport, ScriptOptions, transportError } from "./transport-core";

/** The part of `PodApi` (src/kube) this transport needs. */
export interface PodExecutor {
  exec(namespace: string, pod: string, container: string, command: string[], opts?: { timeoutMs?: number; stdin?: string }): Promise<CliResult>;
}

export interface KubeTransportOptions {
  namespace: string;
  redisPort?: number;        // default 6379
  sentinelPort?: number;     // default 26379
  redisContainer?: string;   // default "redis"
  sentinelContainer?: string; // default "sentinel"
  execTimeoutMs?: number;    // default 15000
  scriptsDir?: string;       // where the scripts ConfigMap is mounted, default "/scripts"
  /** redis-cli options before every command, e.g. {@link TLS_CLI_ARGS} when the servers speak TLS only. */
  cliArgs?: string[];
}

/**
 * redis-cli's options in a container with TLS on: the Secret mounted at /tls (src/manifests/tls.ts,
 * TLS_DIR), the server's certificate checked against its CA.
 */
export const TLS_CLI_ARGS: readonly string[] = ["--tls", "--cacert", "/tls/ca.crt"];

/** `n-redis-0.n-headless.ns.svc.cluster.local` -> `n-redis-0`. */
export function podOfHost(host: string): string {
  return host.split(".")[0] ?? host;
}

export class KubeTransport implements RetirementTransport {
  private readonly cli: CliTransport;

  call(role: NodeRole, host: string, args: readonly string[]): Promise<Reply> {
    return this.cli.call(role, host, args);
  }

  runScript(role: NodeRole, host: string, script: string, args: readonly string[], opts?: ScriptOptions): Promise<CliResult> {
    return this.cli.runScript(role, host, script, args, opts);
  }

  constructor(pods: PodExecutor, opts: KubeTransportOptions) {
    const redisPort = opts.redisPort ?? 6379;
    const sentinelPort = opts.sentinelPort ?? 26379;
    const timeoutMs = opts.execTimeoutMs ?? 15_000;
    const scriptsDir = opts.scriptsDir ?? "/scripts";
    const containerOf = (role: NodeRole): string => (role === "redis" ? opts.redisContainer ?? "redis" : opts.sentinelContainer ?? "sentinel");
    const exec = async (role: NodeRole, host: string, command: string[], ms: number, stdin?: string): Promise<CliResult> => {
      const pod = podOfHost(host);
      const container = containerOf(role);
      try {
        return await pods.exec(opts.namespace, pod, container, command, { timeoutMs: ms, ...(stdin === undefined ? {} : { stdin }) });
      } catch (err) {
        throw transportError(`${role} ${host}: exec in pod ${opts.namespace}/${pod} container ${container} failed: ${(err as Error).message}`);
      }
    };
    this.cli = new CliTransport(
      (role, host, cliArgs) => exec(role, host, ["redis-cli", ...(opts.cliArgs ?? []), "-p", String(role === "redis" ? redisPort : sentinelPort), ...cliArgs], timeoutMs),
      (role, host, script, args, ms, stdin) => exec(role, host, ["sh", `${scriptsDir}/${script}`, ...args], ms, stdin),
    );
  }
}
