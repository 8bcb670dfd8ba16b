// The SEED's setup (the hands-on write-up this project started from) reproduced with the plain docker CLI, as written: one
// bridge network, A with no config, B and C with the write-up's redis.conf lines and nothing else
// (so Redis's defaults apply), ONE shared server certificate signed by a Redis-CA, files readable
// by everyone. Differences, all forced by this machine's rules: ports on 127.0.0.1 instead of
// 0.0.0.0, files copied in with `docker cp` before start instead of bind-mounted, named volumes
// for /data instead of host folders, and C gets its own config (the write-up's known defect).
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_IMAGE } from "../testkit/testBed";
import { docker, run } from "../testkit/harness/run";
import { redisClient } from "../testkit/redisClient";
import { BenchChain, NodeKey, containerStartedAt } from "./chain";
import { BenchNames } from "./settings";

const CONF_PATH = "/usr/local/etc/redis/redis.conf";

const B_CONF = `port 6379
tls-port 6380
tls-cert-file /certs/redis.crt
tls-key-file /certs/redis.key
tls-ca-cert-file /certs/ca.crt
tls-auth-clients no
replicaof redis-a 6379
`;

const C_CONF = `port 0
tls-port 6380
tls-cert-file /certs/redis.crt
tls-key-file /certs/redis.key
tls-ca-cert-file /certs/ca.crt
tls-auth-clients no
replicaof redis-b 6380
tls-replication yes
`;

/** The write-up's openssl steps: CA (RSA 4096, CN=Redis-CA), one server cert (RSA 2048, CN=redis-server). */
async function makeCertificates(dir: string): Promise<string> {
    const certs = join(dir, "certs");
    mkdirSync(certs);
    const ssl = (args: string[]) => run("openssl", args, { cwd: certs });
    await ssl(["genrsa", "-out", "ca.key", "4096"]);
    await ssl(["req", "-x509", "-new", "-nodes", "-key", "ca.key", "-sha256", "-days", "3650", "-subj", "/CN=Redis-CA", "-out", "ca.crt"]);
    await ssl(["genrsa", "-out", "redis.key", "2048"]);
    await ssl(["req", "-new", "-key", "redis.key", "-subj", "/CN=redis-server", "-out", "redis.csr"]);
    await ssl(["x509", "-req", "-in", "redis.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "redis.crt", "-days", "3650", "-sha256"]);
    // Only what Redis reads goes into /certs; world-readable as in the write-up, the key included.
    for (const f of ["ca.key", "redis.csr", "ca.srl"]) rmSync(join(certs, f), { force: true });
    for (const f of ["ca.crt", "redis.crt", "redis.key"]) chmodSync(join(certs, f), 0o644);
    return certs;
}

/** Everything the seed deploy creates, by name, for teardown and the leftover sweep. */
export function seedResourceNames(names: BenchNames) {
    const p = names.seedPrefix;
    return {
        containers: { a: `${p}redis-a`, b: `${p}redis-b`, c: `${p}redis-c` } as Record<NodeKey, string>,
        network: `${p}redis-net`,
        volumes: [`${p}redis-a-data`, `${p}redis-b-data`, `${p}redis-c-data`],
    };
}

/** Removes whatever a seed deploy of these names left; quiet when nothing is there. */
export async function removeSeed(names: BenchNames): Promise<void> {
    const r = seedResourceNames(names);
    await docker(["rm", "--force", "--volumes", ...Object.values(r.containers)]).catch(() => undefined);
    await docker(["network", "rm", r.network]).catch(() => undefined);
    await docker(["volume", "rm", "--force", ...r.volumes]).catch(() => undefined);
}

/**
 * Deploys the seed. Containers are created first, then started in compose order A, B, C without
 * waiting for anything, as `depends_on` does.
 */
export async function deploySeed(names: BenchNames, log: (line: string) => void): Promise<BenchChain> {
    const r = seedResourceNames(names);
    const ports = names.seedPorts;
    const dir = mkdtempSync(join(tmpdir(), "bench-seed-"));
    try {
        log("seed: openssl CA (RSA 4096) and the one shared server certificate (RSA 2048)");
        const certs = await makeCertificates(dir);
        const caCertPem = readFileSync(join(certs, "ca.crt"), "utf8");
        writeFileSync(join(dir, "b.conf"), B_CONF, { mode: 0o644 });
        writeFileSync(join(dir, "c.conf"), C_CONF, { mode: 0o644 });

        await docker(["network", "create", r.network]);
        for (const v of r.volumes) await docker(["volume", "create", v]);

        const create = (node: NodeKey, publish: string[], command: string[]) =>
            docker([
                "create",
                "--name", r.containers[node],
                "--network", r.network,
                "--network-alias", `redis-${node}`,
                ...publish.flatMap((p) => ["--publish", `127.0.0.1:${p}`]),
                "--volume", `${r.volumes[NODE_INDEX[node]]}:/data`,
                BENCH_IMAGE,
                ...command,
            ]);
        const firstCreateAt = Date.now();
        await create("a", [`${ports.a}:6379`], ["redis-server", "--port", "6379"]);
        await create("b", [`${ports.bPlain}:6379`, `${ports.bTls}:6380`], ["redis-server", CONF_PATH]);
        await create("c", [`${ports.c}:6380`], ["redis-server", CONF_PATH]);
        for (const [node, conf] of [["b", "b.conf"], ["c", "c.conf"]] as const) {
            await docker(["cp", certs, `${r.containers[node]}:/certs`]);
            await docker(["cp", join(dir, conf), `${r.containers[node]}:${CONF_PATH}`]);
        }
        for (const node of ["a", "b", "c"] as const) await docker(["start", r.containers[node]]);
        const readyAt = Date.now();
        const startedAt = {} as Record<NodeKey, number>;
        for (const node of ["a", "b", "c"] as const) startedAt[node] = await containerStartedAt(r.containers[node]);
        log(`seed: containers created and started in ${readyAt - firstCreateAt} ms`);

        const tls = { ca: caCertPem, verifyHostname: false };
        const targets = {
            a: { host: "127.0.0.1", port: ports.a },
            b: { host: "127.0.0.1", port: ports.bPlain },
            c: { host: "127.0.0.1", port: ports.c, tls },
        };
        return {
            variant: "seed",
            containers: r.containers,
            writer: targets.a,
            deploy: { firstCreateAt, startedAt, readyAt },
            outputs: seedAsOutputs(r.containers, ports, caCertPem),
            client: (node) => redisClient(targets[node], "bench"),
            destroy: () => removeSeed(names),
        };
    } catch (error) {
        await removeSeed(names);
        throw error;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

const NODE_INDEX: Record<NodeKey, number> = { a: 0, b: 1, c: 2 };

/** The seed described the way our stack outputs describe a chain, so the post-deploy check can be pointed at it. */
function seedAsOutputs(containers: Record<NodeKey, string>, ports: BenchNames["seedPorts"], caCertPem: string) {
    const endpoint = (scheme: string, port: number) => ({ host: "127.0.0.1", port, url: `${scheme}://127.0.0.1:${port}` });
    return {
        caCertPem,
        nodes: {
            "redis-a": {
                name: "redis-a", containerName: containers.a, role: "master", upstream: null, link: null, expectedMaster: null,
                replicas: ["redis-b"], plain: endpoint("redis", ports.a), tls: null,
            },
            "redis-b": {
                name: "redis-b", containerName: containers.b, role: "replica", upstream: "redis-a", link: "plain",
                expectedMaster: { host: "redis-a", port: 6379 }, replicas: ["redis-c"],
                plain: endpoint("redis", ports.bPlain), tls: endpoint("rediss", ports.bTls),
            },
            "redis-c": {
                name: "redis-c", containerName: containers.c, role: "replica", upstream: "redis-b", link: "tls",
                expectedMaster: { host: "redis-b", port: 6380 }, replicas: [], plain: null, tls: endpoint("rediss", ports.c),
            },
        },
    };
}
