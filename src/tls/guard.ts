/**
 * The TLS guard: refuses, at preview, turning TLS on or off on a running deployment. The pod
 * templates change, so both StatefulSets roll one pod at a time, and the first pod restarted
 * with the new setting cannot reach the others (the plain-text ports are closed on one side,
 * the other side does not speak TLS): it never becomes ready and the rolling update stalls
 * there, `pulumi up` waiting out its timeout with the sets half rolled.
 *
 * Its provider is the shell of src/guards/provider.ts: `check(olds, news)` compares the inputs
 * recorded in the state with the new ones, at preview and at the start of `pulumi up`. Pure, and serialized by value with the provider.
 */
import type * as pulumi from "@pulumi/pulumi";
import { makeGuardProvider } from "../guards/provider";

export interface TlsGuardInputs {
    /** `tls.enabled`. */
    enabled: boolean;
    /** The StatefulSets that would roll (for the message). */
    redisSet: string;
    sentinelSet: string;
}

const state = (on: boolean): string => (on ? "on" : "off");

/** Pure: the refusal of a change from `olds` (the state's inputs; none for a new guard) to `news`. */
export function tlsChangeProblems(olds: Partial<TlsGuardInputs> | undefined, news: TlsGuardInputs): string[] {
    if (!olds || typeof olds.enabled !== "boolean" || olds.enabled === news.enabled) return [];
    const back = olds.enabled ? "set `tls.secretName` or `tls.issuer` back" : "remove `tls.secretName` / `tls.issuer` (stack config `tlsSecret` / `tlsIssuer`)";
    return [`option \`tls\` cannot be turned ${state(news.enabled)} on a running deployment (${state(olds.enabled)} -> ${state(news.enabled)}): ` +
        `StatefulSets "${news.redisSet}" and "${news.sentinelSet}" would roll one pod at a time, and the first pod restarted with TLS ${state(news.enabled)} ` +
        `cannot reach the others (one side's plain-text port is closed, the other does not speak TLS), so it never becomes ready and the update stalls. ` +
        `Nothing was changed. To go on, ${back}; to move, deploy a second RedisSentinel (another name) with TLS ${state(news.enabled)}, ` +
        "copy the data over and move the clients, then destroy this one (README.md, \"TLS\")."];
}

const TLS_GUARD_KEYS = ["enabled", "redisSet", "sentinelSet"] as const;

export function makeTlsGuardProvider(): pulumi.dynamic.ResourceProvider {
    return makeGuardProvider<TlsGuardInputs>(tlsChangeProblems, TLS_GUARD_KEYS, (i) => i.redisSet);
}
