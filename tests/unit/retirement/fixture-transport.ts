/**
 * Recorded redis-cli outputs as a transport: a fixture file holds, per command, a header line
 * `### {"role","host","args","exitCode","stderr"}` followed by redis-cli's exact stdout.
 * Recorded from real redis-server/redis-sentinel 7.0 processes by record-fixtures.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { CliResult, CliTransport, NodeRole, transportError } from "../../../src/retirement/transport";

export const FIXTURES = path.join(__dirname, "fixtures");

interface Entry { role: NodeRole; host: string; args: string[]; exitCode: number; stderr: string; stdout: string }

export function formatFixture(entries: Entry[]): string {
  return entries.map((e) => `### ${JSON.stringify({ role: e.role, host: e.host, args: e.args, exitCode: e.exitCode, stderr: e.stderr })}\n${e.stdout}${e.stdout.endsWith("\n") || e.stdout === "" ? "" : "\n"}`).join("");
}

export function readFixture(name: string): Entry[] {
  const text = fs.readFileSync(path.join(FIXTURES, `${name}.txt`), "utf8");
  const entries: Entry[] = [];
  for (const chunk of text.split(/^### /m).slice(1)) {
    const nl = chunk.indexOf("\n");
    const head = JSON.parse(chunk.slice(0, nl)) as Omit<Entry, "stdout">;
    entries.push({ ...head, stdout: chunk.slice(nl + 1) });
  }
  return entries;
}

/** A recorded handover.sh output (fixtures/handover-<name>.txt), with its `id=` line replaced when `id` is given. */
export function handoverFixture(name: string, id?: string): string {
  const text = fs.readFileSync(path.join(FIXTURES, `handover-${name}.txt`), "utf8");
  return id === undefined ? text : text.replace(/^id=.*$/m, `id=${id}`);
}

/** Answers a run of handover.sh (its arguments, e.g. ["start", "--id", ...]); undefined: it cannot be run. */
export type ScriptAnswer = (args: readonly string[]) => CliResult | Promise<CliResult> | undefined;

/** Answers each command from the fixture; an unrecorded command fails like an unreachable node. */
export class FixtureTransport extends CliTransport {
  readonly asked: string[] = [];
  constructor(name: string, override?: (role: NodeRole, host: string, args: string[]) => CliResult | undefined, script?: ScriptAnswer) {
    const entries = readFixture(name);
    super(async (role, host, cliArgs) => {
      const args = cliArgs.filter((a) => a !== "--no-raw");
      this.asked.push(`${role} ${host} ${args.join(" ")}`);
      const o = override?.(role, host, args);
      if (o) return o;
      const key = (a: string[]): string => a.join(" ").toUpperCase();
      const e = entries.find((x) => x.role === role && x.host === host && key(x.args) === key(args));
      if (!e) return { stdout: "", stderr: `Could not connect to Redis at ${host}: not in fixture`, exitCode: 1 };
      return { stdout: e.stdout, stderr: e.stderr, exitCode: e.exitCode };
    }, async (role, host, name, args) => {
      this.asked.push(`${role} ${host} sh ${name} ${args.join(" ")}`);
      const answer = await script?.(args);
      if (!answer) throw transportError(`${role} ${host}: exec of ${name} failed: the connection closed without an exit status`);
      return answer;
    });
  }
}
