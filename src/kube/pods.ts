// Pod access for the retirement provider: read a pod, delete it with a uid precondition,
// wait until it is gone, exec into it. A thin shell over client-node; the decisions
// (what a Pod or an error means) are the pure functions below and in errors.ts.
import { CoreV1Api, KubeConfig, V1Pod } from "@kubernetes/client-node";
import { describeApiError, httpCodeOf, KubeCallTarget } from "./errors";
import { ExecOptions, ExecResult, execInPod } from "./exec";

export interface PodState {
    uid: string;
    phase: string;
    /** the Ready condition is True */
    ready: boolean;
    /** a deletionTimestamp is set: the pod is terminating */
    deleting: boolean;
}

export type DeleteOutcome = "deleted" | "gone" | "uid-mismatch";

/** A create answered: the pod made now, or one of that name that already existed (409 AlreadyExists). */
export interface CreateOutcome {
    outcome: "created" | "exists";
    state: PodState;
}

export interface WaitGoneOptions {
    /** time between reads (default 500 ms) */
    pollMs?: number;
}

export const DEFAULT_POLL_MS = 500;

/** Pure: the parts of a v1 Pod the retirement reads. */
export function podStateOf(pod: V1Pod): PodState {
    const ready = (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
    return {
        uid: pod.metadata?.uid ?? "",
        phase: pod.status?.phase ?? "Unknown",
        ready,
        deleting: pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null,
    };
}

/** Pure: the outcome of a DELETE from its HTTP error code (undefined: not a known outcome). */
export function deleteOutcomeOfCode(code: number | undefined): DeleteOutcome | undefined {
    if (code === 404) return "gone";
    if (code === 409) return "uid-mismatch"; // the only precondition sent is the uid
    return undefined;
}

/** Pure: a pod state for messages. */
export function describePodState(state: PodState): string {
    return `uid ${state.uid}, phase ${state.phase}, ${state.ready ? "ready" : "not ready"}` +
        `${state.deleting ? ", terminating (deletionTimestamp set)" : ""}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class PodApi {
    private readonly core: CoreV1Api;

    constructor(private readonly kc: KubeConfig) {
        this.core = kc.makeApiClient(CoreV1Api);
    }

    /** The pod's state, or undefined when it does not exist (404). */
    async getPod(namespace: string, name: string): Promise<PodState | undefined> {
        try {
            return podStateOf(await this.core.readNamespacedPod({ name, namespace }));
        } catch (err) {
            if (httpCodeOf(err) === 404) return undefined;
            throw describeApiError(target("get", namespace, name), err);
        }
    }

    /** Whether the PersistentVolumeClaim exists (404: false). */
    async claimExists(namespace: string, name: string): Promise<boolean> {
        try {
            await this.core.readNamespacedPersistentVolumeClaim({ name, namespace });
            return true;
        } catch (err) {
            if (httpCodeOf(err) === 404) return false;
            throw describeApiError({ verb: "get", resource: "persistentvolumeclaims", namespace, name }, err);
        }
    }

    /**
     * Creates the pod from a v1 Pod manifest (plain JSON). A pod of that name that exists
     * already (409) is not touched: its state is returned with outcome "exists".
     */
    async createPod(namespace: string, manifest: V1Pod): Promise<CreateOutcome> {
        const name = manifest.metadata?.name ?? "";
        try {
            return { outcome: "created", state: podStateOf(await this.core.createNamespacedPod({ namespace, body: manifest })) };
        } catch (err) {
            if (httpCodeOf(err) !== 409) throw describeApiError(target("create", namespace, name), err);
        }
        const state = await this.getPod(namespace, name);
        if (!state) throw new Error(`pod "${name}" (namespace "${namespace}"): create answered AlreadyExists, then a read found no pod`);
        return { outcome: "exists", state };
    }

    /**
     * Resolves with the pod's state once the pod with `uid` is Ready. `deadlineMs` is absolute.
     * Rejects when the pod is gone, replaced or terminating, or at the deadline, with what was last observed.
     */
    async waitReady(namespace: string, name: string, uid: string, deadlineMs: number, opts: WaitGoneOptions = {}): Promise<PodState> {
        return this.pollPod(namespace, name, deadlineMs, opts, (state) => {
            if (!state || state.uid !== uid || state.deleting) {
                throw new Error(`pod "${name}" (namespace "${namespace}", uid ${uid}) went away while waiting for it to be ready: ${state ? describePodState(state) : "not found"}`);
            }
            return state.ready ? { value: state } : undefined;
        }, (waitedMs, lastSeen) => `pod "${name}" (namespace "${namespace}", uid ${uid}) is not ready after ${waitedMs} ms; last observed: ${lastSeen}`);
    }

    /**
     * Deletes the pod only if its uid is `uid` (DeleteOptions.preconditions.uid), so a pod
     * recreated under the same name is never deleted by mistake.
     */
    async deletePod(namespace: string, name: string, uid: string): Promise<DeleteOutcome> {
        try {
            await this.core.deleteNamespacedPod({ name, namespace, body: { preconditions: { uid } } });
            return "deleted";
        } catch (err) {
            const outcome = deleteOutcomeOfCode(httpCodeOf(err));
            if (outcome) return outcome;
            throw describeApiError(target("delete", namespace, name), err);
        }
    }

    /**
     * Resolves once the pod with `uid` no longer exists (404, or the name now holds a pod
     * with another uid). `deadlineMs` is an absolute time (`Date.now() + ms`). On timeout,
     * throws an Error saying what was last observed.
     */
    async waitGone(namespace: string, name: string, uid: string, deadlineMs: number, opts: WaitGoneOptions = {}): Promise<void> {
        if (!(deadlineMs > 1e12)) {
            throw new TypeError(`waitGone: deadlineMs must be an absolute time (Date.now() + ms), got ${deadlineMs}`);
        }
        await this.pollPod(namespace, name, deadlineMs, opts, (state) => (!state || state.uid !== uid ? { value: undefined } : undefined),
            (waitedMs, lastSeen) => `pod "${name}" (namespace "${namespace}", uid ${uid}) still exists after ${waitedMs} ms of waiting for it to be gone; last observed: ${lastSeen}`);
    }

    /**
     * Reads the pod every `pollMs` until `settled` returns a value (or throws), up to the
     * absolute `deadlineMs`; a read that fails is retried, except 401/403. At the deadline,
     * throws `timedOut(waited ms, what was last observed)`.
     */
    private async pollPod<T>(
        namespace: string,
        name: string,
        deadlineMs: number,
        opts: WaitGoneOptions,
        settled: (state: PodState | undefined) => { value: T } | undefined,
        timedOut: (waitedMs: number, lastSeen: string) => string,
    ): Promise<T> {
        const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
        const started = Date.now();
        let lastSeen = "no read completed";
        for (;;) {
            let read: { state: PodState | undefined } | undefined;
            try {
                read = { state: await this.getPod(namespace, name) };
            } catch (err) {
                const code = httpCodeOf(err);
                if (code === 401 || code === 403) throw err;
                lastSeen = `read failed: ${(err as Error).message}`;
            }
            if (read) {
                const done = settled(read.state);
                if (done) return done.value;
                lastSeen = read.state ? describePodState(read.state) : "not found";
            }
            const left = deadlineMs - Date.now();
            if (left <= 0) throw new Error(timedOut(Date.now() - started, lastSeen));
            await sleep(Math.min(pollMs, left));
        }
    }

    /** Runs `command` in the container through the API server (WebSocket exec). */
    exec(namespace: string, pod: string, container: string, command: string[], opts?: ExecOptions): Promise<ExecResult> {
        return execInPod(this.kc, namespace, pod, container, command, opts);
    }
}

function target(verb: string, namespace: string, name: string): KubeCallTarget {
    return { verb, resource: "pods", namespace, name };
}
