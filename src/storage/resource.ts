/**
 * `StorageClassCheck`: a dynamic resource the RedisSentinel component declares, before the
 * seed pod, when the claims name no StorageClass (`persistence.enabled` and no
 * `persistence.storageClass`). It fails the preview when the cluster has no default
 * StorageClass (new EKS clusters since 1.30 have none), saying what to set. It reads with the
 * component's `kubeconfig`/`kubeContext` (or the ambient kubeconfig), as the retirement does:
 * a dynamic provider never sees the kubernetes Provider in `opts`.
 */
import * as pulumi from "@pulumi/pulumi";
import { type StorageCheckInputs, makeStorageCheckProvider } from "./provider";

export type StorageClassCheckArgs = { [K in keyof StorageCheckInputs]: pulumi.Input<StorageCheckInputs[K]> };

export const storageCheckProvider = makeStorageCheckProvider();

export class StorageClassCheck extends pulumi.dynamic.Resource {
    /** What the check found (which default StorageClass, or why it could not tell). */
    public readonly note!: pulumi.Output<string>;

    constructor(name: string, args: StorageClassCheckArgs, opts?: pulumi.CustomResourceOptions) {
        super(storageCheckProvider, name, {
            ...args,
            kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
            note: undefined,
        }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }), "redis-sentinel", "StorageClassCheck");
    }
}
