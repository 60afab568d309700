/**
 * The order in which the cluster saw the deployment's objects, from the API server's
 * own watch events: each object's first ADDED event carries the resourceVersion (etcd
 * revision) of its creation, so creation order is read from the cluster, not from Pulumi.
 */
import * as k8s from "@kubernetes/client-node";

export interface ClusterEvent {
    type: string;
    kind: string;
    name: string;
    resourceVersion: number;
    at: number;
    readyReplicas?: number;
    replicas?: number;
}

const KINDS: [string, string][] = [
    ["Secret", "/api/v1/namespaces/NS/secrets"],
    ["ConfigMap", "/api/v1/namespaces/NS/configmaps"],
    ["Pod", "/api/v1/namespaces/NS/pods"],
    ["Service", "/api/v1/namespaces/NS/services"],
    ["StatefulSet", "/apis/apps/v1/namespaces/NS/statefulsets"],
];

/** Watches the namespace's objects of the kinds above until stop() is called. */
export async function recordEvents(kubeconfig: string, namespace: string): Promise<{ events: ClusterEvent[]; stop: () => void }> {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const watch = new k8s.Watch(kc);
    const events: ClusterEvent[] = [];
    const aborts: AbortController[] = [];
    let stopped = false;
    const start = async (kind: string, url: string): Promise<void> => {
        if (stopped) return;
        const ctl = await watch.watch(
            url.replace("NS", namespace),
            {},
            (type: string, obj: { metadata?: { name?: string; resourceVersion?: string }; status?: { readyReplicas?: number; replicas?: number } }) => {
                events.push({
                    type,
                    kind,
                    name: obj.metadata?.name ?? "",
                    resourceVersion: Number(obj.metadata?.resourceVersion ?? 0),
                    at: Date.now(),
                    readyReplicas: obj.status?.readyReplicas,
                    replicas: obj.status?.replicas,
                });
            },
            () => {
                // Watches end every few minutes: start again (the re-list repeats ADDED
                // events with later resourceVersions; firstAdded keeps the first).
                if (!stopped) setTimeout(() => void start(kind, url).catch(() => undefined), 200);
            },
        );
        aborts.push(ctl);
    };
    for (const [kind, url] of KINDS) await start(kind, url);
    return {
        events,
        stop: () => {
            stopped = true;
            for (const a of aborts) a.abort();
        },
    };
}

/** The resourceVersion of each object's first ADDED event, keyed `Kind/name`. */
export function firstAdded(events: ClusterEvent[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of events) {
        const key = `${e.kind}/${e.name}`;
        if (e.type === "ADDED" && !out.has(key)) out.set(key, e.resourceVersion);
    }
    return out;
}

/**
 * Checks that each group of objects was created after every object of the group before
 * it; returns the problems (empty when the order holds) and the order as text.
 */
export function checkCreationOrder(events: ClusterEvent[], groups: string[][]): { problems: string[]; order: string } {
    const created = firstAdded(events);
    const problems: string[] = [];
    for (const g of groups) for (const key of g) if (!created.has(key)) problems.push(`${key}: never seen created`);
    for (let i = 1; i < groups.length; i++) {
        for (const later of groups[i]) {
            for (const earlier of groups[i - 1]) {
                const a = created.get(earlier);
                const b = created.get(later);
                if (a !== undefined && b !== undefined && !(a < b)) problems.push(`${later} (rv ${b}) was created before ${earlier} (rv ${a})`);
            }
        }
    }
    const order = groups
        .flat()
        .filter((k) => created.has(k))
        .sort((x, y) => (created.get(x) ?? 0) - (created.get(y) ?? 0))
        .map((k) => `${k}@${created.get(k)}`)
        .join(" < ");
    return { problems, order };
}

/** The revision of the last DELETED event of an object, if any. */
export function deletedAt(events: ClusterEvent[], kind: string, name: string): number | undefined {
    const del = events.filter((e) => e.type === "DELETED" && e.kind === kind && e.name === name);
    return del.length ? del[del.length - 1].resourceVersion : undefined;
}

/** The revision at which a StatefulSet first reported readyReplicas >= n. */
export function readyAt(events: ClusterEvent[], name: string, n: number): number | undefined {
    return events.find((e) => e.kind === "StatefulSet" && e.name === name && (e.readyReplicas ?? 0) >= n)?.resourceVersion;
}
