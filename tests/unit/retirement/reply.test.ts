import { strict as assert } from "assert";
import { fieldsToRecord, listOfRecords, parseCliOutput, parseInfo, unquote } from "../../../src/retirement/reply";
import { readFixture } from "./fixture-transport";

describe("retirement: redis-cli --no-raw parser", () => {
  it("parses a flat field/value list (SENTINEL MASTER, recorded)", () => {
    const e = readFixture("whole").find((x) => x.args.join(" ") === "SENTINEL MASTER mymaster" && x.host === "127.0.0.5")!;
    const rec = fieldsToRecord(parseCliOutput(e.stdout, e.args) as never);
    assert.equal(rec.ip, "127.0.0.2");
    assert.equal(rec.flags, "master");
    assert.equal(rec["num-other-sentinels"], "3");
    assert.equal(rec.quorum, "2");
  });

  it("parses nested lists with two-digit indexes (SENTINEL REPLICAS, recorded)", () => {
    const e = readFixture("whole").find((x) => x.args.join(" ") === "SENTINEL REPLICAS mymaster" && x.host === "127.0.0.5")!;
    const reps = listOfRecords(parseCliOutput(e.stdout, e.args) as never);
    assert.deepEqual(reps.map((r) => r.ip).sort(), ["127.0.0.3", "127.0.0.4"]);
    assert.ok(reps.every((r) => r["master-link-status"] === "ok" && r.flags === "slave"));
    assert.ok(Object.keys(reps[0]!).length > 15, "every field of the entry was read");
  });

  it("parses three levels of nesting and integers (ROLE of a master)", () => {
    const out = '1) "master"\n2) (integer) 1642\n3) 1) 1) "127.0.0.3"\n      2) "6379"\n      3) "1087"\n   2) 1) "127.0.0.4"\n      2) "6379"\n      3) "1087"\n';
    assert.deepEqual(parseCliOutput(out, ["ROLE"]), ["master", 1642, [["127.0.0.3", "6379", "1087"], ["127.0.0.4", "6379", "1087"]]]);
  });

  it("parses nil, empty arrays, status replies and error replies", () => {
    assert.equal(parseCliOutput("(nil)\n", ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "x"]), null);
    assert.deepEqual(parseCliOutput("(empty array)\n", ["ROLE"]), []);
    assert.deepEqual(parseCliOutput("(empty list or set)\n", ["ROLE"]), []);
    assert.equal(parseCliOutput("OK\n", ["CLIENT", "PAUSE", "1"]), "OK");
    assert.deepEqual(parseCliOutput("(error) NOGOODSLAVE No suitable replica to promote\n", ["SENTINEL", "FAILOVER", "m"]), { error: "NOGOODSLAVE No suitable replica to promote" });
    assert.deepEqual(parseCliOutput('1) "a"\n2) (empty array)\n3) (nil)\n', ["X"]), ["a", [], null]);
  });

  it("undoes redis-cli quoting", () => {
    assert.equal(unquote('"a\\"b\\nc\\\\d\\x41"'), 'a"b\nc\\dA');
    assert.throws(() => unquote('"open'), /unterminated/);
  });

  it("returns INFO as text (redis-cli prints it raw) and parses its fields", () => {
    const e = readFixture("whole").find((x) => x.args[0] === "INFO" && x.host === "127.0.0.2")!;
    const text = parseCliOutput(e.stdout, e.args) as string;
    const info = parseInfo(text);
    assert.equal(info.role, "master");
    assert.equal(info.connected_slaves, "2");
    assert.match(info.slave0!, /^ip=127\.0\.0\.[34],port=6379,state=online/);
  });

  it("rejects output it cannot read instead of guessing", () => {
    assert.throws(() => parseCliOutput("", ["PING"]), /nothing/);
    assert.throws(() => parseCliOutput('1) "a"\nstray\n', ["X"]), /unexpected/);
  });
});
