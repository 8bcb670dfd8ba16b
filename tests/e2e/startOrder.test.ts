// The reference stack deployed with its containers started in the worst order (C, then B, then A:
// each replica before its upstream). Every replica must hold its server back until its upstream
// serves replicas, so each link comes up at its first attempt: no refused attempt, no retry tick.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseInfo } from "../../lib/check/replicationStatus";
import { DeployedStack, deployStack, readStackConfig } from "../../testkit/harness/deployStack";
import { docker } from "../../testkit/harness/run";
import { removeLeftovers } from "../../testkit/dockerObjects";
import { clientFor } from "../../testkit/redisClient";
import { refusedAttemptProblem, replicaAttempts } from "../../testkit/replicationAttempts";
import { strictStartOrder } from "../../testkit/startOrder";
import { testStack, withHostPorts } from "../../testkit/stacks";
import { expectNothingLeft } from "./support";

// Host ports 48800-48899 belong to this file (and the start-order bench, never run alongside).
const PREFIX = "e2e-order-";
const WORST_ORDER = ["redis-c", "redis-b", "redis-a"];
let stack: DeployedStack;

const startedAt = async (node: string) =>
    Date.parse((await docker(["inspect", "--format", "{{.State.StartedAt}}", `${PREFIX}${node}`])).trim());

beforeAll(async () => {
    await removeLeftovers(PREFIX);
    const config = withHostPorts(testStack(readStackConfig("dev"), PREFIX, 0), {
        "redis-a": { plain: 48800 },
        "redis-b": { plain: 48801, tls: 48802 },
        "redis-c": { tls: 48803 },
    });
    stack = await deployStack(
        config,
        (line) => console.log(`[deploy] ${line}`),
        undefined,
        undefined,
        { containerStartHook: strictStartOrder(WORST_ORDER.map((n) => `${PREFIX}${n}`)) },
    );
}, 120_000);

afterAll(async () => {
    await stack?.destroy();
    await expectNothingLeft(PREFIX);
}, 120_000);

describe("reference stack started C, then B, then A", () => {
    it("started the containers in that order", async () => {
        const [c, b, a] = await Promise.all(WORST_ORDER.map(startedAt));
        expect(c).toBeLessThan(b);
        expect(b).toBeLessThan(a);
    });

    it("passed the post-deploy check: every link up as declared, a fresh key read on every node", () => {
        expect(stack.outputs.checkElapsedMs).toBeGreaterThan(0);
    });

    it("held each replica's server back until its upstream was ready, and said so in the container log", async () => {
        for (const [node, upstream] of [["redis-b", "redis-a"], ["redis-c", "redis-b"]]) {
            const log = await docker(["logs", `${PREFIX}${node}`]);
            // Its upstream started after it: at least one probe failed before it was ready.
            expect(log).toMatch(new RegExp(`redis-chain-start: ${upstream} ready after [1-9]\\d* failed probes; starting the server`));
            expect(log.indexOf("starting the server")).toBeLessThan(log.indexOf("Server initialized"));
        }
    });

    it("linked every replica at its first attempt, with no refusal in its log", async () => {
        const attempts = await Promise.all(["redis-b", "redis-c"].map((n) => replicaAttempts(`${PREFIX}${n}`)));
        expect(attempts.map((a) => a.attempts)).toEqual([1, 1]);
        expect(attempts.map(refusedAttemptProblem)).toEqual([undefined, undefined]);
    });

    it("made each upstream serve exactly one full sync and refuse no partial resync", async () => {
        for (const [node, transport] of [["redis-a", "plain"], ["redis-b", "plain"]] as const) {
            const client = clientFor(stack.outputs, node, transport, "probe", {}, "check");
            try {
                const stats = parseInfo((await client.call("INFO", "stats")) as string);
                expect({ node, full: stats.sync_full, partialErr: stats.sync_partial_err }).toEqual({ node, full: "1", partialErr: "0" });
            } finally {
                client.disconnect();
            }
        }
    });
});
