/**
 * The POSIX sh scripts shipped in the scripts ConfigMap (mounted at /scripts).
 * The integration tests and the demo run exactly these files, read from disk here.
 */
import * as fs from "fs";
import * as path from "path";

/** The scripts every deployment needs (the ConfigMap ships every .sh file found, these first). */
export const SCRIPT_FILE_NAMES = [
    "common.sh",
    "seed-master.sh",
    "seed-sentinel.sh",
    "replica.sh",
    "sentinel.sh",
    "probe-redis.sh",
    "probe-sentinel.sh",
] as const;

export type ScriptFileName = (typeof SCRIPT_FILE_NAMES)[number];

/**
 * The directory holding the .sh files: beside this module (src/scripts when run from
 * source, lib/scripts after `npm run build` copies them), else the source tree.
 */
export function scriptsDir(): string {
    const candidates = [__dirname, path.resolve(__dirname, "..", "..", "src", "scripts")];
    for (const dir of candidates) {
        if (SCRIPT_FILE_NAMES.every((f) => fs.existsSync(path.join(dir, f)))) return dir;
    }
    throw new Error(`redis-sentinel scripts: ${SCRIPT_FILE_NAMES.join(", ")} not found in ${candidates.join(" or ")}`);
}

/**
 * { [fileName]: contents } for every .sh file beside this module (the required ones
 * first, then any other, e.g. prestop-redis.sh, by name), as the ConfigMap ships them.
 */
export function scriptFiles(): Record<ScriptFileName, string> & Record<string, string> {
    const dir = scriptsDir();
    const others = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".sh") && !(SCRIPT_FILE_NAMES as readonly string[]).includes(f))
        .sort();
    const files = {} as Record<ScriptFileName, string> & Record<string, string>;
    for (const name of [...SCRIPT_FILE_NAMES, ...others]) files[name] = fs.readFileSync(path.join(dir, name), "utf8");
    return files;
}
