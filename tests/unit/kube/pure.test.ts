import * as assert from "assert";
import {
    describeApiError, describeCommand, deleteOutcomeOfCode, describePodState, findAmbientSource, httpCodeOf,
    outcomeFromExecStatus, parseStatusBody, podStateOf,
} from "../../../src/kube";

describe("kube pure helpers", () => {
    describe("outcomeFromExecStatus", () => {
        it("reads Success as exit code 0", () => {
            assert.deepStrictEqual(outcomeFromExecStatus({ status: "Success" }), { kind: "exited", exitCode: 0 });
        });
        it("reads the ExitCode cause of a NonZeroExitCode failure", () => {
            const status = {
                status: "Failure", reason: "NonZeroExitCode", message: "command terminated with non-zero exit code: exit code 7",
                details: { causes: [{ reason: "ExitCode", message: "7" }] },
            };
            assert.deepStrictEqual(outcomeFromExecStatus(status), { kind: "exited", exitCode: 7 });
        });
        it("treats any other failure as an error carrying the API server's reason and message", () => {
            const out = outcomeFromExecStatus({ status: "Failure", reason: "InternalError", message: "executable file not found" });
            assert.deepStrictEqual(out, { kind: "failed", message: "InternalError: executable file not found" });
        });
        it("does not invent an exit code from a malformed cause", () => {
            const status = { status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "x" }] } };
            assert.strictEqual(outcomeFromExecStatus(status).kind, "failed");
            assert.strictEqual(outcomeFromExecStatus(undefined).kind, "failed");
        });
    });

    describe("API error classification", () => {
        const target = { verb: "delete", resource: "pods", namespace: "redis", name: "r-seed" };
        it("takes the HTTP code from an ApiException or a failed WebSocket upgrade", () => {
            assert.strictEqual(httpCodeOf({ code: 409 }), 409);
            assert.strictEqual(httpCodeOf(new Error("Unexpected server response: 403")), 403);
            assert.strictEqual(httpCodeOf(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })), undefined);
        });
        it("parses a Status from JSON text and ignores other bodies", () => {
            assert.strictEqual(parseStatusBody('{"kind":"Status","reason":"NotFound","code":404}')?.reason, "NotFound");
            assert.strictEqual(parseStatusBody("<html>"), undefined);
            assert.strictEqual(parseStatusBody(undefined), undefined);
        });
        it("names verb, resource, namespace and the Role rule on 403", () => {
            const err = describeApiError(target, { code: 403, body: '{"reason":"Forbidden","message":"pods \\"r-seed\\" is forbidden"}' });
            assert.match(err.message, /refused to delete pods "r-seed" in namespace "redis": 403 Forbidden/);
            assert.match(err.message, /API server: pods "r-seed" is forbidden/);
            assert.match(err.message, /resources: \["pods"\], verbs: \["get", "create", "delete"\]/);
            assert.match(err.message, /resources: \["pods\/exec"\], verbs: \["get", "create"\]/);
            assert.strictEqual(err.code, 403);
        });
        it("does not quote client-node's exception text (it embeds response headers)", () => {
            const err = describeApiError(target, { code: 500, body: "{}", message: "HTTP-Code: 500 Headers: {\"x-secret\":\"s3cr3t\"}" });
            assert.doesNotMatch(err.message, /s3cr3t/);
            assert.match(err.message, /HTTP 500/);
        });
        it("says the credentials were rejected on 401 and that the API was unreachable on a network error", () => {
            assert.match(describeApiError(target, { code: 401 }).message, /rejected the credentials \(401 Unauthorized\)/);
            assert.match(describeApiError(target, new Error("connect ECONNREFUSED 127.0.0.1:1")).message,
                /could not reach the Kubernetes API to delete pods "r-seed".*ECONNREFUSED/);
        });
    });

    describe("pods", () => {
        it("reads uid, phase, the Ready condition and a deletionTimestamp", () => {
            const state = podStateOf({
                metadata: { uid: "u1", deletionTimestamp: new Date() },
                status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
            });
            assert.deepStrictEqual(state, { uid: "u1", phase: "Running", ready: true, deleting: true });
            const notReady = podStateOf({ metadata: { uid: "u2" }, status: { phase: "Pending", conditions: [{ type: "Ready", status: "False" }] } });
            assert.deepStrictEqual(notReady, { uid: "u2", phase: "Pending", ready: false, deleting: false });
            assert.match(describePodState(state), /uid u1, phase Running, ready, terminating/);
        });
        it("maps DELETE failures: 404 gone, 409 uid-mismatch, others not an outcome", () => {
            assert.strictEqual(deleteOutcomeOfCode(404), "gone");
            assert.strictEqual(deleteOutcomeOfCode(409), "uid-mismatch");
            assert.strictEqual(deleteOutcomeOfCode(403), undefined);
            assert.strictEqual(deleteOutcomeOfCode(undefined), undefined);
        });
        it("shortens long commands in messages", () => {
            assert.strictEqual(describeCommand(["redis-cli", "PING"]), "[redis-cli PING]");
            assert.ok(describeCommand(["x".repeat(500)]).length < 130);
        });
    });

    describe("findAmbientSource", () => {
        const probe = (env: Record<string, string>, files: string[], homeDir = "/home/u") =>
            ({ env, homeDir, exists: (f: string) => files.includes(f) });
        it("prefers KUBECONFIG, then ~/.kube/config, then the in-cluster service account", () => {
            assert.deepStrictEqual(findAmbientSource(probe({ KUBECONFIG: "/a:/b" }, ["/home/u/.kube/config"])),
                { kind: "env", files: ["/a", "/b"] });
            assert.deepStrictEqual(findAmbientSource(probe({}, ["/home/u/.kube/config"])), { kind: "home", file: "/home/u/.kube/config" });
            const sa = "/var/run/secrets/kubernetes.io/serviceaccount/token";
            assert.deepStrictEqual(findAmbientSource(probe({ KUBERNETES_SERVICE_HOST: "10.0.0.1" }, [sa])), { kind: "in-cluster" });
        });
        it("reports none, with what it looked at, when nothing is there", () => {
            const none = findAmbientSource(probe({ KUBECONFIG: "" }, []));
            assert.strictEqual(none.kind, "none");
            assert.match(JSON.stringify(none), /\/home\/u\/.kube\/config \(absent\)/);
        });
    });
});
