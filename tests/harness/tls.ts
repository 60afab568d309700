/**
 * Test certificates made with openssl (as an operator would for a kubernetes.io/tls Secret):
 * a CA and a server certificate signed by it whose SANs are the given DNS names, written as
 * the Secret's keys (`ca.crt`, `tls.crt`, `tls.key`) into one directory, the one the pods mount
 * at /tls. `untrustedCa` is a second, unrelated CA: a client trusting only it must be refused.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface TlsMaterial {
    /** Holds ca.crt, tls.crt, tls.key (mode 0600), like the mounted Secret. */
    dir: string;
    /** PEM of the CA that signed tls.crt. */
    ca: string;
    /** PEM of another CA, which signed nothing here. */
    untrustedCa: string;
    /** The server certificate's DNS SANs. */
    dnsNames: string[];
}

function openssl(args: string[], cwd: string): void {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function selfSignedCa(dir: string, name: string): void {
    openssl(["req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-sha256", "-days", "2",
        "-keyout", `${name}.key`, "-out", `${name}.crt`, "-subj", `/CN=${name}`], dir);
}

/** Makes the CA, the server certificate for `dnsNames`, and an unrelated CA, in a new temp dir (or `dir`). */
export function makeTlsMaterial(dnsNames: string[], dir = fs.mkdtempSync(path.join(os.tmpdir(), "rs-tls-"))): TlsMaterial {
    if (dnsNames.length === 0) throw new Error("makeTlsMaterial: give at least one DNS name");
    fs.mkdirSync(dir, { recursive: true });
    const work = fs.mkdtempSync(path.join(dir, ".work-"));
    try {
        selfSignedCa(work, "test-ca");
        selfSignedCa(work, "untrusted-ca");
        openssl(["req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", "tls.key", "-out", "tls.csr", "-subj", `/CN=${dnsNames[0]}`], work);
        fs.writeFileSync(path.join(work, "ext.cnf"),
            `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(",")}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
        openssl(["x509", "-req", "-sha256", "-days", "2", "-in", "tls.csr", "-CA", "test-ca.crt", "-CAkey", "test-ca.key",
            "-CAcreateserial", "-out", "tls.crt", "-extfile", "ext.cnf"], work);
        fs.copyFileSync(path.join(work, "test-ca.crt"), path.join(dir, "ca.crt"));
        fs.copyFileSync(path.join(work, "tls.crt"), path.join(dir, "tls.crt"));
        fs.copyFileSync(path.join(work, "tls.key"), path.join(dir, "tls.key"));
        fs.chmodSync(path.join(dir, "tls.key"), 0o600);
        return {
            dir,
            ca: fs.readFileSync(path.join(dir, "ca.crt"), "utf8"),
            untrustedCa: fs.readFileSync(path.join(work, "untrusted-ca.crt"), "utf8"),
            dnsNames,
        };
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}
