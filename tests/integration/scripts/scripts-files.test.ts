import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SCRIPT_FILE_NAMES, scriptFiles, scriptsDir } from "../../../src/scripts";

describe("scripts: the files the ConfigMap ships", () => {
    it("scriptFiles() returns every .sh file exactly as on disk, the required ones included", () => {
        const files = scriptFiles();
        const onDisk = fs.readdirSync(scriptsDir()).filter((f) => f.endsWith(".sh"));
        assert.deepEqual(Object.keys(files).sort(), onDisk.sort());
        for (const name of SCRIPT_FILE_NAMES) assert.ok(name in files, name);
        for (const name of onDisk) assert.equal(files[name], fs.readFileSync(path.join(scriptsDir(), name), "utf8"), name);
    });

    it("each role script documents its environment at its top and sources common.sh from RS_SCRIPTS_DIR", () => {
        const files = scriptFiles();
        for (const name of Object.keys(files).filter((n) => n !== "common.sh")) {
            const header = files[name].split("\n").slice(0, 12).join("\n");
            assert.match(header, /Environment/, `${name} header`);
            assert.match(files[name], /RS_SCRIPTS_DIR=\$\{RS_SCRIPTS_DIR:-\$\(dirname "\$0"\)\}/, name);
        }
        for (const v of ["REDIS_PASSWORD", "RS_ANNOUNCE_HOST", "RS_SENTINEL_HOST", "RS_REDIS_HOSTS", "RS_DOWN_AFTER_MS"]) assert.match(files["common.sh"], new RegExp(v));
    });

    it("the defaults beat the seed's: down-after 5000, failover-timeout 60000, parallel-syncs 1, AOF on", () => {
        const common = scriptFiles()["common.sh"];
        assert.match(common, /RS_DOWN_AFTER_MS:=5000/);
        assert.match(common, /RS_FAILOVER_TIMEOUT_MS:=60000/);
        assert.match(common, /RS_PARALLEL_SYNCS:=1/);
        assert.match(common, /RS_APPENDONLY:=yes/);
    });

    it("are POSIX sh that `sh -n` parses and shellcheck accepts (run from the repository root, as npm run lint:sh)", () => {
        const all = Object.keys(scriptFiles()).map((n) => path.join(scriptsDir(), n));
        for (const f of all) execFileSync("sh", ["-n", f]);
        execFileSync("shellcheck", ["-s", "sh", ...all], { cwd: path.resolve(scriptsDir(), "..", "..") });
    });
});

describe("scripts: common.sh helpers", () => {
    const run = (snippet: string, env: Record<string, string> = {}): string =>
        execFileSync("sh", ["-c", `. "${path.join(scriptsDir(), "common.sh")}"; ${snippet}`], {
            encoding: "utf8",
            env: { PATH: process.env.PATH, RS_DATA_DIR: "/nonexistent", ...env },
        });

    it("backs off 1, 2, 4, ... seconds, capped at RS_RETRY_MAX_S", () => {
        assert.equal(run("for n in 1 2 3 4 5 6 7; do rs_backoff $n; done").trim().split("\n").join(" "), "1 2 4 8 16 16 16");
        assert.equal(run("for n in 1 2 3; do rs_backoff $n; done", { RS_RETRY_MAX_S: "2" }).trim().split("\n").join(" "), "1 2 2");
    });

    it("quotes a password for redis.conf so that quotes, backslashes, $ and spaces survive", () => {
        assert.equal(run(`rs_q 'a "b" \\ $c d'`), `"a \\"b\\" \\\\ $c d"`);
    });

    it("takes the announce host from hostname and RS_HEADLESS_DOMAIN when RS_ANNOUNCE_HOST is unset", () => {
        const host = execFileSync("hostname", { encoding: "utf8" }).trim();
        assert.equal(run('echo "$RS_ANNOUNCE_HOST"', { RS_HEADLESS_DOMAIN: "c-headless.ns.svc.cluster.local" }).trim(), `${host}.c-headless.ns.svc.cluster.local`);
        assert.equal(run('echo "$RS_ANNOUNCE_HOST"', { RS_ANNOUNCE_HOST: "x.y" }).trim(), "x.y");
    });

    it("asks the Sentinel Service nothing and prints nothing when RS_SENTINEL_HOST is unset or nothing answers", () => {
        assert.equal(run("rs_ask_sentinels"), "");
        assert.equal(run("rs_ask_sentinels", { RS_SENTINEL_HOST: "127.0.9.254", RS_SENTINEL_PORT: "1" }), "");
        assert.equal(run("rs_node_state 127.0.9.254 1").trim(), "down");
    });
});
