// The seed stack on each local server image: Redis 7.0, 8.0 and 8.6, Valkey 8.1 and 9.1 (local
// stand-ins shaped like the official images). Per image: the post-deploy check
// passed, every server runs as the unprivileged user under its own binary name (the official images'
// entrypoints drop root only for that name), a key set on A reads back on B and C, and a restart of
// the middle node under a write load loses no acknowledged write. Then nothing is left behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeployedStack, deployStack, readStackConfig } from "../../testkit/harness/deployStack";
import { docker } from "../../testkit/harness/run";
import { removeLeftovers } from "../../testkit/dockerObjects";
import { clientFor, targetFor } from "../../testkit/redisClient";
import { REPLICATION_CHECK_TYPE, testStack, withHostPorts } from "../../testkit/stacks";
import { SERVER_IMAGES } from "../../testkit/testBed";
import { WriteLoadResult, startWriteLoad } from "../../testkit/writeLoad/writeLoad";
import { readBack, waitConverged } from "./chainProbes";
import { expectNothingLeft } from "./support";

/** The unprivileged user the official images (and the local stand-ins) run the server as. */
const SERVER_UID = "999";

// Every server image, also in `npm test` (which runs the other suites on the default image only).
// Host ports in 48100-48599, used by no other e2e file or bench figure; one block of 100 per image.
const CASES = SERVER_IMAGES.map(({ label, image, key, serverBinary }, i) => ({
    label,
    image,
    prefix: `e2e-img-${key}-`,
    binary: serverBinary,
    base: 48100 + 100 * i,
}));

/** Field `name` of /proc/1/status in `container`: PID 1 is the server once the entrypoint has exec'd it. */
async function serverProcess(container: string): Promise<{ name: string; uid: string }> {
    const status = await docker(["exec", container, "cat", "/proc/1/status"]);
    const field = (name: string) => status.match(new RegExp(`^${name}:\\s*(\\S+)`, "m"))?.[1] ?? "";
    // Uid: real, effective, saved, filesystem; the first is the real one.
    return { name: field("Name"), uid: field("Uid") };
}

describe.each(CASES)("the seed stack on $label ($image)", ({ image, prefix, binary, base }) => {
    let stack: DeployedStack;
    // Set when this image's block starts: describe bodies all run when the file loads.
    let started = 0;
    const ports = {
        "redis-a": { plain: base + 1 },
        "redis-b": { plain: base + 2, tls: base + 3 },
        "redis-c": { tls: base + 4 },
    };

    beforeAll(async () => {
        started = Date.now();
        await removeLeftovers(prefix);
        const config = { ...withHostPorts(testStack(readStackConfig("dev"), prefix, 0), ports), image };
        stack = await deployStack(config, (line) => console.log(`[deploy ${prefix}] ${line}`));
        console.log(`[deploy ${prefix}] deployed and checked in ${stack.deployMs} ms`);
    }, 120_000);

    afterAll(async () => {
        try {
            await stack?.destroy();
            await expectNothingLeft(prefix);
        } finally {
            const swept = await removeLeftovers(prefix);
            if (swept.length > 0) console.log(`[serverImages] removed leftovers: ${swept.join(", ")}`);
            console.log(`[serverImages] ${prefix}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
        }
    }, 120_000);

    it("ran the post-deploy check, which proved every link", () => {
        expect(stack.outputs.checkElapsedMs).toBeGreaterThan(0);
        const check = stack.emulator.created.find((r) => r.type === REPLICATION_CHECK_TYPE);
        expect(check?.state.nodesChecked).toBe(3);
        // The provider ran in its own process and returned no credentials to store.
        expect(check?.state).not.toHaveProperty("credentials");
    });

    it(`runs ${binary} as uid ${SERVER_UID} in every node`, async () => {
        for (const node of ["redis-a", "redis-b", "redis-c"]) {
            expect(await serverProcess(`${prefix}${node}`)).toEqual({ name: binary, uid: SERVER_UID });
        }
    });

    it("keeps only CHOWN, SETUID and SETGID, none effective in the server, no new privileges, umask 0077; /data is the server's", async () => {
        for (const node of ["redis-a", "redis-b", "redis-c"]) {
            const status = await docker(["exec", `${prefix}${node}`, "cat", "/proc/1/status"]);
            const field = (name: string) => status.match(new RegExp(`^${name}:\\s*(\\S+)`, "m"))?.[1];
            // Bits 0, 6 and 7: CAP_CHOWN, CAP_SETGID, CAP_SETUID.
            // The official entrypoints' umask for the server: files it writes are its own alone.
            expect({ bounding: field("CapBnd"), effective: field("CapEff"), noNewPrivs: field("NoNewPrivs"), umask: field("Umask") }).toEqual({
                bounding: "00000000000000c1",
                effective: "0000000000000000",
                noNewPrivs: "1",
                umask: "0077",
            });
            const owners = await docker(["exec", `${prefix}${node}`, "sh", "-c", "find /data -exec stat -c %u {} + | sort -u"]);
            expect(owners.trim()).toBe(SERVER_UID);
        }
    });

    it("reports every container healthy: the healthcheck's cli logs in as the healthcheck user", async () => {
        for (const node of ["redis-a", "redis-b", "redis-c"]) {
            const health = () => docker(["inspect", "-f", "{{.State.Health.Status}}", `${prefix}${node}`]).then((s) => s.trim());
            await expect.poll(health, { timeout: 20_000, interval: 500 }).toBe("healthy");
        }
    }, 30_000);

    it("replicates a key set on A to B (plain) and C (TLS)", async () => {
        const [a, b, c] = [clientFor(stack.outputs, "redis-a", "plain"), clientFor(stack.outputs, "redis-b", "plain"), clientFor(stack.outputs, "redis-c", "tls")];
        try {
            await a.set("server-images", image);
            await expect.poll(() => b.get("server-images"), { timeout: 5000 }).toBe(image);
            await expect.poll(() => c.get("server-images"), { timeout: 5000 }).toBe(image);
        } finally {
            await a.del("server-images");
            [a, b, c].forEach((client) => client.disconnect());
        }
    });

    it("loses no acknowledged write when B restarts under a write load, and converges", async () => {
        const load = await startWriteLoad(targetFor(stack.outputs, "redis-a", "plain"), { keyPrefix: "load:restart-b:", ratePerSecond: 500 });
        let result: WriteLoadResult;
        try {
            await load.waitForAcknowledged(300, 10_000);
            await docker(["restart", `${prefix}redis-b`]);
            await load.waitForAcknowledged(load.acknowledgedCount + 300, 10_000);
        } finally {
            result = await load.stop();
        }
        await waitConverged(stack.outputs, 30_000);
        expect(result.acknowledged.size).toBeGreaterThan(600);
        for (const [node, transport] of [["redis-a", "plain"], ["redis-b", "plain"], ["redis-c", "tls"]] as const) {
            const read = await readBack(stack.outputs, node, transport, result.acknowledged);
            expect({ node, missing: read.missing.length, wrong: read.wrong.length }).toEqual({ node, missing: 0, wrong: 0 });
        }
    }, 60_000);
});
