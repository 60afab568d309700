/**
 * Records a fixture from live processes: `npx ts-node --transpile-only
 * tests/unit/retirement/record-fixtures.ts <name> <masterName> <seed> <replicas,..> <sentinels,..>`
 * with REDISCLI_AUTH set. Runs `observe()` (plus ROLE on each redis) through a recording runner.
 */
import * as fs from "fs";
import * as path from "path";
import { observe } from "../../../src/retirement/observe";
import { runLocalCli } from "../../../src/retirement/local-transport";
import { CliTransport, recordingRunner } from "../../../src/retirement/transport";
import { FIXTURES, formatFixture } from "./fixture-transport";

async function main(): Promise<void> {
  const [name, masterName, seed, reps, sens] = process.argv.slice(2);
  if (!name || !masterName || !seed || !reps || !sens) throw new Error("usage: record-fixtures <name> <masterName> <seed> <replicas> <sentinels>");
  const entries: Parameters<typeof formatFixture>[0] = [];
  const t = new CliTransport(recordingRunner((role, host, cliArgs) => runLocalCli({}, role, host, cliArgs), (role, host, cliArgs, out) =>
    entries.push({ role, host, args: cliArgs.filter((a) => a !== "--no-raw"), ...out })));
  const target = { masterName, seed, replicas: reps.split(","), sentinels: sens.split(",") };
  await observe(t, target);
  for (const h of [seed, ...target.replicas]) await t.call("redis", h, ["ROLE"]).catch(() => undefined);
  fs.writeFileSync(path.join(FIXTURES, `${name}.txt`), formatFixture(entries));
  console.log(`recorded ${entries.length} replies into ${name}.txt`);
}
main().catch((e) => { console.error(e); process.exit(1); });
