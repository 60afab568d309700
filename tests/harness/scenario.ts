/**
 * The end-of-scenario check every failure test shares: the writer stops, the topology
 * settles to exactly one master with every other pod linked to it, and every write the
 * application saw acknowledged is on that master.
 */
import { Snapshot, Topology } from "./topology";
import { ContinuousWriter, verifyAcknowledged, VerifyResult, WriterReport } from "./writer";

export interface ScenarioOutcome {
    snapshot: Snapshot;
    master: string;
    report: WriterReport;
    verify: VerifyResult;
}

export async function finishScenario(t: Topology, writer: ContinuousWriter, timeoutMs = 30_000): Promise<ScenarioOutcome> {
    const report = await writer.stop();
    const snapshot = await t.waitHealthy({ timeoutMs });
    const verify = await verifyAcknowledged(writer.acked, t.clientOptions());
    const problems: string[] = [];
    if (snapshot.masters.length !== 1) problems.push(`masters: ${snapshot.masters.join(", ")}`);
    if (verify.masterRole !== "master") problems.push(`verified against a ${verify.masterRole}`);
    if (verify.missing.length) problems.push(`${verify.missing.length} acknowledged writes missing (first: ${verify.missing.slice(0, 3).join(", ")})`);
    if (verify.wrong.length) problems.push(`${verify.wrong.length} acknowledged writes with another value`);
    if (report.acked === 0) problems.push("the writer got no write acknowledged");
    if (problems.length) throw new Error(`scenario end on ${t.name}: ${problems.join("; ")}`);
    return { snapshot, master: snapshot.masters[0], report, verify };
}
