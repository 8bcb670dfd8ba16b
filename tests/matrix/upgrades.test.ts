// Image changes on a running seed stack beyond the one `npm test` runs (tests/e2e/upgrade.test.ts:
// Redis 7.0 -> 8.0, rolling), each under a write load on A with the same probes:
// - Redis 7.0.15 -> 8.0.2 with `rollout: parallel` (every container replaced at once), for the
//   comparison; whether a replica was seen older than its upstream is recorded, not asserted;
// - then, on that stack, the changes the data format forbids, refused by the release guard's check
//   before anything is touched: 8.0 -> 7.0, and 8.0 -> Valkey 8.1 (Valkey 8.1 reads RDB up to 11,
//   Redis 8.0 wrote 12);
// - Redis 7.0.15 -> Valkey 8.1.1 (the image name tells the kind), rolling.
import { describe, expect, it } from "vitest";
import { DeployFailure, deployStack, readStackConfig } from "../../testkit/harness/deployStack";
import { docker } from "../../testkit/harness/run";
import { testStack, withHostPorts } from "../../testkit/stacks";
import { LOCAL_IMAGES } from "../../testkit/testBed";
import { startSampler } from "../e2e/upgradeProbes";
import { SEED_NODES, lostKeys, upgradeScenario } from "../e2e/upgradeScenario";

/** Host ports `base+1..base+4` (inside 48400-48499, which only the upgrade tests use). */
const portsFrom = (base: number) => ({ "redis-a": { plain: base + 1 }, "redis-b": { plain: base + 2, tls: base + 3 }, "redis-c": { tls: base + 4 } });

/** Container ids as Docker reports them, per container name. */
async function containerIds(prefix: string): Promise<Record<string, string>> {
    const ids: Record<string, string> = {};
    for (const [node] of SEED_NODES) ids[node] = (await docker(["inspect", "-f", "{{.Id}}", `${prefix}${node}`])).trim();
    return ids;
}

describe("parallel upgrade Redis 7.0.15 -> 8.0.2, then the refused downgrades", () => {
    const PREFIX = "e2e-upg-par-";
    const base = { ...withHostPorts(testStack(readStackConfig("dev"), PREFIX, 0), portsFrom(48410)), rollout: "parallel" };
    const run = upgradeScenario({
        prefix: PREFIX,
        base,
        fromImage: LOCAL_IMAGES.redis7,
        toImage: LOCAL_IMAGES.redis8,
        label: { from: "redis 7.0.15", to: "redis 8.0.2" },
        logTag: "upgrade parallel",
    });

    it("replaced all three containers and kept the volumes", () => {
        expect([...run.figures.replacementOrder].sort()).toEqual(["redis-a", "redis-b", "redis-c"]);
        expect(run.upgraded.steps.filter((s) => s.name.endsWith("-data")).map((s) => s.op)).toEqual(["same", "same", "same"]);
    });

    it("lost no acknowledged write, and every key written before is on every node", async () => {
        expect(run.load.acknowledgedCount).toBeGreaterThan(300);
        expect(await lostKeys(run.upgraded, { load: run.load.acknowledged, before: run.before })).toEqual([]);
    });

    it("records whether a replica was seen older than its upstream (parallel gives no such promise)", () => {
        console.log(`[upgrade parallel] older-replica sightings: ${run.figures.olderReplicaSightings.length} ${JSON.stringify(run.figures.olderReplicaSightings.slice(0, 5))}`);
        expect(run.figures.samples).toBeGreaterThan(10);
    });

    it.each([
        ["Redis 7.0.15", LOCAL_IMAGES.redis7, "Redis 7.0.15 loads RDB versions up to 10"],
        ["Valkey 8.1.1", LOCAL_IMAGES.valkey8, "Valkey 8.1.1 loads RDB versions up to 11"],
    ])("refuses 8.0.2 -> %s before anything is touched: no step but same, same containers, still 8.0.2", async (_, image, reason) => {
        const idsBefore = await containerIds(PREFIX);
        const sampler = startSampler(run.upgraded.outputs);
        const failure = await deployStack({ ...base, image }, run.log, run.upgraded, undefined, { keepStateOnFailure: true }).then(
            () => undefined,
            (error: unknown) => error,
        );
        const rounds = await sampler.stop();
        expect(failure).toBeInstanceOf(DeployFailure);
        const { message, steps } = failure as DeployFailure;
        expect(message).toContain("ServerReleaseGuard resource 'redis-chain-server-releases' has a problem: image: node redis-a would change from Redis 8.0.2");
        expect(message).toContain(reason);
        expect(steps.filter((s) => s.op !== "same")).toEqual([]);
        expect(await containerIds(PREFIX)).toEqual(idsBefore);
        // Every node answered every round, as 8.0.2 from the same process.
        expect(rounds.length).toBeGreaterThan(0);
        for (const round of rounds) {
            expect([...round.nodes.values()].map((s) => `${s.node} ${s.release.major}.${s.release.minor}.${s.release.patch}`)).toEqual(
                SEED_NODES.map(([node]) => `${node} 8.0.2`),
            );
        }
    }, 60_000);
});

describe("rolling upgrade Redis 7.0.15 -> Valkey 8.1.1", () => {
    const PREFIX = "e2e-upg-vk-";
    const run = upgradeScenario({
        prefix: PREFIX,
        base: withHostPorts(testStack(readStackConfig("dev"), PREFIX, 0), portsFrom(48420)),
        fromImage: LOCAL_IMAGES.redis7,
        toImage: LOCAL_IMAGES.valkey8,
        label: { from: "redis 7.0.15", to: "valkey 8.1.1" },
        logTag: "upgrade valkey",
    });

    it("replaced C, then B, then A, and no replica was ever seen older than its upstream", () => {
        expect(run.figures.replacementOrder).toEqual(["redis-c", "redis-b", "redis-a"]);
        expect(run.figures.samples).toBeGreaterThan(20);
        expect(run.figures.olderReplicaSightings).toEqual([]);
    });

    it("lost no acknowledged write, and every key written before is on every node", async () => {
        expect(run.load.acknowledgedCount).toBeGreaterThan(300);
        expect(await lostKeys(run.upgraded, { load: run.load.acknowledged, before: run.before })).toEqual([]);
    });

    it("every node runs valkey-server now", async () => {
        for (const [node] of SEED_NODES) {
            expect((await docker(["exec", `${PREFIX}${node}`, "cat", "/proc/1/comm"])).trim()).toBe("valkey-server");
        }
    });
});
