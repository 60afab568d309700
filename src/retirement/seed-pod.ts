/**
 * The dynamic provider that owns the seed pod (the bootstrap master + first Sentinel).
 *
 * Why not a `kubernetes:core/v1:Pod` resource: the retirement deletes the seed on purpose, and
 * on `pulumi refresh` the kubernetes provider reports a deleted object as gone, so the engine
 * drops it from the state and the next `pulumi up` creates it again (it joins as a replica, full
 * resync, retired again, every Sentinel reset). `ignoreChanges` and `retainOnDelete` do not stop
 * that. This provider's `read` answers instead: a seed pod that is gone stays in the state as it
 * was (gone is its expected end state), so a refresh changes nothing and nothing comes back.
 *
 *  - create: when the deployment already runs (its first Redis pod exists: a stack whose state
 *    was lost, an import, an upgrade from the Pod resource), or its volumes were kept (the Redis
 *    set's first claim exists: `pulumi destroy` then `pulumi up`), no seed is made (`uid` ""); the
 *    retirement then only checks the master and the Sentinels. Else the pod is created (one of
 *    that name that exists already is adopted) and awaited until Ready, with a deadline.
 *  - read (refresh): never fails and never drops the resource. A pod of that name with another
 *    uid (recreated by someone) is reported, so the next `pulumi up` retires it.
 *  - diff: another namespace or pod name replaces it; a kubeconfig/context/timeout change is an
 *    update that only records them; the pod spec is ignored (the seed only bootstraps).
 *  - delete (`pulumi destroy`): deletes the pod if it still exists with the recorded uid.
 *
 * Serialized with its closure by Pulumi: the rules of src/retirement/README.md apply (no
 * `class X extends Y`, errors from factories, no captured secrets: the kubeconfig is an input).
 */
import { wireSafe } from "./wire";
import type * as pulumi from "@pulumi/pulumi";
import type { V1Pod } from "@kubernetes/client-node";
import { loadKubeConfig, PodApi } from "../kube";
import { errText } from "./retire";

export interface SeedPodInputs {
  namespace: string;
  /** The seed pod's name (N-seed); also `manifest.metadata.name`. */
  name: string;
  /** The v1 Pod to create (plain JSON). */
  manifest: V1Pod;
  /** A pod whose existence means the deployment already runs (the Redis set's first pod): then no seed is created. */
  runningPod?: string;
  /**
   * The Redis set's first data claim (persistence on): when it exists, the volumes of an earlier
   * deployment were kept (`pulumi destroy` keeps them) and no seed is created: an empty seed
   * master would make the kept replicas resync from it and drop their data. The pods then find
   * their master through the cold-start path (the newest data wins).
   */
  dataClaim?: string;
  /** Kubeconfig YAML (a secret); unset: the ambient one. */
  kubeconfig?: string;
  context?: string;
  /** Deadline for the pod to be Ready (default 600). */
  timeoutSeconds?: number;
}

export interface SeedPodOutputs {
  namespace: string;
  name: string;
  /** uid of the seed pod created or adopted; "" when none was needed. */
  uid: string;
  /** What create did: "created", "adopted" (a pod of that name existed) or "not-needed" (the deployment ran already). */
  created: "created" | "adopted" | "not-needed";
  /** For compatibility with the Pod resource this replaces: `seedPod.metadata.name` / `.uid`. */
  metadata: { name: string; namespace: string; uid: string };
  kubeconfig?: string;
  context?: string;
  timeoutSeconds?: number;
}

/** Why a seed pod operation stopped: the phase, the unmet condition, what was observed. */
export interface SeedPodError extends Error {
  kind: "seed-pod";
  phase: string;
  unmet: string;
  observed: string;
}

export function seedPodError(phase: string, unmet: string, observed: string): SeedPodError {
  return Object.assign(new Error(`seed pod stopped in phase "${phase}": ${unmet}; observed: ${observed}`), { name: "SeedPodError", kind: "seed-pod" as const, phase, unmet, observed });
}

/** The pod access the provider needs (PodApi; tests may pass another). */
export type SeedPodApi = Pick<PodApi, "getPod" | "createPod" | "deletePod" | "waitReady" | "claimExists">;

export function kubePodApi(inputs: { kubeconfig?: string; context?: string }): SeedPodApi {
  return new PodApi(loadKubeConfig({ kubeconfig: inputs.kubeconfig, context: inputs.context }));
}

export function seedPodInputFailures(inputs: Partial<SeedPodInputs>): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  for (const k of ["namespace", "name"] as const) {
    if (typeof inputs[k] !== "string" || inputs[k] === "") failures.push({ property: k, reason: `${k} must be a non-empty string` });
  }
  if (!inputs.manifest || typeof inputs.manifest !== "object" || inputs.manifest.metadata?.name !== inputs.name) {
    failures.push({ property: "manifest", reason: "manifest must be a v1 Pod whose metadata.name is `name`" });
  }
  if (inputs.timeoutSeconds !== undefined && !(typeof inputs.timeoutSeconds === "number" && inputs.timeoutSeconds > 0)) {
    failures.push({ property: "timeoutSeconds", reason: "timeoutSeconds must be a positive number" });
  }
  return failures;
}

function outputsOf(inputs: SeedPodInputs, uid: string, created: SeedPodOutputs["created"]): SeedPodOutputs {
  return {
    namespace: inputs.namespace, name: inputs.name, uid, created,
    metadata: { name: inputs.name, namespace: inputs.namespace, uid },
    kubeconfig: inputs.kubeconfig, context: inputs.context, timeoutSeconds: inputs.timeoutSeconds,
  };
}

/** create: the seed pod made (or adopted) and Ready, or none when the deployment runs already. */
export async function createSeedPod(inputs: SeedPodInputs, api: SeedPodApi, log: (line: string) => void): Promise<SeedPodOutputs> {
  const { namespace: ns, name } = inputs;
  const deadline = Date.now() + (inputs.timeoutSeconds ?? 600) * 1000;
  const read = async (pod: string) => {
    try {
      return await api.getPod(ns, pod);
    } catch (err) {
      throw seedPodError("locate", `pod ${pod} can be read`, errText(err));
    }
  };
  const existing = await read(name);
  if (!existing && inputs.runningPod) {
    const running = await read(inputs.runningPod);
    if (running) {
      log(`${inputs.runningPod} exists (${running.phase}): the deployment runs already, so no seed pod is created; the retirement checks the master and the Sentinels`);
      return outputsOf(inputs, "", "not-needed");
    }
  }
  if (!existing && inputs.dataClaim) {
    let kept: boolean;
    try {
      kept = await api.claimExists(ns, inputs.dataClaim);
    } catch (err) {
      throw seedPodError("locate", `claim ${inputs.dataClaim} can be read (a seed over kept volumes would lose their data, so it is not created unverified)`, errText(err));
    }
    if (kept) {
      log(`claim ${inputs.dataClaim} exists: the volumes of an earlier deployment were kept, so no seed pod is created (an empty seed master would make them resync from it); the Redis pods elect the master with the newest data (cold start) and the retirement checks the master and the Sentinels`);
      return outputsOf(inputs, "", "not-needed");
    }
  }
  let uid: string;
  let created: SeedPodOutputs["created"];
  if (existing && !existing.deleting) {
    uid = existing.uid;
    created = "adopted";
    log(`a seed pod exists already (uid ${uid}): adopting it`);
  } else {
    if (existing?.deleting) throw seedPodError("create", `the terminating seed pod (uid ${existing.uid}) is gone before a new one is created`, "it still terminates; run `pulumi up` again once it is gone");
    try {
      const made = await api.createPod(ns, inputs.manifest);
      uid = made.state.uid;
      created = made.outcome === "created" ? "created" : "adopted";
    } catch (err) {
      throw seedPodError("create", "the API server creates the seed pod", errText(err));
    }
    log(`seed pod ${created} (uid ${uid}); waiting until it is ready`);
  }
  try {
    await api.waitReady(ns, name, uid, deadline);
  } catch (err) {
    throw seedPodError("wait-ready", `the seed pod (uid ${uid}) is Ready within ${inputs.timeoutSeconds ?? 600} s`, errText(err));
  }
  return outputsOf(inputs, uid, created);
}

/**
 * read (refresh): the recorded state, unless a pod of that name with another uid runs (then its
 * uid, so the retirement retires it). Gone is the expected end state: kept as is, never dropped.
 * Never throws: an unreachable API server leaves the state as it was.
 */
export async function readSeedPod(props: SeedPodOutputs, api: SeedPodApi, log: (line: string) => void): Promise<SeedPodOutputs> {
  let state;
  try {
    state = await api.getPod(props.namespace, props.name);
  } catch (err) {
    log(`refresh could not read the seed pod (${errText(err)}); keeping the recorded state`);
    return props;
  }
  if (!state || state.deleting || state.uid === props.uid) return props;
  log(`a seed pod with another uid (${state.uid}, recorded ${props.uid || "none"}) exists: recording it, so the next \`pulumi up\` retires it`);
  return { ...props, uid: state.uid, metadata: { ...props.metadata, uid: state.uid } };
}

export function diffSeedPod(olds: Partial<SeedPodOutputs>, news: SeedPodInputs): pulumi.dynamic.DiffResult {
  const replaces = (["namespace", "name"] as const).filter((k) => olds[k] !== news[k]);
  const recorded = (["kubeconfig", "context", "timeoutSeconds"] as const).filter((k) => (olds[k] ?? undefined) !== (news[k] ?? undefined));
  return { changes: replaces.length + recorded.length > 0, replaces: [...replaces], deleteBeforeReplace: true };
}

export function makeSeedPodProvider(makeApi: (inputs: { kubeconfig?: string; context?: string }) => SeedPodApi = kubePodApi): pulumi.dynamic.ResourceProvider {
  const logger = (ns: string, name: string) => (line: string) => console.log(`[seed-pod ${ns}/${name}] ${line}`);
  return {
    async check(_olds: unknown, news: SeedPodInputs) {
      return { inputs: news, failures: seedPodInputFailures(news) };
    },
    async diff(_id: string, olds: SeedPodOutputs, news: SeedPodInputs) {
      return diffSeedPod(olds, news);
    },
    async create(inputs: SeedPodInputs) {
      const outs = await createSeedPod(inputs, makeApi(inputs), logger(inputs.namespace, inputs.name));
      return { id: `${inputs.namespace}/${inputs.name}`, outs: wireSafe(outs) };
    },
    async update(_id: string, olds: SeedPodOutputs, news: SeedPodInputs) {
      // Only the access settings changed: record them; the pod is not touched.
      return { outs: wireSafe({ ...olds, kubeconfig: news.kubeconfig, context: news.context, timeoutSeconds: news.timeoutSeconds }) };
    },
    async read(id: string, props: SeedPodOutputs) {
      const log = logger(props.namespace, props.name);
      let api: SeedPodApi;
      try {
        api = makeApi(props);
      } catch (err) {
        log(`refresh could not load the kubeconfig (${errText(err)}); keeping the recorded state`);
        return { id, props: wireSafe(props) };
      }
      return { id, props: wireSafe(await readSeedPod(props, api, log)) };
    },
    async delete(_id: string, props: SeedPodOutputs) {
      if (!props.uid) return;
      let outcome: string;
      try {
        outcome = await makeApi(props).deletePod(props.namespace, props.name, props.uid);
      } catch (err) {
        throw seedPodError("delete", `the seed pod (uid ${props.uid}) is deleted`, errText(err));
      }
      logger(props.namespace, props.name)(`delete (uid ${props.uid}): ${outcome}`);
    },
  };
}
