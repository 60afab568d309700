/**
 * Lets this process resolve the cluster's DNS names (`*.cluster.local`) through the
 * cluster DNS, as a pod would: the application writer runs on the node's host, and
 * Sentinel answers with pod host names (`announce-hostnames yes`). Other names resolve
 * as before. net.connect looks `dns.lookup` up at each call, so replacing it here reaches
 * ioredis and every other client.
 */
import dns from "node:dns";

type LookupCallback = (err: NodeJS.ErrnoException | null, address?: string | dns.LookupAddress[], family?: number) => void;

export function routeClusterDns(server: string, domain: string): () => void {
    const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([server]);
    const original = dns.lookup;
    const suffix = `.${domain}`;
    const patched = function (hostname: string, options: unknown, callback?: LookupCallback): void {
        const cb = (typeof options === "function" ? options : callback) as LookupCallback;
        const opts = (typeof options === "object" && options !== null ? options : {}) as dns.LookupOptions;
        const name = hostname.replace(/\.$/, "");
        if (!name.endsWith(suffix)) {
            (original as unknown as (...a: unknown[]) => void).call(dns, hostname, options, callback);
            return;
        }
        resolver.resolve4(name, (err, addresses) => {
            if (err || addresses.length === 0) return cb(err ?? Object.assign(new Error(`no address for ${name}`), { code: "ENOTFOUND" }));
            if (opts.all) cb(null, addresses.map((address) => ({ address, family: 4 })));
            else cb(null, addresses[0], 4);
        });
    };
    (dns as unknown as { lookup: unknown }).lookup = patched;
    return () => {
        (dns as unknown as { lookup: unknown }).lookup = original;
    };
}
