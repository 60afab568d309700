/**
 * Queries through redis-cli (the password travels in REDISCLI_AUTH, never as an argument).
 */
import { execFile } from "child_process";

export interface CliResult {
    ok: boolean;
    out: string;
}

/** Runs redis-cli against address:port; never throws (ok=false when it cannot connect). */
export function redisCli(address: string, port: number, password: string | undefined, args: string[], timeoutMs = 3000): Promise<CliResult> {
    return new Promise((resolve) => {
        const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
        if (password) env.REDISCLI_AUTH = password;
        execFile("redis-cli", ["--no-auth-warning", "-h", address, "-p", String(port), ...args], { env, timeout: timeoutMs }, (err, stdout, stderr) => {
            const out = String(stdout).replace(/\r/g, "").trim();
            const failed = !!err || /^(Could not connect|Error:)/.test(out) || /Could not connect|Connection refused/.test(String(stderr));
            resolve({ ok: !failed, out });
        });
    });
}

/** Parses INFO output into fields. */
export function parseInfo(text: string): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const line of text.split("\n")) {
        const i = line.indexOf(":");
        if (i > 0 && !line.startsWith("#")) fields[line.slice(0, i)] = line.slice(i + 1).trim();
    }
    return fields;
}

/** Parses the flat key/value list redis-cli prints for SENTINEL MASTER and friends. */
export function parsePairs(text: string): Record<string, string> {
    const lines = text.split("\n");
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < lines.length; i += 2) out[lines[i]] = lines[i + 1];
    return out;
}

export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>, intervalMs = 200): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const v = await check();
            if (v !== undefined && v !== false) return v;
        } catch (e) {
            lastError = e;
        }
        if (Date.now() > deadline) {
            const detail = lastError instanceof Error ? `: ${lastError.message}` : "";
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
        }
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}
