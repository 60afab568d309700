// Pure: reads the exit code from the v1 Status that the API server sends on the exec
// status channel (channel 3 of v4/v5.channel.k8s.io):
//   {"metadata":{},"status":"Success"}
//   {"metadata":{},"status":"Failure","reason":"NonZeroExitCode",
//    "message":"command terminated with non-zero exit code: ...",
//    "details":{"causes":[{"reason":"ExitCode","message":"3"}]}}
// Any other Failure (e.g. InternalError: executable not found) is not an exit code.
import { StatusLike } from "./errors";

export type ExecOutcome = { kind: "exited"; exitCode: number } | { kind: "failed"; message: string };

export function outcomeFromExecStatus(status: StatusLike | null | undefined): ExecOutcome {
    if (!status || typeof status !== "object") {
        return { kind: "failed", message: "the status channel carried no Status object" };
    }
    if (status.status === "Success") return { kind: "exited", exitCode: 0 };
    const exitCode = exitCodeCause(status);
    if (status.status === "Failure" && status.reason === "NonZeroExitCode" && exitCode !== undefined) {
        return { kind: "exited", exitCode };
    }
    const reason = status.reason ? `${status.reason}: ` : "";
    return { kind: "failed", message: `${reason}${status.message ?? `status ${String(status.status)}`}` };
}

function exitCodeCause(status: StatusLike): number | undefined {
    const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
    if (!cause || cause.message === undefined || !/^\d+$/.test(cause.message)) return undefined;
    return Number(cause.message);
}
