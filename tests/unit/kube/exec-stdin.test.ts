// PodApi.exec with stdin (how the password rotation hands a password to a pod): the text reaches
// the command over the exec's stdin channel under both exec protocols, is never on the command
// line the API server records, and the stream is not ended (under v4, ending stdin closes the
// whole connection, losing the output and the exit status).
import { strict as assert } from "assert";
import { loadKubeConfig, PodApi } from "../../../src/kube";
import { FakeKubeServer, localProcessExec } from "../../fakekube";

describe("PodApi.exec with stdin against the fake Kubernetes API", function () {
    this.timeout(20_000);
    for (const protocol of ["v5.channel.k8s.io", "v4.channel.k8s.io"]) {
        it(`hands the text to the command (one line read), not on its command line (${protocol})`, async () => {
            const fake = await FakeKubeServer.start({ execProtocols: [protocol] });
            try {
                fake.addPod({ namespace: "ns", name: "p", containers: ["redis"] });
                fake.setDefaultExec(localProcessExec());
                const api = new PodApi(loadKubeConfig({ kubeconfig: fake.kubeconfig() }));
                const secret = "s3cret with spaces \"q\" $HOME";
                const r = await api.exec("ns", "p", "redis", ["sh", "-c", 'IFS= read -r line; printf "got:%s" "$line"'], { stdin: `${secret}\n`, timeoutMs: 5000 });
                assert.deepEqual(r, { stdout: `got:${secret}`, stderr: "", exitCode: 0 });
                const [req] = fake.requests.filter((x) => x.path.endsWith("/exec"));
                assert.equal(req.protocol, protocol);
                assert.deepEqual(req.query.stdin, ["true"]);
                assert.ok(!JSON.stringify(req.query).includes("s3cret"), "the text is on the recorded request");
            } finally {
                await fake.stop();
            }
        });
    }

    it("without stdin the command reads end of file at once", async () => {
        const fake = await FakeKubeServer.start();
        try {
            fake.addPod({ namespace: "ns", name: "p", containers: ["redis"] });
            fake.setDefaultExec(localProcessExec());
            const api = new PodApi(loadKubeConfig({ kubeconfig: fake.kubeconfig() }));
            const r = await api.exec("ns", "p", "redis", ["sh", "-c", 'if IFS= read -r line; then echo "read:$line"; else echo eof; fi'], { timeoutMs: 5000 });
            assert.equal(r.stdout, "eof\n");
        } finally {
            await fake.stop();
        }
    });
});
