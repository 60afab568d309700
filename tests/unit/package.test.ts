import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

describe("the npm package", function () {
    this.timeout(180000);
    let files: string[];

    before(() => {
        // `npm pack` runs prepack (the build) and its --json output must parse: build scripts
        // print to stderr only.
        const packed = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
        files = packed[0].files.map((f: { path: string }) => f.path);
    });

    it("ships the compiled code, its declarations, the role scripts and the docs", () => {
        const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
        for (const expected of [pkg.main, pkg.types, "lib/component/redisSentinel.js", "lib/scripts/seed-master.sh",
            "lib/scripts/replica.sh", "lib/scripts/sentinel.sh", "lib/scripts/seed-sentinel.sh", "README.md", "LICENSE", "CHANGELOG.md", "package.json"]) {
            assert.ok(files.includes(expected), `${expected} is not in the package`);
        }
    });

    it("ships no tests, sources, stack files or local state", () => {
        const unwanted = files.filter((f) => /^(src|tests|stack|bench|demo|examples|\.ci)\//.test(f) || /\.test\.|Pulumi\..*yaml$/.test(f));
        assert.deepEqual(unwanted, []);
    });

    it("loads from lib/ and finds the same scripts the tests run", () => {
        const lib = require(path.join(ROOT, "lib/index.js"));
        assert.equal(typeof lib.RedisSentinel, "function");
        const fromLib = require(path.join(ROOT, "lib/scripts/index.js")).scriptFiles();
        const fromSrc = require(path.join(ROOT, "src/scripts/index.ts")).scriptFiles();
        assert.deepEqual(fromLib, fromSrc);
    });
});
