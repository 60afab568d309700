/**
 * Process-exit cleanup for the harness: every topology registers a synchronous
 * cleanup that kills its processes and removes its /etc/hosts block and temp dir,
 * run on normal exit, on SIGINT/SIGTERM and on an uncaught exception.
 */
const cleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
    for (const fn of [...cleanups]) {
        try {
            fn();
        } catch {
            /* best effort on the way out */
        }
    }
    cleanups.clear();
}

/** Registers fn to run at process exit; returns a function that unregisters it. */
export function onExit(fn: () => void): () => void {
    if (!installed) {
        installed = true;
        process.on("exit", runAll);
        for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
            process.once(sig, () => {
                runAll();
                process.exit(130);
            });
        }
    }
    cleanups.add(fn);
    return () => cleanups.delete(fn);
}

/** Sleeps synchronously (used where only synchronous code may run, e.g. on exit). */
export function sleepSync(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
