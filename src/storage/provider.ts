/**
 * The dynamic provider of {@link StorageClassCheck}. Its `check` (run by `pulumi preview`
 * and again by `pulumi up` before anything is created) reads the cluster when the claims it
 * guards are new, and fails with the message of {@link decideStorage}; so a cluster with no
 * default StorageClass stops the deployment at preview, not after `pulumi up` has waited
 * out its timeout on Pending claims. Inputs unknown at preview (a kubeconfig or namespace
 * from a resource not yet created) defer the read to `pulumi up`.
 *
 * Serialized by Pulumi with its closure, as the retirement provider is (see
 * src/retirement/provider.ts): client-node becomes a require(), this package's modules are
 * captured by value; nothing here may hold a secret outside the inputs.
 */
import type * as pulumi from "@pulumi/pulumi";
import { loadKubeConfig } from "../kube/kubeconfig";
import { type StorageObservation, type StorageVerdict, decideStorage } from "./decide";
import { observeStorage } from "./observe";

export interface StorageCheckInputs {
    namespace: string;
    /** The deployment's first claim, `data-<name>-redis-0`: if it exists, the claims are not new. */
    claimName: string;
    /** Kubeconfig YAML (a secret); unset: the ambient one. */
    kubeconfig?: string;
    context?: string;
    /** Set by `check` when it read the cluster: what it found. */
    note?: string;
}

export interface StorageCheckOutputs {
    namespace: string;
    claimName: string;
    /** What the check found, e.g. `the claims use the default StorageClass "gp3"`. */
    note: string;
}

/** Pulumi's marker for a value unknown at preview (`@pulumi/pulumi/runtime/rpc` unknownValue). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

type Observe = (inputs: StorageCheckInputs) => Promise<StorageObservation>;

/** Reads the cluster the inputs name; a kubeconfig that cannot be loaded leaves the check unverified. */
export const observeCluster: Observe = async (inputs) => {
    let kc;
    try {
        kc = loadKubeConfig({ kubeconfig: inputs.kubeconfig, context: inputs.context });
    } catch (err) {
        const reason = `no kubeconfig to read the cluster with: ${(err as Error).message}`;
        return { classes: { ok: false, reason }, firstClaim: { ok: false, reason } };
    }
    return observeStorage(kc, { namespace: inputs.namespace, name: inputs.claimName });
};

export function hasUnknowns(inputs: StorageCheckInputs): boolean {
    return Object.values(inputs).some((v) => v === UNKNOWN);
}

/** Whether this check guards claims not checked before: a new resource, or another namespace or claim. */
export function guardsNewClaims(olds: Partial<StorageCheckInputs>, news: StorageCheckInputs): boolean {
    return olds.namespace !== news.namespace || olds.claimName !== news.claimName;
}

export function makeStorageCheckProvider(observe: Observe = observeCluster, log: (line: string) => void = console.log): pulumi.dynamic.ResourceProvider {
    const verdictOf = async (inputs: StorageCheckInputs): Promise<StorageVerdict> => {
        const verdict = decideStorage(await observe(inputs));
        if (verdict.ok) log(`[storage-check ${inputs.namespace}/${inputs.claimName}] ${verdict.note}`);
        return verdict;
    };
    // `check` runs before create and update, with known inputs, and hands what it found to them as `note`.
    const outputsOf = (inputs: StorageCheckInputs): StorageCheckOutputs =>
        ({ namespace: inputs.namespace, claimName: inputs.claimName, note: inputs.note ?? "not checked" });
    return {
        async check(olds: Partial<StorageCheckInputs>, news: StorageCheckInputs) {
            if (hasUnknowns(news) || !guardsNewClaims(olds, news)) return { inputs: news };
            const verdict = await verdictOf(news);
            if (!verdict.ok) return { inputs: news, failures: [{ property: "", reason: verdict.message }] };
            return { inputs: { ...news, note: verdict.note }, failures: [] };
        },
        async diff(_id: string, olds: StorageCheckOutputs, news: StorageCheckInputs) {
            return { changes: guardsNewClaims(olds, news), replaces: [], deleteBeforeReplace: false };
        },
        async create(inputs: StorageCheckInputs) {
            return { id: `${inputs.namespace}/${inputs.claimName}`, outs: outputsOf(inputs) };
        },
        async update(_id: string, _olds: StorageCheckOutputs, news: StorageCheckInputs) {
            return { outs: outputsOf(news) };
        },
        async read(id: string, props: StorageCheckOutputs) {
            // A refresh changes nothing: the check is about claims still to be created.
            return { id, props };
        },
        async delete() {
            // Nothing to undo.
        },
    };
}
