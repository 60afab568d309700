/**
 * The provider shell every option guard shares: a dynamic resource whose `check(olds, news)`
 * refuses a change of options that cannot change on a running deployment. `olds` are the inputs
 * recorded in the state; the engine runs `check` at preview and again at the start of `pulumi
 * up`, before any step, and a failure stops it with the reasons. A first `pulumi up` (no olds),
 * a stack from before the guard (no olds) and an unchanged `pulumi up` pass; a refresh reads
 * nothing (`read` keeps the state: what is guarded is the config, not the cluster).
 *
 * Pure, and serialized by value with the provider (no import of the Pulumi runtime here).
 */
import type * as pulumi from "@pulumi/pulumi";

/** The pure rule of a guard: one reason per refused change from `olds` (none: a new guard) to `news`. */
export type GuardRule<T> = (olds: Partial<T> | undefined, news: T) => string[];

/**
 * The dynamic provider of a guard over inputs with `keys` (what it records), refusing what
 * `rule` says; `idOf` names the resource (any stable, non-empty text).
 */
export function makeGuardProvider<T extends object>(rule: GuardRule<T>, keys: readonly (keyof T)[], idOf: (inputs: T) => string): pulumi.dynamic.ResourceProvider {
    const outputsOf = (i: T): T => Object.fromEntries(keys.map((k) => [k, i[k]])) as T;
    return {
        async check(olds: Partial<T>, news: T) {
            return { inputs: news, failures: rule(olds, news).map((reason) => ({ property: "", reason })) };
        },
        async diff(_id: string, olds: T, news: T) {
            return { changes: keys.some((k) => olds[k] !== news[k]), replaces: [], deleteBeforeReplace: false };
        },
        async create(inputs: T) {
            return { id: idOf(inputs), outs: outputsOf(inputs) };
        },
        async update(_id: string, _olds: T, news: T) {
            return { outs: outputsOf(news) };
        },
        async read(id: string, props: T) {
            return { id, props };
        },
        async delete() {
            // Nothing to undo.
        },
    };
}
