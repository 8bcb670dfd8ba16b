// Changes to a running seed stack, applied the way the engine would apply them (state between
// runs, the providers' update/replace rules): each change touches only the nodes concerned, and
// every other node keeps its container, its uptime, its replication offsets and its data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeployedStack, StackConfig, deployStack, readStackConfig } from "../../testkit/harness/deployStack";
import { Step } from "../../testkit/harness/providerEmulator";
import { docker } from "../../testkit/harness/run";
import { removeLeftovers } from "../../testkit/dockerObjects";
import { SyncCounters, readSyncCounters, syncDelta } from "../../testkit/syncCounters";
import { clientFor } from "../../testkit/redisClient";
import { testStack } from "../../testkit/stacks";
import { expectNothingLeft, infoReplication, redisCli } from "./support";

const PREFIX = "e2e-change-";
const OFFSET = 25000;
const base = testStack(readStackConfig("dev"), PREFIX, OFFSET);
const log = (line: string) => console.log(`[deploy] ${line}`);
let stack: DeployedStack;

/** Non-"same" steps as "op type-suffix name", sorted, so a plan reads as one list. */
function plan(steps: readonly Step[]): string[] {
    return steps
        .filter((s) => s.op !== "same")
        .map((s) => `${s.op} ${s.type.split(":").pop()} ${s.name}`)
        .sort();
}

/** What proves a node untouched: the same container, started at the same instant. */
async function containerIdentity(node: string): Promise<{ id: string; startedAt: string }> {
    const [c] = JSON.parse(await docker(["inspect", `${PREFIX}${node}`]));
    return { id: c.Id, startedAt: c.State.StartedAt };
}

/** Syncs a node has served, read with redis-cli inside its container. */
function syncCounters(node: string, cliArgs: string[]): Promise<SyncCounters> {
    return readSyncCounters((sections) => redisCli(stack.outputs, `${PREFIX}${node}`, [...cliArgs, "info", ...sections]));
}

const PLAIN = ["-p", "6379"];
const TLS = ["--tls", "--cacert", "/data/tls/ca.crt", "-p", "6380"];

async function snapshot(nodes: string[]) {
    const result: Record<string, unknown> = {};
    for (const node of nodes) result[node] = await containerIdentity(node);
    result.syncsServedByA = await syncCounters("redis-a", PLAIN);
    result.syncsServedByB = await syncCounters("redis-b", PLAIN);
    return result;
}

async function redeploy(config: StackConfig): Promise<DeployedStack> {
    stack = await deployStack(config, log, stack);
    return stack;
}

beforeAll(async () => {
    await removeLeftovers(PREFIX);
    stack = await deployStack(base, log);
    const a = clientFor(stack.outputs, "redis-a", "plain");
    await a.set("survivor", "kept through every change");
    a.disconnect();
}, 180_000);

afterAll(async () => {
    await stack?.destroy();
    await expectNothingLeft(PREFIX);
}, 120_000);

async function expectSurvivorEverywhere(nodes: string[]): Promise<void> {
    for (const node of nodes) {
        const transport = stack.outputs.nodes[node].plain ? "plain" : "tls";
        const client = clientFor(stack.outputs, node, transport);
        try {
            await expect.poll(() => client.get("survivor"), { timeout: 10_000 }).toBe("kept through every change");
        } finally {
            client.disconnect();
        }
    }
}

describe("topology changes on a running seed stack", () => {
    it("does nothing on a second run with the same config", async () => {
        const before = await snapshot(["redis-a", "redis-b", "redis-c"]);
        await redeploy(base);
        expect(plan(stack.steps)).toEqual([]);
        expect(stack.steps.length).toBeGreaterThan(15);
        expect(await snapshot(["redis-a", "redis-b", "redis-c"])).toEqual(before);
        await expectSurvivorEverywhere(["redis-a", "redis-b", "redis-c"]);
    }, 120_000);

    it("adds redis-d under C, touching only D, C's memory limit (in place) and the check", async () => {
        const before = await snapshot(["redis-a", "redis-b", "redis-c"]);
        const nodes = [...(base.nodes as any[]), { name: "redis-d", replicaOf: "redis-c", link: "tls", tls: { hostPort: 26381 + OFFSET } }];
        await redeploy({ ...base, nodes });
        expect(plan(stack.steps)).toEqual([
            "create CertRequest redis-chain-redis-d-cert-csr",
            "create Container redis-chain-redis-d-container",
            "create LocallySignedCert redis-chain-redis-d-cert-cert",
            "create PrivateKey redis-chain-redis-d-cert-key",
            "create RolloutGate redis-chain-redis-d-rollout",
            "create Volume redis-chain-redis-d-data",
            // C now buffers for a replica: its memory limit grows by one output buffer, in place.
            "update Container redis-chain-redis-c-container",
            "update ReplicationCheck redis-chain-check",
            // B's gate bound grows with the chain below it, C's gate holds C's connection info (now
            // with a replica), the guard every node's server: state only, none waits (no release changed).
            "update RolloutGate redis-chain-redis-b-rollout",
            "update RolloutGate redis-chain-redis-c-rollout",
            "update ServerReleaseGuard redis-chain-server-releases",
        ]);
        // A and B served no sync at all: C's new replica synced from C alone.
        expect(await snapshot(["redis-a", "redis-b", "redis-c"])).toEqual(before);
        const d = await infoReplication(stack.outputs, `${PREFIX}redis-d`, TLS);
        expect(d).toMatchObject({ master_host: "redis-c", master_port: "6380", master_link_status: "up" });
        await expectSurvivorEverywhere(["redis-a", "redis-b", "redis-c", "redis-d"]);
    }, 120_000);

    it("removes redis-d again, deleting only what D owned", async () => {
        const before = await snapshot(["redis-a", "redis-b", "redis-c"]);
        await redeploy(base);
        expect(plan(stack.steps)).toEqual([
            "delete CertRequest redis-chain-redis-d-cert-csr",
            "delete Container redis-chain-redis-d-container",
            "delete LocallySignedCert redis-chain-redis-d-cert-cert",
            "delete PrivateKey redis-chain-redis-d-cert-key",
            "delete RolloutGate redis-chain-redis-d-rollout",
            "delete Volume redis-chain-redis-d-data",
            "update Container redis-chain-redis-c-container",
            "update ReplicationCheck redis-chain-check",
            "update RolloutGate redis-chain-redis-b-rollout",
            "update RolloutGate redis-chain-redis-c-rollout",
            "update ServerReleaseGuard redis-chain-server-releases",
        ]);
        expect(await snapshot(["redis-a", "redis-b", "redis-c"])).toEqual(before);
        expect(await docker(["ps", "-a", "--filter", `name=${PREFIX}redis-d`, "--format", "{{.Names}}"])).toBe("");
        await expectSurvivorEverywhere(["redis-a", "redis-b", "redis-c"]);
    }, 120_000);

    it("switches B -> C to a plain link by replacing C's container only", async () => {
        const before = await snapshot(["redis-a", "redis-b"]);
        const nodes = (base.nodes as any[]).map((n) => (n.name === "redis-c" ? { ...n, link: "plain" } : n));
        await redeploy({ ...base, nodes });
        expect(plan(stack.steps)).toEqual([
            "replace Container redis-chain-redis-c-container",
            "update ReplicationCheck redis-chain-check",
            // C's gate holds its link; the release did not change, so it does not wait.
            "update RolloutGate redis-chain-redis-c-rollout",
        ]);
        const after = await snapshot(["redis-a", "redis-b"]);
        expect({ a: after["redis-a"], b: after["redis-b"], syncsServedByA: after.syncsServedByA }).toEqual({
            a: before["redis-a"],
            b: before["redis-b"],
            syncsServedByA: before.syncsServedByA,
        });
        const c = await infoReplication(stack.outputs, `${PREFIX}redis-c`, TLS);
        expect(c).toMatchObject({ master_host: "redis-b", master_port: "6379", master_link_status: "up" });
        // C came back from the RDB it saved on its graceful stop (destroyGraceSeconds), so it asks
        // B for a partial resync; record which one B served.
        const served = syncDelta(before.syncsServedByB as SyncCounters, after.syncsServedByB as SyncCounters);
        console.log(`[resync] C after replacement: ${served.kind} (full +${served.full}, partial +${served.partialOk})`);
        expect(served.full + served.partialOk).toBe(1);
        await expectSurvivorEverywhere(["redis-a", "redis-b", "redis-c"]);
    }, 120_000);
});
