// The fake's pods: v1 Pod JSON as the API server returns it, plus delayed removal
// (a deleted pod keeps existing with a deletionTimestamp for its grace time).
import { randomUUID } from "crypto";

export interface FakePodSpec {
    namespace: string;
    name: string;
    /** default: a random UUID */
    uid?: string;
    /** container names; default ["main"] */
    containers?: string[];
    /** default "Running" */
    phase?: string;
    /** Ready condition; default true */
    ready?: boolean;
    labels?: Record<string, string>;
    podIP?: string;
    hostname?: string;
    subdomain?: string;
    /** After a DELETE, the pod stays (terminating) this long before it disappears. Default 0. */
    deletionGraceMs?: number;
}

interface StoredPod {
    spec: Required<Pick<FakePodSpec, "namespace" | "name" | "uid" | "containers" | "phase" | "ready" | "deletionGraceMs">> & FakePodSpec;
    resourceVersion: number;
    creationTimestamp: string;
    deletionTimestamp?: string;
    removal?: NodeJS.Timeout;
}

const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export class PodStore {
    private readonly pods = new Map<string, StoredPod>();
    private version = 1000;

    private static key(namespace: string, name: string): string {
        return `${namespace}/${name}`;
    }

    add(spec: FakePodSpec): string {
        const old = this.pods.get(PodStore.key(spec.namespace, spec.name));
        if (old?.removal) clearTimeout(old.removal);
        const stored: StoredPod = {
            spec: {
                ...spec,
                uid: spec.uid ?? randomUUID(),
                containers: spec.containers ?? ["main"],
                phase: spec.phase ?? "Running",
                ready: spec.ready ?? true,
                deletionGraceMs: spec.deletionGraceMs ?? 0,
            },
            resourceVersion: ++this.version,
            creationTimestamp: rfc3339(new Date()),
        };
        this.pods.set(PodStore.key(spec.namespace, spec.name), stored);
        return stored.spec.uid;
    }

    has(namespace: string, name: string): boolean {
        return this.pods.has(PodStore.key(namespace, name));
    }

    uid(namespace: string, name: string): string | undefined {
        return this.pods.get(PodStore.key(namespace, name))?.spec.uid;
    }

    containers(namespace: string, name: string): string[] {
        return this.pods.get(PodStore.key(namespace, name))?.spec.containers ?? [];
    }

    update(namespace: string, name: string, patch: Partial<Pick<FakePodSpec, "phase" | "ready" | "labels" | "deletionGraceMs">>): void {
        const pod = this.pods.get(PodStore.key(namespace, name));
        if (!pod) throw new Error(`fake kube: no pod ${namespace}/${name} to update`);
        Object.assign(pod.spec, patch);
        pod.resourceVersion = ++this.version;
    }

    /** Removes the pod now (as if the kubelet finished). */
    remove(namespace: string, name: string): boolean {
        const pod = this.pods.get(PodStore.key(namespace, name));
        if (pod?.removal) clearTimeout(pod.removal);
        return this.pods.delete(PodStore.key(namespace, name));
    }

    /**
     * Marks the pod deleted: gone now when the grace time is 0, else terminating until the
     * grace time passes. Returns the pod JSON as the DELETE response body.
     */
    markDeleted(namespace: string, name: string, graceOverrideMs?: number): object {
        const pod = this.pods.get(PodStore.key(namespace, name));
        if (!pod) throw new Error(`fake kube: no pod ${namespace}/${name} to delete`);
        const graceMs = graceOverrideMs ?? pod.spec.deletionGraceMs;
        if (!pod.deletionTimestamp) {
            pod.deletionTimestamp = rfc3339(new Date(Date.now() + graceMs));
            pod.resourceVersion = ++this.version;
            const uid = pod.spec.uid;
            const removeIfSame = (): void => {
                if (this.uid(namespace, name) === uid) this.pods.delete(PodStore.key(namespace, name));
            };
            if (graceMs <= 0) removeIfSame();
            else pod.removal = setTimeout(removeIfSame, graceMs);
        }
        return this.toJson(pod, graceMs);
    }

    json(namespace: string, name: string): object | undefined {
        const pod = this.pods.get(PodStore.key(namespace, name));
        return pod ? this.toJson(pod) : undefined;
    }

    list(namespace: string, labelSelector?: Record<string, string>): object[] {
        return [...this.pods.values()]
            .filter((p) => p.spec.namespace === namespace)
            .filter((p) => !labelSelector || Object.entries(labelSelector).every(([k, v]) => p.spec.labels?.[k] === v))
            .map((p) => this.toJson(p));
    }

    get resourceVersionNow(): string {
        return String(this.version);
    }

    clear(): void {
        for (const pod of this.pods.values()) if (pod.removal) clearTimeout(pod.removal);
        this.pods.clear();
    }

    private toJson(pod: StoredPod, graceMs?: number): object {
        const s = pod.spec;
        const readyStatus = s.ready ? "True" : "False";
        return {
            kind: "Pod",
            apiVersion: "v1",
            metadata: {
                name: s.name,
                namespace: s.namespace,
                uid: s.uid,
                resourceVersion: String(pod.resourceVersion),
                creationTimestamp: pod.creationTimestamp,
                ...(s.labels ? { labels: s.labels } : {}),
                ...(pod.deletionTimestamp ? {
                    deletionTimestamp: pod.deletionTimestamp,
                    deletionGracePeriodSeconds: Math.ceil((graceMs ?? s.deletionGraceMs) / 1000),
                } : {}),
            },
            spec: {
                containers: s.containers.map((name) => ({ name, image: "redis:7.0" })),
                restartPolicy: "Always",
                terminationGracePeriodSeconds: Math.ceil(s.deletionGraceMs / 1000),
                ...(s.hostname ? { hostname: s.hostname } : {}),
                ...(s.subdomain ? { subdomain: s.subdomain } : {}),
            },
            status: {
                phase: s.phase,
                conditions: ["Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({
                    type,
                    status: type === "Ready" || type === "ContainersReady" ? readyStatus : "True",
                    lastProbeTime: null,
                    lastTransitionTime: pod.creationTimestamp,
                })),
                ...(s.podIP ? { podIP: s.podIP, podIPs: [{ ip: s.podIP }] } : {}),
                startTime: pod.creationTimestamp,
                containerStatuses: s.containers.map((name) => ({
                    name,
                    ready: s.ready,
                    restartCount: 0,
                    image: "redis:7.0",
                    imageID: "",
                    started: true,
                    state: { running: { startedAt: pod.creationTimestamp } },
                })),
            },
        };
    }
}
