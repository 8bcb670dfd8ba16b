// The seed stack (Pulumi.dev.yaml) deployed on the real engine through the provider emulator:
// real containers, real TLS, real replication, and the post-deploy check run as the engine would.
// On the default image; on every server image under REDIS_CHAIN_MATRIX=1.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeployedStack, deployStack, readStackConfig } from "../../testkit/harness/deployStack";
import { docker } from "../../testkit/harness/run";
import { removeLeftovers } from "../../testkit/dockerObjects";
import { clientFor } from "../../testkit/redisClient";
import { REPLICATION_CHECK_TYPE, convergeMs, testStack } from "../../testkit/stacks";
import { suiteImages } from "../../testkit/testBed";
import { expectNothingLeft, infoReplication, redisCli, runVerify } from "./support";

describe.each(suiteImages())("seed stack on a real Docker engine, $label ($image)", ({ image, key, portShift }) => {
    const PREFIX = `e2e-seed-${key}-`;
    // The seed's host ports moved by 30000 (away from a dev stack), and by the image's own shift.
    const OFFSET = 30000 + portShift;
    let stack: DeployedStack;

    beforeAll(async () => {
        await removeLeftovers(PREFIX);
        stack = await deployStack({ ...testStack(readStackConfig("dev"), PREFIX, OFFSET), image }, (line) => console.log(`[deploy ${PREFIX}] ${line}`));
        console.log(`[deploy ${PREFIX}] seed stack deployed and checked in ${stack.deployMs} ms; converge ${convergeMs(stack)} ms`);
    }, 180_000);

    afterAll(async () => {
        await stack?.destroy();
        await expectNothingLeft(PREFIX);
    }, 120_000);

    it("ran the post-deploy check resource, which proved every link", () => {
        expect(stack.outputs.checkElapsedMs).toBeGreaterThan(0);
        const check = stack.emulator.created.find((r) => r.type === REPLICATION_CHECK_TYPE);
        expect(check?.state.nodesChecked).toBe(3);
    });

    it("links every replica to its declared master, with the link up", async () => {
        const b = await infoReplication(stack.outputs, `${PREFIX}redis-b`, ["-p", "6379"]);
        expect(b).toMatchObject({ role: "slave", master_host: "redis-a", master_port: "6379", master_link_status: "up" });
        const c = await infoReplication(stack.outputs, `${PREFIX}redis-c`, ["--tls", "--cacert", "/data/tls/ca.crt", "-p", "6380"]);
        expect(c).toMatchObject({ role: "slave", master_host: "redis-b", master_port: "6380", master_link_status: "up" });
        const a = await infoReplication(stack.outputs, `${PREFIX}redis-a`, ["-p", "6379"]);
        expect(a).toMatchObject({ role: "master", connected_slaves: "1" });
    });

    it("replicates a key set on A to B over plain TCP and to C over TLS with hostname verification", async () => {
        const a = clientFor(stack.outputs, "redis-a", "plain");
        const b = clientFor(stack.outputs, "redis-b", "plain");
        const c = clientFor(stack.outputs, "redis-c", "tls");
        try {
            await a.set("hello", "world");
            await expect.poll(() => b.get("hello"), { timeout: 5000 }).toBe("world");
            await expect.poll(() => c.get("hello"), { timeout: 5000 }).toBe("world");
        } finally {
            await a.del("hello");
            [a, b, c].forEach((client) => client.disconnect());
        }
    });

    it("gives C no plain listener, and its TLS port refuses a plain client", async () => {
        await expect(docker(["exec", `${PREFIX}redis-c`, "redis-cli", "-p", "6379", "ping"])).rejects.toThrow(/refused/i);
        expect(stack.outputs.nodes["redis-c"].plain).toBeNull();
        const plainOnTlsPort = clientFor({ ...stack.outputs, nodes: { c: { plain: stack.outputs.nodes["redis-c"].tls } } }, "c", "plain");
        try {
            await expect(plainOnTlsPort.connect().then(() => plainOnTlsPort.ping())).rejects.toThrow();
        } finally {
            plainOnTlsPort.disconnect();
        }
    });

    it("rejects a TLS client whose CA did not sign the node certificate", async () => {
        const wrongCa = clientFor({ ...stack.outputs, caCertPem: selfSignedOtherCa() }, "redis-c", "tls");
        const errors: Error[] = [];
        wrongCa.on("error", (e: Error) => errors.push(e));
        try {
            await expect(wrongCa.connect()).rejects.toThrow();
            expect(errors.map((e) => e.message).join("\n")).toMatch(/self[- ]signed certificate in certificate chain|unable to verify/i);
        } finally {
            wrongCa.disconnect();
        }
    });

    it("serves B on both its plain and its TLS listener", async () => {
        for (const transport of ["plain", "tls"] as const) {
            const b = clientFor(stack.outputs, "redis-b", transport);
            try {
                expect(await b.ping()).toBe("PONG");
            } finally {
                b.disconnect();
            }
        }
    });

    it("publishes the connection URLs in the outputs, on 127.0.0.1 only", async () => {
        expect(stack.outputs.nodes["redis-a"].plain.url).toBe(`redis://127.0.0.1:${6379 + OFFSET}`);
        expect(stack.outputs.nodes["redis-b"].tls.url).toBe(`rediss://127.0.0.1:${16380 + OFFSET}`);
        expect(stack.outputs.nodes["redis-c"].tls.url).toBe(`rediss://127.0.0.1:${26380 + OFFSET}`);
        const ports = await docker(["port", `${PREFIX}redis-b`]);
        expect(ports.trim().split("\n").sort()).toEqual([`6379/tcp -> 127.0.0.1:${16379 + OFFSET}`, `6380/tcp -> 127.0.0.1:${16380 + OFFSET}`]);
    });

    it("keeps the node key readable by Redis alone", async () => {
        const listing = await docker(["exec", `${PREFIX}redis-c`, "ls", "-ln", "/data/tls/redis.key"]);
        expect(listing).toMatch(/^-rw------- +1 999 /);
        expect(JSON.stringify(stack.outputs)).not.toMatch(/PRIVATE KEY/);
    });

    it("names the wrong master when C is re-pointed at A behind the program's back", async () => {
        const cli = ["--tls", "--cacert", "/data/tls/ca.crt", "-p", "6380"];
        await redisCli(stack.outputs, `${PREFIX}redis-c`, [...cli, "replicaof", "redis-a", "6379"]);
        try {
            const wrong = await runVerify(stack.outputs, 2);
            expect(wrong.code).toBe(1);
            expect(wrong.output).toMatch(
                /link redis-b -> redis-c \(tls, redis-b:6380\): redis-c replicates from redis-a:6379, expected redis-b:6380/,
            );
        } finally {
            await redisCli(stack.outputs, `${PREFIX}redis-c`, [...cli, "replicaof", "redis-b", "6380"]);
        }
    }, 60_000);

    it("passes npm run verify, then fails it naming both broken links once B stops", async () => {
        const healthy = await runVerify(stack.outputs, 20);
        expect(healthy.code, healthy.output).toBe(0);
        expect(healthy.output).toMatch(/OK: every link up/);

        await docker(["stop", `${PREFIX}redis-b`]);
        try {
            const broken = await runVerify(stack.outputs, 3);
            expect(broken.code).toBe(1);
            expect(broken.output).toMatch(/link redis-a -> redis-b \(plain, redis-a:6379\): redis-b unreachable/);
            expect(broken.output).toMatch(/link redis-b -> redis-c \(tls, redis-b:6380\): master_link_status:down/);
        } finally {
            await docker(["start", `${PREFIX}redis-b`]);
        }
        const recovered = await runVerify(stack.outputs, 30);
        expect(recovered.code, recovered.output).toBe(0);
    }, 90_000);
});

function selfSignedOtherCa(): string {
    // A CA that signed nothing here: generated on the spot, never the stack's.
    return execFileSync("openssl", [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "/dev/null", "-subj", "/CN=Other-CA", "-days", "1",
    ], { stdio: ["ignore", "pipe", "ignore"] }).toString();
}
