/**
 * Loopback address plan. Each topology gets its own /24 in 127.0.10.0 - 127.0.250.0,
 * claimed with a lock file (so test files, the demo and other engineers' runs on the
 * same machine never share addresses). Inside the /24:
 *   .1 Sentinel Service proxy, .10 seed pod, .20+i Redis pod i, .60+i Sentinel pod i
 *   (each +100 while rescheduled to a "new node", see Topology.reschedulePod).
 * A lock left by a dead process is taken over after killing the process groups it
 * recorded (leftovers of a crashed run).
 */
import * as fs from "fs";
import * as path from "path";

export const HARNESS_STATE_DIR = "/tmp/rs-harness";
const FIRST_SUBNET = 10;
const LAST_SUBNET = 250;

export interface SubnetLease {
    subnet: number;
    lockFile: string;
}

export function addressOf(subnet: number, host: number): string {
    return `127.0.${subnet}.${host}`;
}
export const SERVICE_HOST_OCTET = 1;
export const SEED_HOST_OCTET = 10;
export const redisHostOctet = (i: number): number => 20 + i;
export const sentinelHostOctet = (i: number): number => 60 + i;

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

interface LockContent {
    pid: number;
    pgids: number[];
}

function readLock(file: string): LockContent | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as LockContent;
    } catch {
        return undefined;
    }
}

/** Kills the process groups a stale lock recorded. */
function reap(content: LockContent | undefined): void {
    for (const pgid of content?.pgids ?? []) {
        try {
            process.kill(-pgid, "SIGKILL");
        } catch {
            /* already gone */
        }
    }
}

/**
 * Removes the leftovers of runs that died without cleaning up (lock held by a dead
 * pid): kills their process groups, calls cleanup(subnet) (e.g. its /etc/hosts block),
 * deletes the lock.
 */
export function reapStaleLeases(cleanup: (subnet: number) => void): void {
    if (!fs.existsSync(HARNESS_STATE_DIR)) return;
    for (const f of fs.readdirSync(HARNESS_STATE_DIR)) {
        const m = /^subnet-(\d+)\.lock$/.exec(f);
        if (!m) continue;
        const file = path.join(HARNESS_STATE_DIR, f);
        const content = readLock(file);
        if (!content || alive(content.pid)) continue; // unreadable: being written, leave it
        if (takeOver(file, content)) {
            cleanup(Number(m[1]));
            fs.rmSync(file, { force: true });
        }
    }
}

/**
 * Removes a stale lock so that only one process can take it over: the lock is renamed
 * away (atomic) and checked to be the stale one read before; another process's fresh
 * lock renamed by mistake is put back.
 */
function takeOver(lockFile: string, stale: LockContent): boolean {
    const aside = `${lockFile}.stale.${process.pid}`;
    try {
        fs.renameSync(lockFile, aside);
    } catch {
        return false; // another process took it over first
    }
    const moved = readLock(aside);
    if (!moved || moved.pid !== stale.pid) {
        try {
            fs.renameSync(aside, lockFile);
        } catch {
            /* best effort */
        }
        return false;
    }
    reap(moved);
    fs.rmSync(aside, { force: true });
    try {
        fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, pgids: [] }), { flag: "wx" });
        return true; // the lock is now this process's
    } catch {
        return false; // someone leased it in between
    }
}

/** Claims a free /24 (preferring `preferred`); throws if none is free. */
export function leaseSubnet(preferred = FIRST_SUBNET): SubnetLease {
    fs.mkdirSync(HARNESS_STATE_DIR, { recursive: true });
    const span = LAST_SUBNET - FIRST_SUBNET + 1;
    for (let k = 0; k < span; k++) {
        const subnet = FIRST_SUBNET + ((preferred - FIRST_SUBNET + k) % span);
        const lockFile = path.join(HARNESS_STATE_DIR, `subnet-${subnet}.lock`);
        const existing = readLock(lockFile);
        if (existing && alive(existing.pid)) continue;
        if (!existing && fs.existsSync(lockFile)) continue; // unreadable: being written
        if (existing) {
            if (takeOver(lockFile, existing)) return { subnet, lockFile };
            continue;
        }
        try {
            fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, pgids: [] }), { flag: "wx" });
            return { subnet, lockFile };
        } catch {
            continue; // another process won the race
        }
    }
    throw new Error(`harness: no free loopback subnet in 127.0.${FIRST_SUBNET}-${LAST_SUBNET}.0/24 (locks in ${HARNESS_STATE_DIR})`);
}

/** Records the process groups started under the lease (for stale-lock reaping). */
export function recordProcessGroups(lease: SubnetLease, pgids: number[]): void {
    // Written aside then renamed: a concurrent reader never sees a half-written lock.
    const tmp = `${lease.lockFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ pid: process.pid, pgids }));
    fs.renameSync(tmp, lease.lockFile);
}

export function releaseSubnet(lease: SubnetLease): void {
    const content = readLock(lease.lockFile);
    if (content?.pid === process.pid) fs.rmSync(lease.lockFile, { force: true });
}
