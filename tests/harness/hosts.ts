/**
 * /etc/hosts blocks: each topology adds its pod names in a clearly marked block and
 * removes it when it stops. Edits are serialised with a lock directory and written
 * to a temp file then renamed, so a concurrent reader never sees a half-written file.
 */
import * as fs from "fs";
import * as path from "path";
import { HARNESS_STATE_DIR } from "./addresses";
import { sleepSync } from "./cleanup";

const HOSTS_FILE = "/etc/hosts";
const begin = (id: string): string => `# >>> redis-sentinel test harness ${id} (added by tests/harness; removed when it stops)`;
const end = (id: string): string => `# <<< redis-sentinel test harness ${id}`;

function withHostsLock<T>(fn: () => T): T {
    fs.mkdirSync(HARNESS_STATE_DIR, { recursive: true });
    const lock = path.join(HARNESS_STATE_DIR, "hosts.lock");
    const deadline = Date.now() + 10_000;
    for (;;) {
        try {
            fs.mkdirSync(lock);
            break;
        } catch {
            if (Date.now() > deadline) {
                // A holder that died mid-edit: take the lock over.
                fs.rmSync(lock, { recursive: true, force: true });
                continue;
            }
            sleepSync(20);
        }
    }
    try {
        return fn();
    } finally {
        fs.rmSync(lock, { recursive: true, force: true });
    }
}

function writeHosts(text: string): void {
    const tmp = `${HOSTS_FILE}.rs-harness.${process.pid}`;
    try {
        fs.writeFileSync(tmp, text, { mode: 0o644 });
        fs.renameSync(tmp, HOSTS_FILE);
    } catch {
        fs.rmSync(tmp, { force: true });
        fs.writeFileSync(HOSTS_FILE, text); // e.g. /etc/hosts bind-mounted: edit in place
    }
}

function withoutBlock(text: string, id: string): string {
    const lines = text.split("\n");
    const out: string[] = [];
    let inside = false;
    for (const line of lines) {
        if (line === begin(id)) inside = true;
        else if (line === end(id)) inside = false;
        else if (!inside) out.push(line);
    }
    return out.join("\n");
}

/** Adds (or replaces) the block `id` mapping each host name to its address. */
export function addHostsBlock(id: string, entries: Array<{ address: string; names: string[] }>): void {
    withHostsLock(() => {
        let text = withoutBlock(fs.readFileSync(HOSTS_FILE, "utf8"), id);
        if (!text.endsWith("\n")) text += "\n";
        const body = entries.map((e) => `${e.address} ${e.names.join(" ")}`);
        writeHosts(`${text}${[begin(id), ...body, end(id)].join("\n")}\n`);
    });
}

export function removeHostsBlock(id: string): void {
    withHostsLock(() => {
        const text = fs.readFileSync(HOSTS_FILE, "utf8");
        const next = withoutBlock(text, id);
        if (next !== text) writeHosts(next);
    });
}
