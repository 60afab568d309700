/**
 * The identity guard: refuses, at preview, a change of the options that say which deployment
 * this is and how it is found, on a running deployment:
 *  - `namespace`: Pulumi would replace every object (a namespace change replaces it), so a new,
 *    empty deployment would come up in the new namespace while the running one is deleted (its
 *    claims kept, its data no longer served);
 *  - `masterName`: both sets would roll to monitor the master under another name, while clients
 *    (and the pods not rolled yet) ask the Sentinels for the old one and find no master;
 *  - `clusterDomain`: every pod would announce itself under other DNS names, which the Sentinels
 *    and the replicas not rolled yet do not know.
 * A value unknown at preview (an Output of a resource created in the same run) is not compared.
 * Pure, and serialized by value with the provider.
 */
import type * as pulumi from "@pulumi/pulumi";
import { makeGuardProvider } from "./provider";

export interface IdentityGuardInputs {
    namespace: string;
    masterName: string;
    clusterDomain: string;
    /** The StatefulSets (for the message). */
    redisSet: string;
    sentinelSet: string;
}

/** What the engine passes for a value not known yet at preview (@pulumi/pulumi runtime's unknownValue). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const MOVE = "deploy a second RedisSentinel (another name) with the new value, copy the data over and move the clients, then destroy this one";

const WHY: Record<"namespace" | "masterName" | "clusterDomain", (o: string, n: string) => string> = {
    namespace: (o, n) => `Pulumi would replace every object: a new, empty deployment in namespace "${n}" while the one in "${o}" is deleted (its claims are kept, but its data is no longer served)`,
    masterName: (o) => `both sets would roll to monitor the master under the new name, while clients (and the pods not rolled yet) ask the Sentinels for "${o}" and find no master`,
    clusterDomain: () => "every pod would announce itself under other DNS names, which the Sentinels and the replicas not rolled yet do not know",
};

export function identityChangeProblems(olds: Partial<IdentityGuardInputs> | undefined, news: IdentityGuardInputs): string[] {
    if (!olds) return [];
    return (Object.keys(WHY) as (keyof typeof WHY)[]).flatMap((key) => {
        const o = olds[key], n = news[key];
        if (typeof o !== "string" || o === UNKNOWN || n === UNKNOWN || o === n) return [];
        const back = key === "clusterDomain"
            ? `; if "${o}" was wrong and the deployment never worked, \`pulumi destroy\` and \`pulumi up\` again`
            : "";
        return [`option \`${key}\` cannot change on a running deployment: ${JSON.stringify(o)} -> ${JSON.stringify(n)}. ${WHY[key](o, n)}. ` +
            `Nothing was changed. Set it back to ${JSON.stringify(o)}; to change it, ${MOVE}${back} (README.md, "Options fixed once deployed").`];
    });
}

const IDENTITY_GUARD_KEYS = ["namespace", "masterName", "clusterDomain", "redisSet", "sentinelSet"] as const;

export function makeIdentityGuardProvider(): pulumi.dynamic.ResourceProvider {
    return makeGuardProvider<IdentityGuardInputs>(identityChangeProblems, IDENTITY_GUARD_KEYS, (i) => i.redisSet);
}
