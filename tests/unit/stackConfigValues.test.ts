/**
 * Stack config values as a user types them (`pulumi config set replicas 3abc`, `npm run
 * render -- --set persistence=yes`): every text that is not the type the key takes is
 * refused before anything is registered, naming the option, the value as typed and what is
 * allowed, and a key that nothing reads (a typo) is refused instead of being ignored.
 */
import { strict as assert } from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { installMocks } from "./support/mockedPulumi";
import { RedisSentinel, RedisSentinelConfigError, argsFromConfig } from "../../src";
import { stackConfigKeyProblems } from "../../src/config/stackConfig";
import { renderYaml } from "../../src/cli/render";

const ROOT = path.resolve(__dirname, "../..");

/** [what, config key, value as typed, substrings of the message] */
const BAD_VALUES: [string, string, string, string[]][] = [
    ["a number with trailing text (parseFloat would read 3)", "replicas", "3abc", ['`replicas` = "3abc"', "whole number from 1 to 100"]],
    ["a number with a unit (parseFloat would read 2)", "quorum", "2x", ['`quorum` = "2x"', "whole number"]],
    ["a number with a leading space", "sentinels", " 3", ['`sentinels` = " 3"', "whole number from 1 to 15"]],
    ["a hexadecimal number (parseFloat would read 0)", "replicas", "0x10", ['`replicas` = "0x10"', "whole number"]],
    ["a number too large for a double", "retirementTimeoutSeconds", "1e400", ['`retirement.timeoutSeconds` = "1e400"', "whole number from 10 to 86400"]],
    ["an empty number", "downAfterMilliseconds", "", ['`sentinel.downAfterMilliseconds` = ""', "whole number from 100 to 3600000"]],
    ["a word for a number", "parallelSyncs", "two", ['`sentinel.parallelSyncs` = "two"', "whole number"]],
    ["yes for a boolean", "persistence", "yes", ['`persistence.enabled` = "yes"', "true or false"]],
    ["a capitalised boolean", "retireSeed", "True", ['`retirement.enabled` = "True"', "true or false"]],
    ["1 for a boolean", "networkPolicy", "1", ['`networkPolicy.enabled` = "1"', "true or false"]],
    ["an empty boolean", "metrics", "", ['`metrics.enabled` = ""', "true or false"]],
    ["a structured key that is no JSON", "nodeSelector", "disktype=ssd", ['`nodeSelector` = "disktype=ssd"', "must be a map of label names to values"]],
    ["a list that is no JSON", "imagePullSecrets", "regcred,mirror", ['`imagePullSecrets` = "regcred,mirror"', "must be a list of Secret names"]],
];

describe("stack config values as typed", function () {
    for (const [what, key, value, expected] of BAD_VALUES) {
        it(`refuses ${what} (${key}=${JSON.stringify(value)}) before anything is registered`, async () => {
            const run = installMocks({ [`redis-sentinel:${key}`]: value });
            let error: unknown;
            try {
                new RedisSentinel("redis", argsFromConfig(new pulumi.Config("redis-sentinel")));
            } catch (e) {
                error = e;
            }
            assert.ok(error instanceof RedisSentinelConfigError, `expected a RedisSentinelConfigError, got ${String(error)}`);
            for (const part of expected) assert.ok(error.message.includes(part), `message lacks ${JSON.stringify(part)}:\n${error.message}`);
            await run.settle();
            assert.deepEqual(run.registrations.filter((r) => r.type !== "redis-sentinel:index:RedisSentinel").map((r) => r.name), []);
        });
    }

    it("lists every bad value at once, and render refuses them too", () => {
        assert.throws(() => renderYaml({ projectDir: ROOT, set: ["replicas=3abc", "persistence=yes", "quorum=2x"] }), (e: RedisSentinelConfigError) => {
            assert.equal(e.problems.length, 3, e.message);
            return true;
        });
    });

    it("reads plain numbers, exponents and true/false as before", () => {
        installMocks({ "redis-sentinel:replicas": "5", "redis-sentinel:downAfterMilliseconds": "5e3", "redis-sentinel:persistence": "false",
            "redis-sentinel:nodeSelector": '{"disktype":"ssd"}' });
        const args = argsFromConfig(new pulumi.Config("redis-sentinel"));
        assert.equal(args.replicas, 5);
        assert.equal(args.sentinel?.downAfterMilliseconds, 5000);
        assert.equal(args.persistence?.enabled, false);
        assert.deepEqual(args.nodeSelector, { disktype: "ssd" });
    });

    it("refuses a stack config key that nothing reads (a typo would be ignored), naming the key it resembles", () => {
        installMocks({ "redis-sentinel:replica": "5", "redis-sentinel:labels": '{"team":"cache"}', "redis-sentinel:name": "cache", "kubernetes:context": "kind" });
        const problems = stackConfigKeyProblems(new pulumi.Config("redis-sentinel"));
        assert.equal(problems.length, 2, problems.join("\n"));
        assert.match(problems[0], /unknown stack config key `replica` \(did you mean `replicas`\?\)/);
        assert.match(problems[1], /unknown stack config key `labels` \(known keys: name, .*\breplicas\b.*\)$/);
        assert.throws(() => renderYaml({ projectDir: ROOT, set: ["replica=5"] }), /unknown stack config key `replica` \(did you mean `replicas`\?\)/);
    });

    it("knows every key Pulumi.yaml declares (render sets them all from their defaults)", () => {
        assert.doesNotThrow(() => renderYaml({ projectDir: ROOT, set: [] }));
    });
});
