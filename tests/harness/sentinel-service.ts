/**
 * Emulates the Kubernetes Sentinel Service (a ClusterIP over the sentinel pods): a TCP
 * proxy on its own loopback address that sends each connection to the next live
 * sentinel, round robin, skipping those that refuse the connection (not started yet,
 * killed, or still waiting for a master, like a pod that is not ready).
 */
import * as net from "net";

export interface Backend {
    address: string;
    port: number;
}

export class SentinelServiceProxy {
    private server?: net.Server;
    private next = 0;
    private readonly sockets = new Set<net.Socket>();

    /** backends() is called per connection: the pods currently selected by the Service. */
    constructor(
        readonly address: string,
        readonly port: number,
        private readonly backends: () => Backend[],
    ) {}

    async start(): Promise<void> {
        const server = net.createServer((client) => this.accept(client));
        this.server = server;
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(this.port, this.address, () => resolve());
        });
    }

    private accept(client: net.Socket): void {
        this.track(client);
        client.pause();
        const list = this.backends();
        const start = this.next++;
        const attempt = (k: number): void => {
            if (k >= list.length) {
                client.destroy();
                return;
            }
            const b = list[(start + k) % list.length];
            const upstream = net.connect(b.port, b.address);
            upstream.once("error", () => {
                upstream.destroy();
                attempt(k + 1);
            });
            upstream.once("connect", () => {
                upstream.removeAllListeners("error");
                this.track(upstream);
                upstream.on("error", () => client.destroy());
                client.on("error", () => upstream.destroy());
                upstream.on("close", () => client.destroy());
                client.on("close", () => upstream.destroy());
                client.pipe(upstream);
                upstream.pipe(client);
                client.resume();
            });
        };
        client.on("error", () => undefined);
        attempt(0);
    }

    private track(s: net.Socket): void {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
    }

    async stop(): Promise<void> {
        for (const s of this.sockets) s.destroy();
        const server = this.server;
        this.server = undefined;
        if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    }
}
