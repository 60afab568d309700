/**
 * The engine's part of Pulumi's `transforms` resource option, for tests under mocks.
 *
 * With `transforms`, the SDK registers each transform function with its callback server
 * and sends the callbacks with the resource's registration; the ENGINE then runs, before
 * registering a resource, the resource's own transforms and those of every ancestor
 * (pulumi/pulumi pkg/resource/deploy/source_eval.go, RegisterResource: "collect parent
 * transforms"), each through the callback server, and registers the properties they
 * return. The mock monitor does none of this (and mocks report the feature off), so this
 * wraps the monitor to do it the same way: same callbacks, same request and response
 * messages, own transforms first, then the parent's, the grandparent's... Options a
 * transform returns are not applied here; properties are.
 *
 * Call after `installMocks()`: the wrapper runs first, so what installMocks records (and
 * the mocks create) is what the transforms returned.
 */
import * as pulumi from "@pulumi/pulumi";
/* eslint-disable @typescript-eslint/no-require-imports */
const state = require("@pulumi/pulumi/runtime/state");
const settings = require("@pulumi/pulumi/runtime/settings");
const resproto = require("@pulumi/pulumi/proto/resource_pb");
const callbackproto = require("@pulumi/pulumi/proto/callback_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

interface CallbackRef {
    getToken(): string;
}

export function emulateEngineTransforms(): void {
    state.getStore().supportsTransforms = true;
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    const transformsOf = new Map<string, CallbackRef[]>();
    const parentOf = new Map<string, string>();

    monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
        const own: CallbackRef[] = req.getTransformsList();
        const chain = [...own];
        for (let parent: string = req.getParent(); parent; parent = parentOf.get(parent) ?? "") {
            chain.push(...(transformsOf.get(parent) ?? []));
        }
        void (async () => {
            for (const cb of chain) req.setObject(await runTransform(cb, req));
            register(req, (err: unknown, resp: any) => {
                if (!err && resp) {
                    transformsOf.set(resp.getUrn(), own);
                    parentOf.set(resp.getUrn(), req.getParent());
                }
                callback(err, resp);
            });
        })().catch((err) => callback(err, undefined));
    };
}

/** One transform through the SDK's callback server, as the engine calls it: returns the new properties. */
async function runTransform(cb: CallbackRef, req: any): Promise<any> {
    const request = new resproto.TransformRequest();
    request.setName(req.getName());
    request.setType(req.getType());
    request.setCustom(req.getCustom());
    request.setParent(req.getParent());
    request.setProperties(req.getObject());
    request.setOptions(new resproto.TransformResourceOptions());
    const invoke = new callbackproto.CallbackInvokeRequest();
    invoke.setToken(cb.getToken());
    invoke.setRequest(request.serializeBinary());
    const response: any = await new Promise((resolve, reject) => {
        settings.getCallbacks().invoke({ request: invoke }, (err: unknown, resp: any) => (err ? reject(err) : resolve(resp)));
    });
    const transformed = resproto.TransformResponse.deserializeBinary(response.getResponse_asU8());
    return transformed.getProperties() ?? req.getObject();
}
