/**
 * The retirement over H1's real-process harness: a LocalTransport resolving announced hosts to the
 * harness's loopback addresses and running a script "in a pod's container" (handover.sh) with
 * that container's environment, and the seed "pod" as a SeedPodControl (a uid per incarnation;
 * delete = SIGTERM like the kubelet, asynchronously, as the API server answers before the pod is
 * gone). Used by the integration tests, the measuring runner and the demo.
 */
import { LocalTransport } from "../../../src/retirement/transport";
import { RetirementTarget } from "../../../src/retirement/observe";
import { SeedPodControl } from "../../../src/retirement/retire";
import { Topology } from "../../harness";

export function harnessTransport(t: Topology): LocalTransport {
  return new LocalTransport({
    password: t.password,
    cliArgs: t.cliTlsArgs(),
    resolve: (host) => {
      const a = t.resolve(host);
      return { address: a.address, redisPort: a.redisPort, sentinelPort: a.sentinelPort };
    },
    scripts: { dir: t.scriptsDir, env: (host) => t.containerEnv(t.pod(host)) },
  });
}

export function harnessTarget(t: Topology): RetirementTarget {
  return {
    masterName: t.masterName,
    seed: t.seedPod().host,
    replicas: t.redisPods().map((p) => p.host),
    sentinels: t.sentinelPods().map((p) => p.host),
  };
}

/** The seed pod of a harness topology with Kubernetes-like uid and delete semantics. */
export class HarnessSeedPod implements SeedPodControl {
  private generation = 1;
  private terminating: Promise<void> | undefined;
  /** Set to make the next delete() throw (simulates a crash of the provider half-way). */
  failNextDelete: Error | undefined;
  deletes = 0;

  constructor(private readonly t: Topology) {}

  get uid(): string {
    return `${this.t.name}-seed-${this.generation}`;
  }

  private running(): boolean {
    const seed = this.t.seedPod().name;
    return this.t.isRunning(seed, "redis") || this.t.isRunning(seed, "sentinel");
  }

  async get(): Promise<{ uid: string; deleting?: boolean } | undefined> {
    if (!this.running()) return undefined;
    return { uid: this.uid, deleting: this.terminating !== undefined };
  }

  async delete(uid: string): Promise<"deleted" | "gone" | "uid-mismatch"> {
    if (this.failNextDelete) {
      const e = this.failNextDelete;
      this.failNextDelete = undefined;
      throw e;
    }
    if (!this.running()) return "gone";
    if (uid !== this.uid) return "uid-mismatch";
    this.deletes += 1;
    this.terminating = this.t.killPod(this.t.seedPod().name, "SIGTERM", 5000).finally(() => (this.terminating = undefined));
    return "deleted";
  }

  async waitGone(uid: string, deadline: number): Promise<void> {
    while (this.running() && uid === this.uid) {
      if (Date.now() > deadline) throw new Error(`seed pod (uid ${uid}) still running`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A new incarnation of the seed pod (empty volumes, new uid), as a recreated Pod would be. */
  async recreate(): Promise<void> {
    if (this.running()) await this.t.killPod(this.t.seedPod().name, "SIGKILL");
    this.generation += 1;
    await this.t.startPod(this.t.seedPod().name, { fresh: true });
  }
}

/**
 * Shorter Sentinel periods for tests (INFO every 1 s instead of 10 s, hello every 0.5 s): a reset
 * Sentinel re-discovers replicas within a second instead of up to ten. The retirement logic is
 * unchanged; only how long its last phase waits.
 */
export async function quickSentinels(t: Topology): Promise<void> {
  for (const p of t.runningPods("sentinel")) {
    await t.cli(p.name, "sentinel", "SENTINEL", "DEBUG", "info-period", "1000", "publish-period", "500");
  }
}
