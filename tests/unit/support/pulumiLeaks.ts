/**
 * Pulumi counts the promises still pending when the process exits and then sets exit
 * code 1 ("promises were still active"), unless the deployment logged an error. A test
 * of a deployment that fails on purpose (an Output input rejected) leaves its children's
 * inputs pending forever, exactly as `pulumi preview` would, where the logged error
 * suppresses the check. Under mocha nothing is logged, so such a test drops those
 * leftovers here, or the whole test run would exit 1 with every test passing.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { leakedPromises(): [Set<Promise<unknown>>, string] };

/** Forgets the pending promises of the deployments run so far; returns how many there were. */
export function discardPendingPulumiPromises(): number {
    const [leaked] = debuggable.leakedPromises();
    return leaked.size;
}
