/**
 * The e2e report: one record per step (name, ok, seconds, detail), the writer's figures,
 * the versions; printed as a table and, with --json, as the last stdout line.
 */
export interface StepRecord {
    name: string;
    ok: boolean;
    seconds: number;
    detail: string;
}

export interface WriterFigures {
    lostWrites: number;
    clientErrors: number;
    maxGapMs: number;
    acked: number;
}

export interface E2eReport {
    node: "kubelet" | "virtual-kubelet";
    steps: StepRecord[];
    writer: WriterFigures;
    versions: Record<string, string>;
}

export class StepRecorder {
    readonly steps: StepRecord[] = [];

    /** Steps not to run (`--skip a,b`): recorded as not run, which fails the run. */
    constructor(private readonly skipped: ReadonlySet<string> = new Set()) {}

    /** Runs fn as step `name`; its return value is the detail; a throw fails the step. */
    async step(name: string, fn: () => Promise<string>): Promise<boolean> {
        if (this.skipped.has(name)) {
            this.skip(name, "--skip");
            return true;
        }
        const t0 = Date.now();
        process.stderr.write(`\n=== e2e step ${name}\n`);
        let ok = true;
        let detail: string;
        try {
            detail = await fn();
        } catch (e) {
            ok = false;
            detail = (e as Error).message;
        }
        const rec = { name, ok, seconds: Math.round((Date.now() - t0) / 100) / 10, detail };
        this.steps.push(rec);
        process.stderr.write(`=== e2e step ${name}: ${ok ? "ok" : "FAILED"} in ${rec.seconds} s\n${detail}\n`);
        return ok;
    }

    skip(name: string, why: string): void {
        this.steps.push({ name, ok: false, seconds: 0, detail: `not run: ${why}` });
    }

    get allOk(): boolean {
        return this.steps.length > 0 && this.steps.every((s) => s.ok);
    }
}

export function formatTable(report: E2eReport): string {
    const rows = report.steps.map((s) => `${s.ok ? "ok  " : "FAIL"}  ${s.name.padEnd(22)} ${String(s.seconds).padStart(7)} s  ${s.detail.split("\n")[0]}`);
    const w = report.writer;
    return [
        ...rows,
        `writer: ${w.acked} acknowledged, ${w.lostWrites} lost, ${w.clientErrors} client errors, longest gap ${w.maxGapMs} ms`,
        `${report.steps.filter((s) => s.ok).length} passed, ${report.steps.filter((s) => !s.ok).length} failed`,
    ].join("\n");
}
