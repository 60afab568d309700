/**
 * Redis replies as the retirement logic sees them, and the parser for `redis-cli --no-raw` output.
 *
 * `--no-raw` (redis-cli's "standard" format) is used for every command because it keeps the
 * reply's structure: strings are quoted with escapes, integers are `(integer) N`, nested arrays
 * are numbered and indented, errors are `(error) ...`. The exception is `INFO`, which redis-cli
 * always prints verbatim; `parseCliOutput` is told the command so it can return INFO as text.
 */

/** A reply: bulk/status string, integer, nil, or an array of replies. Errors are thrown as ReplyError. */
export type Reply = string | number | null | Reply[];

/**
 * An error reply from Redis/Sentinel (`-ERR ...`, `-NOGOODSLAVE ...`); `code` is its first word.
 * Errors here are plain Errors with fields, made by factories and recognised by `kind`, never
 * subclasses: Pulumi's closure serialization (the dynamic provider) does not keep a subclass of
 * Error (or any `extends`) intact.
 */
export interface ReplyError extends Error {
  kind: "reply";
  code: string;
  reply: string;
  where: string;
}

export function replyError(reply: string, where: string): ReplyError {
  return Object.assign(new Error(`${where}: ${reply}`), { name: "ReplyError", kind: "reply" as const, code: reply.split(" ")[0] ?? "", reply, where });
}

export function isReplyError(err: unknown): err is ReplyError {
  return err instanceof Error && (err as Partial<ReplyError>).kind === "reply";
}

/** Commands redis-cli prints raw even in --no-raw mode (see redis-cli.c, `output_raw`). */
export function printedRaw(args: readonly string[]): boolean {
  const cmd = (args[0] ?? "").toLowerCase();
  return cmd === "info";
}

/**
 * Parse the stdout of `redis-cli --no-raw <args>`. Returns the reply, or an `{ error }` marker for
 * an error reply (redis-cli exits 0 on those).
 */
export function parseCliOutput(stdout: string, args: readonly string[]): Reply | { error: string } {
  if (printedRaw(args)) {
    const text = stdout.replace(/\r/g, "");
    if (text.startsWith("(error) ")) return { error: text.slice(8).trim() };
    return text;
  }
  const lines = stdout.replace(/\r/g, "").split("\n");
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) throw new Error("redis-cli printed nothing");
  const first = lines[0] ?? "";
  if (first.startsWith("(error) ")) return { error: lines.join("\n").slice(8).trim() };
  const parser = new TtyReplyParser(lines);
  const reply = parser.parseTop();
  return reply;
}

const MARKER = /^( *)(\d+)\) /;

/** Recursive-descent parser over the numbered, indented layout of redis-cli's TTY format. */
class TtyReplyParser {
  private line = 0;
  private col = 0;
  constructor(private readonly lines: string[]) {}

  parseTop(): Reply {
    const value = this.parseValue();
    if (this.line < this.lines.length) {
      throw new Error(`unexpected redis-cli output at line ${this.line + 1}: ${JSON.stringify(this.lines[this.line])}`);
    }
    return value;
  }

  /** Parse the value starting at (line, col); consumes through the end of its last line. */
  private parseValue(): Reply {
    const rest = this.current().slice(this.col);
    if (MARKER.test(rest)) return this.parseArray();
    this.line += 1;
    return parseScalar(rest);
  }

  /** An array whose first marker starts at `col` on the current line. */
  private parseArray(): Reply[] {
    const base = this.col;
    const items: Reply[] = [];
    for (let expected = 1; ; expected += 1) {
      const text = this.lines[this.line];
      if (text === undefined) break;
      if (expected > 1 && text.slice(0, base).trim() !== "") break;
      const m = MARKER.exec(text.slice(base));
      if (!m || Number(m[2]) !== expected) break;
      this.col = base + m[0].length;
      items.push(this.parseValue());
    }
    this.col = base;
    return items;
  }

  private current(): string {
    const text = this.lines[this.line];
    if (text === undefined) throw new Error("redis-cli output ended inside a reply");
    return text;
  }
}

function parseScalar(text: string): Reply {
  if (text.startsWith('"')) return unquote(text);
  if (text.startsWith("(integer) ")) return Number(text.slice(10));
  if (text === "(nil)") return null;
  if (text === "(empty array)" || text === "(empty list or set)" || text === "(empty set)" || text === "(empty hash)") return [];
  if (text.startsWith("(double) ")) return text.slice(9);
  return text; // status reply (OK, PONG, ...) printed bare
}

/** Undo redis-cli's sdscatrepr quoting: "..." with \\ \" \n \r \t \a \b and \xHH escapes. */
export function unquote(text: string): string {
  let out = "";
  let i = 1;
  for (; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') break;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = text[i + 1];
    i += 1;
    switch (e) {
      case "n": out += "\n"; break;
      case "r": out += "\r"; break;
      case "t": out += "\t"; break;
      case "a": out += "\x07"; break;
      case "b": out += "\b"; break;
      case "x": out += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16)); i += 2; break;
      default: out += e ?? "";
    }
  }
  if (i >= text.length) throw new Error(`unterminated quoted string in redis-cli output: ${text}`);
  return out;
}

/** `INFO` text -> key/value record (section headers and blank lines skipped). */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const at = line.indexOf(":");
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}

/** `a=1,b=2` (INFO's slaveN lines) -> record. */
export function parseCommaFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(",")) {
    const at = part.indexOf("=");
    if (at > 0) out[part.slice(0, at)] = part.slice(at + 1);
  }
  return out;
}

/** A flat field/value array (SENTINEL MASTER, each entry of SENTINEL REPLICAS) -> record. */
export function fieldsToRecord(reply: Reply): Record<string, string> {
  if (!Array.isArray(reply)) throw new Error(`expected a field/value list, got ${JSON.stringify(reply)}`);
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

/** A list of field/value arrays (SENTINEL REPLICAS / SENTINELS) -> records. */
export function listOfRecords(reply: Reply): Record<string, string>[] {
  if (!Array.isArray(reply)) throw new Error(`expected a list, got ${JSON.stringify(reply)}`);
  return reply.map(fieldsToRecord);
}
