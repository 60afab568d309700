/**
 * Password rotation, the pure part: what an `up` does to the servers' passwords, from what the
 * last one recorded (SHA-256 of the current password, those of the earlier ones still accepted,
 * a revision counter) and the password and `dropPreviousPasswords` of this one.
 *
 *  - `record`: first run (nothing recorded): the password is remembered, nothing is changed live.
 *  - `rotate`: the password changed: every running server accepts the new one too, then
 *    authenticates with it (replication, Sentinel to Redis and to Sentinel); the old one's
 *    SHA-256 joins `previous` (the Secret lists it, so restarted pods keep accepting it); the
 *    revision moves on, which rolls both sets (the pods restart with the new password). Never
 *    drops anything, even with `dropPreviousPasswords`: the roll needs the old one accepted.
 *  - `drop`: same password, `dropPreviousPasswords` set and earlier ones accepted: every running
 *    server, once it runs with the current password, accepts that one only; `previous` empties.
 *  - `none`: nothing to do.
 */
import { createHash } from "crypto";

export type RotationKind = "record" | "rotate" | "drop" | "none";

/** What the last `up` recorded (the resource's state). */
export interface RotationRecord {
    /** SHA-256 (hex) of the current password. */
    passwordSha256: string;
    /** SHA-256 of the earlier passwords still accepted, space separated ("" when none). */
    previousSha256: string;
    /** Moves on with every password change (the pod templates carry it: a change rolls the sets). */
    revision: number;
}

export interface RotationPlan extends RotationRecord {
    kind: RotationKind;
}

export function sha256Hex(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The hashes of a `previousSha256` list. */
export function hashList(text: string | undefined): string[] {
    return (text ?? "").split(/\s+/).filter((h) => /^[0-9a-f]{64}$/.test(h));
}

export function planRotation(recorded: Partial<RotationRecord> | undefined, password: string, dropPrevious: boolean): RotationPlan {
    const passwordSha256 = sha256Hex(password);
    if (!recorded?.passwordSha256) return { kind: "record", passwordSha256, previousSha256: "", revision: 1 };
    const previous = hashList(recorded.previousSha256);
    const revision = recorded.revision ?? 1;
    if (recorded.passwordSha256 !== passwordSha256) {
        // Rotating back to an earlier password takes it out of the earlier ones.
        const kept = [...new Set([...previous, recorded.passwordSha256])].filter((h) => h !== passwordSha256);
        return { kind: "rotate", passwordSha256, previousSha256: kept.join(" "), revision: revision + 1 };
    }
    if (dropPrevious && previous.length > 0) return { kind: "drop", passwordSha256, previousSha256: "", revision };
    return { kind: "none", passwordSha256, previousSha256: previous.join(" "), revision };
}
