// loadKubeConfig: the kubeconfig input, context selection, the ambient kubeconfig, and
// clear errors that never quote the kubeconfig text.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadKubeConfig, PodApi } from "../../../src/kube";
import { FakeKubeServer } from "../../fakekube";

const noAmbient = { env: {}, homeDir: "/nonexistent-home", exists: () => false };

describe("loadKubeConfig", () => {
    let fake: FakeKubeServer;
    let tmp: string;
    const savedKubeconfig = process.env.KUBECONFIG;

    before(async () => {
        fake = await FakeKubeServer.start();
        fake.addPod({ namespace: "ns", name: "p" });
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-test-"));
    });
    after(async () => {
        await fake.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    });
    afterEach(() => {
        if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = savedKubeconfig;
    });

    it("uses the kubeconfig text given as input, with its server and token", async () => {
        const kc = loadKubeConfig({ kubeconfig: fake.kubeconfig() }, noAmbient);
        assert.strictEqual(kc.getCurrentCluster()?.server, fake.url);
        assert.ok(await new PodApi(kc).getPod("ns", "p"));
        assert.ok(fake.requests.at(-1)?.authorized);
    });

    it("selects the context given, instead of the current-context", async () => {
        const text = fake.kubeconfig({ context: "good", currentContext: "dead",
            extraContexts: [{ name: "dead", server: "http://127.0.0.1:1" }] });
        const kc = loadKubeConfig({ kubeconfig: text, context: "good" }, noAmbient);
        assert.strictEqual(kc.getCurrentContext(), "good");
        assert.ok(await new PodApi(kc).getPod("ns", "p"));
        const dead = loadKubeConfig({ kubeconfig: text }, noAmbient);
        assert.strictEqual(dead.getCurrentCluster()?.server, "http://127.0.0.1:1");
    });

    it("names the available contexts when the context given does not exist", () => {
        assert.throws(() => loadKubeConfig({ kubeconfig: fake.kubeconfig(), context: "prod" }, noAmbient),
            /kubeconfig has no context "prod" \(contexts: fake\)/);
    });

    it("reads the ambient KUBECONFIG file when no kubeconfig input is set", async () => {
        const file = path.join(tmp, "config");
        fs.writeFileSync(file, fake.kubeconfig({ context: "from-file" }));
        process.env.KUBECONFIG = file;
        const kc = loadKubeConfig({});
        assert.strictEqual(kc.getCurrentContext(), "from-file");
        assert.ok(await new PodApi(kc).getPod("ns", "p"));
    });

    it("fails clearly when there is no kubeconfig anywhere", () => {
        assert.throws(() => loadKubeConfig({}, noAmbient),
            /^Error: no kubeconfig: set the `kubeconfig` input or KUBECONFIG, or provide ~\/.kube\/config \(looked at: .*\/nonexistent-home\/.kube\/config \(absent\)/);
        assert.throws(() => loadKubeConfig({ kubeconfig: "  " }, noAmbient), /no kubeconfig/);
    });

    it("reports invalid YAML by line and reason without quoting the text (it holds credentials)", () => {
        const text = "users:\n- name: u\n  user:\n    token: s3cr3t-token-value\n   bad: : x\n";
        assert.throws(() => loadKubeConfig({ kubeconfig: text }, noAmbient), (err: Error) => {
            assert.match(err.message, /the `kubeconfig` input is not a valid kubeconfig: YAML error at line \d+/);
            assert.doesNotMatch(err.message, /s3cr3t/);
            return true;
        });
    });

    it("fails when the kubeconfig selects no cluster", () => {
        assert.throws(() => loadKubeConfig({ kubeconfig: "apiVersion: v1\nkind: Config\n" }, noAmbient),
            /kubeconfig has no current-context: set the `context` input/);
    });
});
