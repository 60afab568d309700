/**
 * What redis.conf and sentinel.conf hold in each phase of a password rotation, as common.sh
 * writes them at a container's start: from the container's password (the Secret's `password`),
 * the earlier passwords' SHA-256 (the Secret's `previous-password-sha256`) and the list
 * password.sh keeps on the volume. Only ever hashes of other passwords, never one in clear.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { scriptsDir } from "../../../src/scripts";
import { sha256Hex } from "../../../src/rotation/plan";

const A = "old-password \"a\" $x";
const B = "new-password-b";

interface Phase {
    password: string;
    /** RS_PREVIOUS_PASSWORD_SHA256 (the Secret). */
    previous?: string;
    /** The volume's rs-accepted-sha256 lines (password.sh accept). */
    volume?: string[];
}

function confs(p: Phase, mode = "replica"): { redis: string; sentinel: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rs-rotation-conf-"));
    try {
        for (const d of ["data", "sentinel"]) fs.mkdirSync(path.join(dir, d));
        if (p.volume) for (const d of ["data", "sentinel"]) fs.writeFileSync(path.join(dir, d, "rs-accepted-sha256"), p.volume.map((l) => `${l}\n`).join(""));
        const env = {
            PATH: process.env.PATH,
            REDIS_PASSWORD: p.password,
            RS_ANNOUNCE_HOST: "r-redis-0.r-headless.ns.svc.cluster.local",
            RS_DATA_DIR: path.join(dir, "data"),
            RS_SENTINEL_DIR: path.join(dir, "sentinel"),
            RS_SCRIPTS_DIR: scriptsDir(),
            ...(p.previous !== undefined ? { RS_PREVIOUS_PASSWORD_SHA256: p.previous } : {}),
        };
        const common = path.join(scriptsDir(), "common.sh");
        execFileSync("sh", ["-c", `. "${common}"; rs_write_redis_conf ${mode} r-redis-1.r-headless.ns.svc.cluster.local 6379; rs_sentinel_conf r-redis-1.r-headless.ns.svc.cluster.local 6379`], { env });
        return {
            redis: fs.readFileSync(path.join(dir, "data", "redis.conf"), "utf8"),
            sentinel: fs.readFileSync(path.join(dir, "sentinel", "sentinel.conf"), "utf8"),
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const lines = (text: string, re: RegExp): string[] => text.split("\n").filter((l) => re.test(l));
const quoted = (pw: string): string => `"${pw.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

describe("password rotation: redis.conf and sentinel.conf in each phase (common.sh)", () => {
    it("no rotation: the password alone (requirepass, masterauth, auth-pass, sentinel-pass), no user line", () => {
        const c = confs({ password: A });
        assert.deepEqual(lines(c.redis, /^(requirepass|masterauth|user) /), [`requirepass ${quoted(A)}`, `masterauth ${quoted(A)}`]);
        assert.deepEqual(lines(c.sentinel, /^(requirepass|user|sentinel (auth-pass|sentinel-pass)) /),
            [`requirepass ${quoted(A)}`, `sentinel sentinel-pass ${quoted(A)}`, `sentinel auth-pass mymaster ${quoted(A)}`]);
    });

    it("restarted after `accept`, before the Secret changed: its own password, and the new one by the hash on its volume", () => {
        const c = confs({ password: A, volume: [sha256Hex(B)] });
        for (const text of [c.redis, c.sentinel]) {
            assert.deepEqual(lines(text, /^user /), [`user default on ${quoted(`>${A}`)} #${sha256Hex(B)} ~* &* +@all`]);
        }
        assert.deepEqual(lines(c.redis, /^masterauth /), [`masterauth ${quoted(A)}`]);
    });

    it("restarted after the Secret changed (the roll): the new password, the old one by its hash, outgoing auth with the new one", () => {
        const c = confs({ password: B, previous: sha256Hex(A), volume: [sha256Hex(B)] });
        for (const text of [c.redis, c.sentinel]) {
            assert.deepEqual(lines(text, /^user /), [`user default on ${quoted(`>${B}`)} #${sha256Hex(A)} ~* &* +@all`], "its own hash is not listed twice");
            assert.ok(!text.includes(A), "the old password in clear");
        }
        assert.deepEqual(lines(c.redis, /^masterauth /), [`masterauth ${quoted(B)}`]);
        assert.deepEqual(lines(c.sentinel, /^sentinel (auth-pass|sentinel-pass) /), [`sentinel sentinel-pass ${quoted(B)}`, `sentinel auth-pass mymaster ${quoted(B)}`]);
    });

    it("a cold-start standby during a rotation: one user line, both passwords, writes and syncs refused", () => {
        const c = confs({ password: B, previous: sha256Hex(A) }, "standby");
        assert.deepEqual(lines(c.redis, /^user default /), [`user default on ${quoted(`>${B}`)} #${sha256Hex(A)} ~* &* +@all -@write -sync -psync`]);
        assert.deepEqual(lines(confs({ password: B }, "standby").redis, /^user default /), [`user default on ${quoted(`>${B}`)} ~* &* +@all -@write -sync -psync`]);
    });

    it("after the drop (no earlier hash in the Secret, the volume's list emptied): the current password only", () => {
        const c = confs({ password: B, previous: "", volume: [] });
        assert.deepEqual(lines(c.redis, /^user /), []);
        assert.ok(!c.redis.includes(sha256Hex(A)) && !c.sentinel.includes(sha256Hex(A)));
    });

    it("takes only well-formed hashes (upper case folded), several earlier passwords, no duplicates", () => {
        const C = "third-password";
        const c = confs({ password: B, previous: `${sha256Hex(A).toUpperCase()} not-a-hash ${sha256Hex(C)}`, volume: [sha256Hex(A), "#junk"] });
        assert.deepEqual(lines(c.redis, /^user /), [`user default on ${quoted(`>${B}`)} #${sha256Hex(A)} #${sha256Hex(C)} ~* &* +@all`]);
    });
});
