/**
 * A dynamic provider's method as Pulumi runs it: `pulumi.runtime.serializeFunction` of a
 * factory returning the method (closure captured by value, as the engine ships it), loaded back
 * with a `require` rooted at the package.
 */
import { createRequire } from "module";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

export async function serializedMethod<T>(method: T): Promise<T> {
    const serialized = await pulumi.runtime.serializeFunction(() => method, { isFactoryFunction: true });
    const mod = { exports: {} as Record<string, unknown> };
    new Function("exports", "require", "module", serialized.text)(mod.exports, createRequire(path.join(process.cwd(), "package.json")), mod);
    return mod.exports[serialized.exportName] as T;
}
