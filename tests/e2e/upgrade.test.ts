// An image change on a running seed stack (A -> B -> C), Redis 7.0.15 -> 8.0.2, rolled out by the
// default `rolling` mode under a steady write load on A: no acknowledged write lost, the keys written
// before the change on every node (volumes kept), no replica ever seen running an older server than
// its upstream, the containers replaced leaves first. The figures go to the log (README table).
// tests/matrix/upgrades.test.ts compares `parallel` and the other changes.
import { describe, expect, it } from "vitest";
import { readStackConfig } from "../../testkit/harness/deployStack";
import { testStack, withHostPorts } from "../../testkit/stacks";
import { LOCAL_IMAGES } from "../../testkit/testBed";
import { lostKeys, upgradeScenario } from "./upgradeScenario";

const PREFIX = "e2e-upg-";
// Host ports 48401-48404: this file's block of the upgrade tests' 48400-48499.
const PORTS = { "redis-a": { plain: 48401 }, "redis-b": { plain: 48402, tls: 48403 }, "redis-c": { tls: 48404 } };

describe("rolling upgrade of the seed stack, Redis 7.0.15 -> 8.0.2, under a write load", () => {
    const run = upgradeScenario({
        prefix: PREFIX,
        base: withHostPorts(testStack(readStackConfig("dev"), PREFIX, 0), PORTS),
        fromImage: LOCAL_IMAGES.redis7,
        toImage: LOCAL_IMAGES.redis8,
        label: { from: "redis 7.0.15", to: "redis 8.0.2" },
        logTag: "upgrade",
    });

    it("replaced every container, C first and A last, and kept every volume", () => {
        expect(run.figures.replacementOrder).toEqual(["redis-c", "redis-b", "redis-a"]);
        const ops = run.upgraded.steps.filter((s) => s.type.startsWith("docker:index/")).map((s) => `${s.op} ${s.name}`);
        expect(ops.filter((o) => o.endsWith("-data")).sort()).toEqual(["same redis-chain-redis-a-data", "same redis-chain-redis-b-data", "same redis-chain-redis-c-data"]);
    });

    it("never showed a replica running an older server than its upstream", () => {
        expect(run.figures.samples).toBeGreaterThan(20);
        expect(run.figures.olderReplicaSightings).toEqual([]);
    });

    it("lost no acknowledged write, and every key written before the change is on every node", async () => {
        expect(run.load.acknowledgedCount).toBeGreaterThan(300);
        expect(await lostKeys(run.upgraded, { load: run.load.acknowledged, before: run.before })).toEqual([]);
    });

    it("every node runs Redis 8.0.2 and the post-deploy check passed again", () => {
        expect(run.upgraded.outputs.checkElapsedMs).toBeGreaterThan(0);
        const gates = run.upgraded.emulator.created.filter((r) => r.type.endsWith(":RolloutGate"));
        expect(gates.map((g) => [g.name, (g.state.release as { version: string }).version]).sort()).toEqual([
            ["redis-chain-redis-b-rollout", "8.0.2"],
            ["redis-chain-redis-c-rollout", "8.0.2"],
        ]);
        for (const gate of gates) expect(gate.state.waitedMs).toBeGreaterThan(0);
    });
});
