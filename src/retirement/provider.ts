/**
 * The Pulumi dynamic provider that retires the seed pod. Pulumi serializes this object with its
 * closure (pulumi/runtime/closure): modules under node_modules (@kubernetes/client-node) become
 * require() calls, this package's own modules are serialized by value. So nothing here may capture
 * a native object, a subclass of a Node built-in class, or a secret; the kubeconfig arrives as an
 * input at run time and is never put into the outputs.
 *
 * Progress: a dynamic provider has no engine connection for pulumi.log; since pulumi 3.146
 * (pulumi/pulumi#18253) its console output is passed through to the `pulumi up` display, so every
 * phase is printed with console.log, prefixed with the resource's pod.
 */
import { wireSafe } from "./wire";
import type * as pulumi from "@pulumi/pulumi";
import { loadKubeConfig, PodApi } from "../kube";
import { KubeTransport, TLS_CLI_ARGS } from "./kube-transport";
import { DEFAULT_TIMEOUT_MS, errText, retireSeed, retirementError, RetirementResult, SeedPodControl } from "./retire";
import { RetirementTransport } from "./transport-core";
import type { RetirementTarget } from "./observe";

/** Inputs of the SeedRetirement resource (plain values, as the provider receives them). */
export interface SeedRetirementInputs {
  namespace: string;
  /** Seed pod name (N-seed). */
  seedPod: string;
  /** uid of the seed pod to retire; a new uid (recreated seed) makes `pulumi up` retire again. */
  seedUid: string;
  masterName: string;
  /** Pod names of the Redis set and of the Sentinel set. */
  redisPods: string[];
  sentinelPods: string[];
  /** N-headless.NS.svc.cluster.local: pod host = `<pod>.<headlessDomain>`. */
  headlessDomain: string;
  redisPort?: number;
  sentinelPort?: number;
  /** Kubeconfig YAML (a secret); unset: the ambient one (KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeconfig?: string;
  context?: string;
  /** Deadline for the whole retirement (default 600). */
  timeoutSeconds?: number;
  /** The servers speak TLS only (`tls.enabled`): redis-cli in the pods connects with `--tls --cacert /tls/ca.crt`. */
  tls?: boolean;
  /** The Sentinel quorum, applied to the running Sentinels (`SENTINEL SET`); a change re-runs the reconcile. */
  quorum?: number;
}

export interface SeedRetirementOutputs {
  namespace: string;
  seedPod: string;
  masterName: string;
  headlessDomain: string;
  /** The uid of the seed pod this resource retired. */
  retiredSeedUid: string;
  /** Pod name and announced host of the master after the retirement. */
  currentMaster: string;
  currentMasterHost: string;
  /** How long writes were held on the seed during the switchover (0 if the master had already moved). */
  writePauseMs: number;
  /** SENTINEL FAILOVER -> every Sentinel names the new master (0 without switchover). */
  failoverMs: number;
  switchedOver: boolean;
  /** The pods the Sentinels were reconciled with (a change re-runs the reconcile: scale up or down). */
  redisPods: string[];
  sentinelPods: string[];
  /** The quorum applied to every Sentinel (absent in the state of a stack from before it was applied here). */
  quorum?: number;
}

/** Pieces the provider builds from its inputs; tests replace them (a local transport, a fake pod). */
export interface RetirementRuntime {
  transport: RetirementTransport;
  seedPod: SeedPodControl;
  log: (line: string) => void;
  /** Whether a pod exists (terminating counts); used to wait for the pods a scale-down removes. Unset: not waited for. */
  podExists?: (pod: string) => Promise<boolean>;
}

export function hostOf(pod: string, headlessDomain: string): string {
  return `${pod}.${headlessDomain}`;
}

export function targetOf(inputs: SeedRetirementInputs): RetirementTarget {
  return {
    masterName: inputs.masterName,
    seed: hostOf(inputs.seedPod, inputs.headlessDomain),
    replicas: inputs.redisPods.map((p) => hostOf(p, inputs.headlessDomain)),
    sentinels: inputs.sentinelPods.map((p) => hostOf(p, inputs.headlessDomain)),
    ...(inputs.quorum !== undefined ? { quorum: inputs.quorum } : {}),
  };
}

/** The runtime against a cluster: client-node through src/kube, exec'ing redis-cli in the pods. */
export function kubeRuntime(inputs: SeedRetirementInputs): RetirementRuntime {
  const api = new PodApi(loadKubeConfig({ kubeconfig: inputs.kubeconfig, context: inputs.context }));
  const ns = inputs.namespace;
  const name = inputs.seedPod;
  return {
    transport: new KubeTransport(api, {
      namespace: ns, redisPort: inputs.redisPort, sentinelPort: inputs.sentinelPort, ...(inputs.tls ? { cliArgs: [...TLS_CLI_ARGS] } : {}),
    }),
    seedPod: {
      get: async () => {
        const s = await api.getPod(ns, name);
        return s ? { uid: s.uid, deleting: s.deleting } : undefined;
      },
      delete: (uid) => api.deletePod(ns, name, uid),
      waitGone: (uid, deadline) => api.waitGone(ns, name, uid, deadline),
    },
    log: (line) => console.log(`[seed-retirement ${ns}/${name}] ${line}`),
    podExists: async (pod) => (await api.getPod(ns, pod)) !== undefined,
  };
}

/** Pods in `olds` and not in `news` (those a scale-down removes). */
export function removedPods(olds: string[] | undefined, news: string[]): string[] {
  return (olds ?? []).filter((p) => !news.includes(p));
}

/**
 * Scale-down, phase "settle": waits until the removed pods are gone (a terminating master hands
 * over in its preStop hook first), so no Sentinel re-learns one after its reset.
 */
export async function waitRemovedGone(removed: string[], runtime: RetirementRuntime, deadline: number, pollMs = 500): Promise<void> {
  if (removed.length === 0 || !runtime.podExists) return;
  runtime.log(`phase settle: waiting until the removed pods ${removed.join(", ")} are gone`);
  let left: string[] = removed;
  let lastError = "";
  for (;;) {
    try {
      const exists = await Promise.all(left.map((p) => runtime.podExists!(p)));
      left = left.filter((_, i) => exists[i]);
      lastError = "";
    } catch (err) {
      lastError = `; last read failed: ${errText(err)}`;
    }
    if (left.length === 0) return;
    if (Date.now() + pollMs > deadline) {
      throw retirementError("settle", `the pods the scale-down removes (${removed.join(", ")}) are gone`, `still present: ${left.join(", ")}${lastError}`,
        "No Sentinel was reset; run `pulumi up` again once they are gone.");
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Validation of the inputs (the provider's check). */
export function inputFailures(inputs: Partial<SeedRetirementInputs>): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  const str = (k: keyof SeedRetirementInputs): void => {
    const v = inputs[k];
    if (typeof v !== "string" || v === "") failures.push({ property: k, reason: `${k} must be a non-empty string` });
  };
  (["namespace", "seedPod", "masterName", "headlessDomain"] as const).forEach(str);
  // "" when no seed pod was created (the deployment ran already): the retirement then only checks the master and the Sentinels.
  if (typeof inputs.seedUid !== "string") failures.push({ property: "seedUid", reason: "seedUid must be a string" });
  for (const k of ["redisPods", "sentinelPods"] as const) {
    const v = inputs[k];
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== "string" || x === "")) failures.push({ property: k, reason: `${k} must list at least one pod name` });
  }
  if (inputs.tls !== undefined && typeof inputs.tls !== "boolean") failures.push({ property: "tls", reason: "tls must be true or false" });
  if (inputs.timeoutSeconds !== undefined && !(typeof inputs.timeoutSeconds === "number" && inputs.timeoutSeconds > 0)) {
    failures.push({ property: "timeoutSeconds", reason: "timeoutSeconds must be a positive number" });
  }
  if (inputs.quorum !== undefined && !(Number.isInteger(inputs.quorum) && inputs.quorum >= 1 && inputs.quorum <= (inputs.sentinelPods?.length ?? Infinity))) {
    failures.push({ property: "quorum", reason: `quorum must be a whole number from 1 to the number of Sentinel pods (${inputs.sentinelPods?.length ?? "?"}), not ${String(inputs.quorum)}` });
  }
  return failures;
}

/** Runs the retirement for these inputs and returns the resource outputs. */
export async function runRetirement(inputs: SeedRetirementInputs, runtime: RetirementRuntime = kubeRuntime(inputs), olds?: Partial<SeedRetirementOutputs>): Promise<SeedRetirementOutputs> {
  const target = targetOf(inputs);
  const timeoutMs = inputs.timeoutSeconds !== undefined ? inputs.timeoutSeconds * 1000 : DEFAULT_TIMEOUT_MS;
  const started = Date.now();
  const removed = [...removedPods(olds?.redisPods, inputs.redisPods), ...removedPods(olds?.sentinelPods, inputs.sentinelPods)];
  if (olds?.retiredSeedUid !== undefined && olds.retiredSeedUid === inputs.seedUid) {
    runtime.log(`reconciling the Sentinels with ${inputs.redisPods.length} Redis and ${inputs.sentinelPods.length} Sentinel pods${removed.length ? ` (removed: ${removed.join(", ")})` : ""}; deadline ${Math.round(timeoutMs / 1000)} s`);
  } else {
    runtime.log(`retiring seed ${target.seed} (uid ${inputs.seedUid || "none: no seed was created"}); deadline ${Math.round(timeoutMs / 1000)} s`);
  }
  await waitRemovedGone(removed, runtime, started + timeoutMs);
  const result: RetirementResult = await retireSeed({ transport: runtime.transport, seedPod: runtime.seedPod, target, timeoutMs: timeoutMs - (Date.now() - started), log: runtime.log });
  const currentMaster = result.newMaster.split(".")[0] ?? result.newMaster;
  return {
    namespace: inputs.namespace,
    seedPod: inputs.seedPod,
    masterName: inputs.masterName,
    headlessDomain: inputs.headlessDomain,
    retiredSeedUid: inputs.seedUid,
    currentMaster,
    currentMasterHost: result.newMaster,
    writePauseMs: result.writePauseMs,
    failoverMs: result.failoverMs,
    switchedOver: result.switchedOver,
    redisPods: [...inputs.redisPods],
    sentinelPods: [...inputs.sentinelPods],
    ...(inputs.quorum !== undefined ? { quorum: inputs.quorum } : {}),
  };
}

/** Inputs whose change means "retire again": another seed pod instance or another deployment. */
const IDENTITY = ["namespace", "seedPod", "masterName", "headlessDomain"] as const;

export function diffRetirement(olds: Partial<SeedRetirementOutputs>, news: SeedRetirementInputs): pulumi.dynamic.DiffResult {
  const changed: string[] = IDENTITY.filter((k) => olds[k] !== news[k]);
  if (olds.retiredSeedUid !== news.seedUid) changed.push("seedUid");
  // A scale-up or scale-down: the Sentinels are reconciled with the pods that remain.
  const same = (a: string[] | undefined, b: string[]): boolean => Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(olds.redisPods, news.redisPods)) changed.push("redisPods");
  if (!same(olds.sentinelPods, news.sentinelPods)) changed.push("sentinelPods");
  // A new quorum (the default one follows the Sentinel count) is applied to the running Sentinels.
  if (news.quorum !== undefined && olds.quorum !== news.quorum) changed.push("quorum");
  return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
}

/**
 * Builds the provider object. `makeRuntime` is the seam tests use (a loopback transport); by
 * default the provider talks to the cluster through the Kubernetes API.
 */
export function makeSeedRetirementProvider(makeRuntime: (inputs: SeedRetirementInputs) => RetirementRuntime = kubeRuntime): pulumi.dynamic.ResourceProvider {
  return {
    async check(_olds: unknown, news: SeedRetirementInputs) {
      return { inputs: news, failures: inputFailures(news) };
    },
    async diff(_id: string, olds: SeedRetirementOutputs, news: SeedRetirementInputs) {
      return diffRetirement(olds, news);
    },
    async create(inputs: SeedRetirementInputs) {
      const outs = await runRetirement(inputs, makeRuntime(inputs));
      return { id: `${inputs.namespace}/${inputs.seedPod}`, outs: wireSafe(outs) };
    },
    async update(_id: string, olds: SeedRetirementOutputs, news: SeedRetirementInputs) {
      return { outs: wireSafe(await runRetirement(news, makeRuntime(news), olds)) };
    },
    async read(id: string, props: SeedRetirementOutputs) {
      return { id, props: wireSafe(props) };
    },
    async delete() {
      // Nothing to undo: the seed pod stays retired; `pulumi destroy` removes the rest.
    },
  };
}
