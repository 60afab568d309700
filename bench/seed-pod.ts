/**
 * The local stand-in for the seed Pod as the retirement sees it (SeedPodControl): "delete"
 * stops both containers of the harness's seed pod the way `kubectl delete pod` does
 * (SIGTERM, then SIGKILL after the grace period). The uid names one incarnation of the pod.
 */
import { SeedPodControl } from "../src/retirement/retire";
import { Topology } from "../tests/harness";

export class LocalSeedPod implements SeedPodControl {
    private incarnation = 1;
    private stopping?: Promise<void>;

    constructor(private readonly t: Topology, private readonly graceMs = 10_000) {}

    private get name(): string {
        return this.t.seedPod().name;
    }

    private uid(): string {
        return `${this.name}-${this.incarnation}`;
    }

    async get(): Promise<{ uid: string; deleting?: boolean } | undefined> {
        const running = this.t.isRunning(this.name, "redis") || this.t.isRunning(this.name, "sentinel");
        if (this.stopping) return { uid: this.uid(), deleting: true };
        return running ? { uid: this.uid() } : undefined;
    }

    async delete(uid: string): Promise<"deleted" | "gone" | "uid-mismatch"> {
        if (!(await this.get())) return "gone";
        if (uid !== this.uid()) return "uid-mismatch";
        this.stopping ??= this.t.killPod(this.name, "SIGTERM", this.graceMs).then(() => {
            this.incarnation += 1;
            this.stopping = undefined;
        });
        return "deleted";
    }

    async waitGone(uid: string, deadline: number): Promise<void> {
        if (uid !== this.uid() || !this.stopping) return;
        const left = deadline - Date.now();
        let timer: NodeJS.Timeout | undefined;
        try {
            await Promise.race([
                this.stopping,
                new Promise<never>((_, reject) => {
                    timer = setTimeout(() => reject(new Error(`seed pod ${uid} still running at the deadline`)), Math.max(0, left));
                }),
            ]);
        } finally {
            if (timer) clearTimeout(timer);
        }
    }
}
