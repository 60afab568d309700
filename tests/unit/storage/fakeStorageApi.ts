/**
 * A loopback HTTP server answering the two reads of the storage check the way the API
 * server does: GET /apis/storage.k8s.io/v1/storageclasses (a StorageClassList) and
 * GET /api/v1/namespaces/{ns}/persistentvolumeclaims/{name} (the claim, or a 404 Status).
 * Driven by the real client-node through a kubeconfig (tests/fakekube's kubeconfig text).
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { kubeconfigYaml } from "../../fakekube/kubeconfig";

export interface FakeStorageClass {
    name: string;
    provisioner?: string;
    /** the GA default annotation ("true"), the beta one, or none */
    isDefault?: "ga" | "beta";
}

const TOKEN = "storage-check-token";

function status(code: number, reason: string, message: string): object {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

export class FakeStorageApi {
    classes: FakeStorageClass[] = [];
    /** "namespace/name" -> phase */
    claims = new Map<string, string>();
    /** Answer 403 to these reads. */
    forbidden = new Set<"storageclasses" | "persistentvolumeclaims">();
    readonly requests: string[] = [];

    private constructor(private readonly server: http.Server) {}

    static async start(): Promise<FakeStorageApi> {
        let api: FakeStorageApi | undefined;
        const server = http.createServer((req, res) => api!.handle(req, res));
        api = new FakeStorageApi(server);
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        return api;
    }

    kubeconfig(): string {
        return kubeconfigYaml(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`, TOKEN);
    }

    stop(): Promise<void> {
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const path = new URL(req.url ?? "/", "http://x").pathname;
        this.requests.push(`${req.method} ${path}`);
        const [code, body] = this.route(path);
        res.writeHead(code, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
    }

    private route(path: string): [number, object] {
        if (path === "/apis/storage.k8s.io/v1/storageclasses") {
            if (this.forbidden.has("storageclasses")) {
                return [403, status(403, "Forbidden", 'storageclasses.storage.k8s.io is forbidden: User "ci" cannot list resource "storageclasses" in API group "storage.k8s.io" at the cluster scope')];
            }
            return [200, { kind: "StorageClassList", apiVersion: "storage.k8s.io/v1", metadata: {}, items: this.classes.map((c) => storageClass(c)) }];
        }
        const claim = /^\/api\/v1\/namespaces\/([^/]+)\/persistentvolumeclaims\/([^/]+)$/.exec(path);
        if (claim) {
            const [, namespace, name] = claim;
            if (this.forbidden.has("persistentvolumeclaims")) {
                return [403, status(403, "Forbidden", `persistentvolumeclaims "${name}" is forbidden: User "ci" cannot get resource "persistentvolumeclaims" in API group "" in the namespace "${namespace}"`)];
            }
            const phase = this.claims.get(`${namespace}/${name}`);
            if (!phase) return [404, status(404, "NotFound", `persistentvolumeclaims "${name}" not found`)];
            return [200, { kind: "PersistentVolumeClaim", apiVersion: "v1", metadata: { name, namespace }, spec: {}, status: { phase } }];
        }
        return [404, status(404, "NotFound", "the server could not find the requested resource")];
    }
}

function storageClass(c: FakeStorageClass): object {
    const annotations: Record<string, string> = {};
    if (c.isDefault === "ga") annotations["storageclass.kubernetes.io/is-default-class"] = "true";
    if (c.isDefault === "beta") annotations["storageclass.beta.kubernetes.io/is-default-class"] = "true";
    return { kind: "StorageClass", apiVersion: "storage.k8s.io/v1", metadata: { name: c.name, annotations }, provisioner: c.provisioner ?? "ebs.csi.aws.com" };
}
