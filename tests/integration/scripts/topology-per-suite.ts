/**
 * The mocha hooks the real-process script suites share: one Topology for the whole suite,
 * made (and optionally brought up) before its first test; the running test's writer stopped
 * after each test; the topology stopped after the last one, its directory (logs, volumes)
 * kept and named when a test failed or KEEP is set.
 */
import { ContinuousWriter, Topology } from "../../harness";

export interface SuiteTopology {
    /** The suite's topology (from its before hook on). */
    readonly t: Topology;
    /** The running test's writer: stopped after the test unless the test stopped it and cleared this. */
    writer: ContinuousWriter | undefined;
}

/**
 * Registers the hooks in the calling describe block. `bringUp` runs after `create`, so a
 * topology that fails to come up is still stopped after the suite.
 */
export function topologyPerSuite(create: () => Promise<Topology>, bringUp?: (t: Topology) => Promise<void>): SuiteTopology {
    let topology: Topology | undefined;
    let failed = false;
    const suite: SuiteTopology = {
        get t(): Topology {
            if (!topology) throw new Error("the suite's topology is made in its before hook: use it inside tests and hooks only");
            return topology;
        },
        writer: undefined,
    };
    before(async () => {
        topology = await create();
        await bringUp?.(topology);
    });
    afterEach(async function () {
        if (this.currentTest?.state === "failed") failed = true;
        await suite.writer?.stop(2000);
        suite.writer = undefined;
    });
    after(async () => {
        await topology?.stopAll({ keepDir: failed || !!process.env.KEEP });
        if (failed) console.log(`      logs kept in ${topology?.dir}`);
    });
    return suite;
}
