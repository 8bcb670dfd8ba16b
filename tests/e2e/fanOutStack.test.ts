// A second topology on the real engine: fan-out from one master, a TLS branch two hops deep whose
// middle node requires client certificates (mTLS), and a plain-only node that replicates over TLS
// (it speaks TLS only as a client, presenting its node certificate). On the default image; on every
// server image under REDIS_CHAIN_MATRIX=1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeployedStack, deployStack } from "../../testkit/harness/deployStack";
import { removeLeftovers } from "../../testkit/dockerObjects";
import { clientFor } from "../../testkit/redisClient";
import { shiftHostPorts } from "../../testkit/stacks";
import { suiteImages } from "../../testkit/testBed";
import { expectNothingLeft, infoReplication, runVerify } from "./support";

const NODES = [
    { name: "hub", plain: { hostPort: 47001 }, tls: { hostPort: 47002 } },
    { name: "leaf-plain", replicaOf: "hub", link: "plain", plain: { hostPort: 47003 } },
    { name: "leaf-tls", replicaOf: "hub", link: "tls", tls: { hostPort: 47004 }, tlsAuthClients: "yes" },
    { name: "deep", replicaOf: "leaf-tls", link: "tls", plain: { hostPort: 47005 } },
];

describe.each(suiteImages())("fan-out with a two-hop TLS branch, $label ($image)", ({ image, key, portShift }) => {
    const PREFIX = `e2e-fan-${key}-`;
    let stack: DeployedStack;

    beforeAll(async () => {
        await removeLeftovers(PREFIX);
        const config = { nodes: shiftHostPorts(NODES, portShift), namePrefix: PREFIX, image };
        stack = await deployStack(config, (l) => console.log(`[deploy ${PREFIX}] ${l}`));
    }, 180_000);

    afterAll(async () => {
        await stack?.destroy();
        await expectNothingLeft(PREFIX);
    }, 120_000);

    it("links every node to its declared master", async () => {
        const hub = await infoReplication(stack.outputs, `${PREFIX}hub`, ["-p", "6379"]);
        expect(hub).toMatchObject({ role: "master", connected_slaves: "2" });
        const leafTls = await infoReplication(stack.outputs, `${PREFIX}leaf-tls`, [
            "--tls", "--cacert", "/data/tls/ca.crt", "--cert", "/data/tls/redis.crt", "--key", "/data/tls/redis.key", "-p", "6380",
        ]);
        expect(leafTls).toMatchObject({ master_host: "hub", master_port: "6380", master_link_status: "up" });
        const deep = await infoReplication(stack.outputs, `${PREFIX}deep`, ["-p", "6379"]);
        expect(deep).toMatchObject({ master_host: "leaf-tls", master_port: "6380", master_link_status: "up" });
    });

    it("propagates a write on the hub to every leaf", async () => {
        const hub = clientFor(stack.outputs, "hub", "tls");
        const readers = [
            clientFor(stack.outputs, "leaf-plain", "plain"),
            clientFor(stack.outputs, "leaf-tls", "tls"),
            clientFor(stack.outputs, "deep", "plain"),
        ];
        try {
            await hub.set("fan-out", "everywhere");
            for (const reader of readers) await expect.poll(() => reader.get("fan-out"), { timeout: 5000 }).toBe("everywhere");
        } finally {
            await hub.del("fan-out");
            [hub, ...readers].forEach((c) => c.disconnect());
        }
    });

    it("requires a client certificate on the mTLS node", async () => {
        const withoutCert = clientFor({ ...stack.outputs, clientCertPem: undefined, clientKeyPem: undefined }, "leaf-tls", "tls");
        const errors: Error[] = [];
        withoutCert.on("error", (e: Error) => errors.push(e));
        try {
            await expect(withoutCert.connect().then(() => withoutCert.ping())).rejects.toThrow();
            expect(errors.map((e) => e.message).join("\n")).toMatch(/certificate required|alert|ECONNRESET|socket hang up/i);
        } finally {
            withoutCert.disconnect();
        }
        const withCert = clientFor(stack.outputs, "leaf-tls", "tls");
        try {
            expect(await withCert.ping()).toBe("PONG");
        } finally {
            withCert.disconnect();
        }
    });

    it("issues certificates only to TLS-speaking nodes and the client, and passes npm run verify", async () => {
        const certs = stack.emulator.created.filter((r) => r.type === "tls:index/locallySignedCert:LocallySignedCert");
        expect(certs.map((c) => c.name).sort()).toEqual([
            "redis-chain-client-cert",
            "redis-chain-deep-cert-cert",
            "redis-chain-hub-cert-cert",
            "redis-chain-leaf-tls-cert-cert",
        ]);
        const verified = await runVerify(stack.outputs, 20);
        expect(verified.code, verified.output).toBe(0);
    }, 60_000);
});
