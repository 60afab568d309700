// A loopback Kubernetes API server fake that speaks the real wire protocol for the calls
// the retirement provider makes: GET/DELETE/LIST pods (v1 Pod and v1 Status JSON, uid
// preconditions, terminating pods) and exec (WebSocket, v5/v4.channel.k8s.io). Bearer
// token auth, per-verb 403 toggles, and a record of every request. See README.md.
import { randomBytes } from "crypto";
import { IncomingMessage, Server, ServerResponse, createServer } from "http";
import { AddressInfo, Socket } from "net";
import { PassThrough } from "stream";
import { WebSocket, WebSocketServer } from "ws";
import { ExecHandler, ExecReply } from "./exec-handlers";
import { rejectUpgrade, sendChannel, statusOf } from "./exec-wire";
import { KubeconfigOptions, kubeconfigYaml } from "./kubeconfig";
import { FakePodSpec, PodStore } from "./pod-store";
import * as S from "./status";

export interface RecordedRequest {
    method: string;
    /** path without the query string, e.g. /api/v1/namespaces/ns/pods/seed */
    path: string;
    /** every query parameter, all values (exec sends `command` once per argv element) */
    query: Record<string, string[]>;
    /** parsed JSON body (DeleteOptions for DELETE), or the raw text, or undefined */
    body?: unknown;
    /** the request carried the right bearer token */
    authorized: boolean;
    /** HTTP status answered (101 for an accepted exec upgrade) */
    status?: number;
    /** WebSocket subprotocol chosen for an exec */
    protocol?: string;
}

export type FakeVerb = "get" | "list" | "create" | "delete" | "exec";

export interface ForbidRule {
    verb?: FakeVerb | "*";
    namespace?: string;
    /** pod name; unset: every pod */
    name?: string;
}

export interface FakeKubeOptions {
    /** bearer token clients must send (default: random) */
    token?: string;
    /** user named in 403 messages */
    user?: string;
    /** subprotocols the server accepts, in preference order (default v5 then v4, like kube 1.30+) */
    execProtocols?: string[];
    /** send an empty frame on stdout/stderr/status when an exec opens, as the API server does (default true) */
    openFrames?: boolean;
    /** whether a pod created with POST is Ready at once (default true; `pods.update` changes it later) */
    createdPodsReady?: boolean;
}

const POD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/;
const PODS_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/;
const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/;
const CLAIM_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/persistentvolumeclaims\/([^/]+)$/;

export class FakeKubeServer {
    readonly token: string;
    readonly requests: RecordedRequest[] = [];
    readonly pods = new PodStore();
    /** PersistentVolumeClaims that exist ("<namespace>/<name>"): GET answers them, 404 otherwise. */
    readonly claims = new Set<string>();
    /** Answer 403 to every claim read. */
    forbidClaims = false;
    private readonly user: string;
    private readonly protocols: string[];
    private readonly openFrames: boolean;
    /** see FakeKubeOptions.createdPodsReady */
    createdPodsReady: boolean;
    private readonly forbidRules: ForbidRule[] = [];
    private readonly execHandlers = new Map<string, ExecHandler>();
    private defaultExec: ExecHandler | undefined;
    private readonly liveExecs = new Set<AbortController>();
    private readonly sockets = new Set<Socket>();
    private readonly wss: WebSocketServer;
    private port = 0;

    private constructor(private readonly http: Server, opts: FakeKubeOptions) {
        this.token = opts.token ?? randomBytes(16).toString("hex");
        this.user = opts.user ?? "fake-user";
        this.protocols = opts.execProtocols ?? ["v5.channel.k8s.io", "v4.channel.k8s.io"];
        this.openFrames = opts.openFrames ?? true;
        this.createdPodsReady = opts.createdPodsReady ?? true;
        this.wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => this.pickProtocol(offered) });
    }

    /** Starts a fake on 127.0.0.1 with a random port. */
    static async start(opts: FakeKubeOptions = {}): Promise<FakeKubeServer> {
        const http = createServer();
        const fake = new FakeKubeServer(http, opts);
        http.on("request", (req, res) => fake.onRequest(req, res));
        http.on("upgrade", (req, socket: Socket, head: Buffer) => fake.onUpgrade(req, socket, head));
        http.on("connection", (socket: Socket) => {
            fake.sockets.add(socket);
            socket.on("close", () => fake.sockets.delete(socket));
        });
        await new Promise<void>((resolve, reject) => {
            http.once("error", reject);
            http.listen(0, "127.0.0.1", () => resolve());
        });
        fake.port = (http.address() as AddressInfo).port;
        return fake;
    }

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    /** Stops the server: aborts running execs (their local processes die), closes every connection. */
    async stop(): Promise<void> {
        for (const ac of this.liveExecs) ac.abort();
        for (const ws of this.wss.clients) ws.terminate();
        this.pods.clear();
        for (const s of this.sockets) s.destroy();
        await new Promise<void>((resolve) => this.http.close(() => resolve()));
        this.wss.close();
    }

    // ---- test controls ----

    /** Adds (or replaces) a pod; returns its uid. */
    addPod(spec: FakePodSpec): string {
        return this.pods.add(spec);
    }

    /** Recreates a pod under the same name with a new uid (as a controller would). */
    recreatePod(spec: FakePodSpec): string {
        this.pods.remove(spec.namespace, spec.name);
        return this.pods.add({ ...spec, uid: undefined });
    }

    /** The pod as GET would return it (v1 Pod JSON), or undefined. */
    getPod(namespace: string, name: string): Record<string, unknown> | undefined {
        return this.pods.json(namespace, name) as Record<string, unknown> | undefined;
    }

    /** Answers 403 Forbidden to matching calls until `allowAll()`. */
    forbid(rule: ForbidRule = {}): void {
        this.forbidRules.push(rule);
    }

    allowAll(): void {
        this.forbidRules.length = 0;
    }

    /** The handler for exec in one pod's container ("*": any container of the pod). */
    onExec(namespace: string, pod: string, container: string, handler: ExecHandler): void {
        this.execHandlers.set(`${namespace}/${pod}/${container}`, handler);
    }

    /** The handler for execs no `onExec` matches. */
    setDefaultExec(handler: ExecHandler | undefined): void {
        this.defaultExec = handler;
    }

    /** Recorded requests matching a method and a path (string: exact, RegExp: test). */
    requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
        return this.requests.filter((r) => r.method === method &&
            (typeof path === "string" ? r.path === path : path.test(r.path)));
    }

    /** A kubeconfig YAML text pointing at this fake with its bearer token. */
    kubeconfig(opts: KubeconfigOptions = {}): string {
        return kubeconfigYaml(this.url, this.token, opts);
    }

    // ---- HTTP ----

    private record(req: IncomingMessage, url: URL, body?: unknown): RecordedRequest {
        const query: Record<string, string[]> = {};
        for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key);
        const rec: RecordedRequest = {
            method: req.method ?? "GET",
            path: url.pathname,
            query,
            authorized: req.headers.authorization === `Bearer ${this.token}`,
            ...(body !== undefined ? { body } : {}),
        };
        this.requests.push(rec);
        return rec;
    }

    private isForbidden(verb: FakeVerb, namespace: string, name?: string): boolean {
        return this.forbidRules.some((r) => (r.verb === undefined || r.verb === "*" || r.verb === verb) &&
            (r.namespace === undefined || r.namespace === namespace) &&
            (r.name === undefined || r.name === name));
    }

    private onRequest(req: IncomingMessage, res: ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", this.url);
            const rec = this.record(req, url, parseBody(Buffer.concat(chunks).toString("utf8")));
            const [status, body] = this.route(req.method ?? "GET", url, rec);
            rec.status = status;
            const text = JSON.stringify(body);
            res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
            res.end(text);
        });
    }

    private route(method: string, url: URL, rec: RecordedRequest): [number, object] {
        if (!rec.authorized) return [401, S.unauthorized()];
        const one = POD_PATH.exec(url.pathname);
        if (one) return this.onePod(method, decodeURIComponent(one[1]), decodeURIComponent(one[2]), url, rec);
        const all = PODS_PATH.exec(url.pathname);
        if (all && method === "GET") return this.listPods(decodeURIComponent(all[1]), url);
        if (all && method === "POST") return this.createPod(decodeURIComponent(all[1]), rec);
        if (EXEC_PATH.test(url.pathname)) return [400, S.badRequest("Upgrade request required")];
        const claim = CLAIM_PATH.exec(url.pathname);
        if (claim && method === "GET") return this.oneClaim(decodeURIComponent(claim[1]), decodeURIComponent(claim[2]));
        return [404, S.pathNotFound()];
    }

    private oneClaim(ns: string, name: string): [number, object] {
        if (this.forbidClaims) return [403, S.forbidden(this.user, "get", "persistentvolumeclaims", undefined, ns, name)];
        if (!this.claims.has(`${ns}/${name}`)) return [404, S.notFound(name, "persistentvolumeclaims")];
        return [200, { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace: ns }, status: { phase: "Bound" } }];
    }

    private onePod(method: string, ns: string, name: string, url: URL, rec: RecordedRequest): [number, object] {
        const verb: FakeVerb | undefined = method === "GET" ? "get" : method === "DELETE" ? "delete" : undefined;
        if (!verb) return [405, S.methodNotAllowed()];
        if (this.isForbidden(verb, ns, name)) return [403, S.forbidden(this.user, verb, "pods", undefined, ns, name)];
        const uid = this.pods.uid(ns, name);
        if (uid === undefined) return [404, S.notFound(name)];
        if (verb === "get") return [200, this.pods.json(ns, name) as object];
        const options = (rec.body ?? {}) as { preconditions?: { uid?: string }; gracePeriodSeconds?: number };
        const wanted = options.preconditions?.uid;
        if (wanted !== undefined && wanted !== uid) return [409, S.uidConflict(name, wanted, uid)];
        const graceSeconds = options.gracePeriodSeconds ?? numberParam(url, "gracePeriodSeconds");
        return [200, this.pods.markDeleted(ns, name, graceSeconds === undefined ? undefined : graceSeconds * 1000)];
    }

    /** POST a v1 Pod: stored Running and Ready (no kubelet here; `pods.update` changes that), 409 AlreadyExists on a taken name. */
    private createPod(ns: string, rec: RecordedRequest): [number, object] {
        const body = (rec.body ?? {}) as { metadata?: { name?: string; labels?: Record<string, string> }; spec?: { containers?: { name: string }[]; hostname?: string; subdomain?: string } };
        const name = body.metadata?.name ?? "";
        if (!name) return [400, S.badRequest("metadata.name is required")];
        if (this.isForbidden("create", ns, name)) return [403, S.forbidden(this.user, "create", "pods", undefined, ns, name)];
        if (this.pods.has(ns, name)) return [409, S.alreadyExists(name)];
        this.pods.add({
            namespace: ns, name, labels: body.metadata?.labels, hostname: body.spec?.hostname, subdomain: body.spec?.subdomain,
            containers: (body.spec?.containers ?? []).map((c) => c.name), ready: this.createdPodsReady,
        });
        return [201, this.pods.json(ns, name) as object];
    }

    private listPods(ns: string, url: URL): [number, object] {
        if (this.isForbidden("list", ns)) return [403, S.forbidden(this.user, "list", "pods", undefined, ns, "")];
        const selector = url.searchParams.get("labelSelector");
        const labels = selector ? Object.fromEntries(selector.split(",").map((kv) => kv.split("=") as [string, string])) : undefined;
        return [200, {
            kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: this.pods.resourceVersionNow },
            items: this.pods.list(ns, labels).map((p) => ({ ...p, kind: undefined, apiVersion: undefined })),
        }];
    }

    // ---- exec (WebSocket) ----

    private pickProtocol(offered: Set<string>): string | false {
        return this.protocols.find((p) => offered.has(p)) ?? false;
    }

    private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
        const url = new URL(req.url ?? "/", this.url);
        const rec = this.record(req, url);
        const refusal = this.execRefusal(url, rec);
        if (refusal) {
            rec.status = refusal[0];
            rejectUpgrade(socket, refusal[0], refusal[1]);
            return;
        }
        const m = EXEC_PATH.exec(url.pathname) as RegExpExecArray;
        const [ns, pod] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
        const container = url.searchParams.get("container") || this.pods.containers(ns, pod)[0];
        this.wss.handleUpgrade(req, socket, head, (ws) => {
            rec.status = 101;
            rec.protocol = ws.protocol;
            void this.runExec(ws, ns, pod, container, url.searchParams.getAll("command"), url.searchParams.get("stdin") === "true");
        });
    }

    private execRefusal(url: URL, rec: RecordedRequest): [number, object] | undefined {
        const m = EXEC_PATH.exec(url.pathname);
        if (!m) return [404, S.pathNotFound()];
        if (!rec.authorized) return [401, S.unauthorized()];
        const [ns, pod] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
        if (this.isForbidden("exec", ns, pod)) return [403, S.forbidden(this.user, "create", "pods", "exec", ns, pod)];
        if (!this.pods.has(ns, pod)) return [404, S.notFound(pod)];
        const containers = this.pods.containers(ns, pod);
        const container = url.searchParams.get("container");
        if (!container && containers.length > 1) {
            return [400, S.badRequest(`a container name must be specified for pod ${pod}, choose one of: [${containers.join(" ")}]`)];
        }
        if (container && !containers.includes(container)) {
            return [400, S.badRequest(`container ${container} is not valid for pod ${pod}`)];
        }
        if (url.searchParams.getAll("command").length === 0) return [400, S.badRequest("you must specify at least 1 command")];
        return undefined;
    }

    private handlerFor(ns: string, pod: string, container: string): ExecHandler | undefined {
        return this.execHandlers.get(`${ns}/${pod}/${container}`) ?? this.execHandlers.get(`${ns}/${pod}/*`) ?? this.defaultExec;
    }

    private async runExec(ws: WebSocket, ns: string, pod: string, container: string, command: string[], wantsStdin = false): Promise<void> {
        const ac = new AbortController();
        this.liveExecs.add(ac);
        ws.on("close", () => ac.abort());
        ws.on("error", () => ac.abort());
        if (this.openFrames) for (const ch of [1, 2, 3]) ws.send(Buffer.from([ch]));
        // Channel 0 is the command's stdin; v5's close frame (255, 0) ends it, as does the socket closing.
        const stdin = wantsStdin ? new PassThrough() : undefined;
        ws.on("message", (data: Buffer) => {
            if (data[0] === 0) stdin?.write(data.subarray(1));
            else if (data[0] === 255 && data[1] === 0) stdin?.end();
        });
        ws.on("close", () => stdin?.end());
        const handler = this.handlerFor(ns, pod, container);
        let reply: ExecReply;
        try {
            reply = handler
                ? await handler({ namespace: ns, pod, container, command, signal: ac.signal, ...(stdin ? { stdin } : {}) })
                : { error: `fake kube: no exec handler for ${ns}/${pod}/${container}` };
        } catch (err) {
            reply = { error: `fake kube: exec handler threw: ${(err as Error).message}` };
        }
        this.liveExecs.delete(ac);
        if (ws.readyState !== WebSocket.OPEN) return;
        sendChannel(ws, 1, reply.stdout);
        sendChannel(ws, 2, reply.stderr);
        if (!reply.closeWithoutStatus) sendChannel(ws, 3, JSON.stringify(statusOf(reply, command)));
        ws.close(1000);
    }
}

function parseBody(text: string): unknown {
    if (text === "") return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

function numberParam(url: URL, name: string): number | undefined {
    const v = url.searchParams.get(name);
    return v === null ? undefined : Number(v);
}
