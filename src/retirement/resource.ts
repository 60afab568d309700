/**
 * `SeedRetirement`: the dynamic resource the RedisSentinel component declares after both sets
 * (dependsOn both). Creating it retires the seed pod (switchover, delete, sentinel reset); a new
 * seed uid (the seed pod recreated) makes the next `pulumi up` retire it again; destroying it does
 * nothing.
 *
 * Kubeconfig: a dynamic provider does not see the `kubernetes.Provider` passed in `opts` (it runs
 * in its own process with only its inputs). Pass the same kubeconfig text as `kubeconfig` (it is
 * kept secret) and, if the provider uses one, the same `context`; unset, the ambient kubeconfig
 * is used (KUBECONFIG, ~/.kube/config, in-cluster service account), as kubectl would.
 */
import * as pulumi from "@pulumi/pulumi";
import { makeSeedRetirementProvider, RetirementRuntime, SeedRetirementInputs } from "./provider";
import { makeSeedPodProvider, SeedPodApi, SeedPodInputs } from "./seed-pod";

export type SeedRetirementArgs = { [K in keyof SeedRetirementInputs]: pulumi.Input<SeedRetirementInputs[K]> } & {
  redisPods: pulumi.Input<pulumi.Input<string>[]>;
  sentinelPods: pulumi.Input<pulumi.Input<string>[]>;
};

export const seedRetirementProvider = makeSeedRetirementProvider();

export class SeedRetirement extends pulumi.dynamic.Resource {
  /** Pod name of the master after the retirement. */
  public readonly currentMaster!: pulumi.Output<string>;
  /** Its announced host (pod FQDN). */
  public readonly currentMasterHost!: pulumi.Output<string>;
  /** How long writes were held during the switchover (ms; 0 when the master had already moved). */
  public readonly writePauseMs!: pulumi.Output<number>;
  public readonly failoverMs!: pulumi.Output<number>;
  public readonly switchedOver!: pulumi.Output<boolean>;
  /** uid of the seed pod retired. */
  public readonly retiredSeedUid!: pulumi.Output<string>;

  constructor(name: string, args: SeedRetirementArgs, opts?: pulumi.CustomResourceOptions,
    /** Tests only: a provider over another runtime (loopback processes). */
    runtime?: (inputs: SeedRetirementInputs) => RetirementRuntime) {
    const provider = runtime ? makeSeedRetirementProvider(runtime) : seedRetirementProvider;
    super(provider, name, {
      ...args,
      kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
      currentMaster: undefined,
      currentMasterHost: undefined,
      writePauseMs: undefined,
      failoverMs: undefined,
      switchedOver: undefined,
      retiredSeedUid: undefined,
    }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }), "redis-sentinel", "SeedRetirement");
  }
}

export type SeedPodArgs = { [K in keyof SeedPodInputs]: pulumi.Input<SeedPodInputs[K]> };

export const seedPodProvider = makeSeedPodProvider();

/**
 * `SeedPod`: the bootstrap pod, created through the Kubernetes API by a dynamic provider whose
 * refresh keeps a retired (deleted) seed in the state, so `pulumi refresh` never brings it back
 * (see seed-pod.ts). Outputs `metadata.name`/`metadata.uid` like the Pod resource it replaces.
 */
export class SeedPod extends pulumi.dynamic.Resource {
  /** `{ name, namespace, uid }`; `uid` is "" when no seed was needed (the deployment ran already). */
  public readonly metadata!: pulumi.Output<{ name: string; namespace: string; uid: string }>;
  public readonly uid!: pulumi.Output<string>;
  /** "created", "adopted" or "not-needed". */
  public readonly created!: pulumi.Output<string>;

  constructor(name: string, args: SeedPodArgs, opts?: pulumi.CustomResourceOptions,
    /** Tests only: the pod access (default: client-node with the given kubeconfig). */
    makeApi?: (inputs: { kubeconfig?: string; context?: string }) => SeedPodApi) {
    super(makeApi ? makeSeedPodProvider(makeApi) : seedPodProvider, name, {
      ...args,
      kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
      metadata: undefined,
      uid: undefined,
      created: undefined,
    }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }), "redis-sentinel", "SeedPod");
  }
}
