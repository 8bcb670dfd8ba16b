// An image change on a running seed stack (A -> B -> C), Redis 7.0.15 -> 8.0.2, rolled out by the
// default `rolling` mode under a steady write load on A: no acknowledged write lost, the keys written
// before the change on every node (volumes kept), no replica ever seen running an older server than
// its upstream, the containers replaced leaves first. The figures go to the log (README table).
// tests/matrix/upgrades.test.ts compares `parallel` and the other changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeployedStack, deployStack, readStackConfig } from "../../testkit/harness/deployStack";
import { removeLeftovers } from "../../testkit/dockerObjects";
import { testStack, withHostPorts } from "../../testkit/stacks";
import { LOCAL_IMAGES } from "../../testkit/testBed";
import { WriteLoadResult } from "../../testkit/writeLoad/writeLoad";
import { readBack } from "./chainProbes";
import { expectNothingLeft } from "./support";
import { UpgradeFigures, upgradeUnderLoad } from "./upgradeProbes";
import { seedKeys } from "./upgradeSeed";

const PREFIX = "e2e-upg-";
// Host ports 48401-48404: this file's block of the upgrade tests' 48400-48499.
const PORTS = { "redis-a": { plain: 48401 }, "redis-b": { plain: 48402, tls: 48403 }, "redis-c": { tls: 48404 } };
const NODES = [["redis-a", "plain"], ["redis-b", "plain"], ["redis-c", "tls"]] as const;

describe("rolling upgrade of the seed stack, Redis 7.0.15 -> 8.0.2, under a write load", () => {
    const base = withHostPorts(testStack(readStackConfig("dev"), PREFIX, 0), PORTS);
    const log = (line: string) => console.log(`[upgrade] ${line}`);
    let first: DeployedStack | undefined;
    let upgraded: DeployedStack;
    let figures: UpgradeFigures;
    let load: WriteLoadResult;
    let before: Map<string, string>;

    beforeAll(async () => {
        await removeLeftovers(PREFIX);
        first = await deployStack({ ...base, image: LOCAL_IMAGES.redis7 }, log);
        before = await seedKeys(first.outputs, "before-upgrade:", 200);
        ({ stack: upgraded, figures, load } = await upgradeUnderLoad(first, { ...base, image: LOCAL_IMAGES.redis8 }, { from: "redis 7.0.15", to: "redis 8.0.2" }, log));
        console.log(`[upgrade] figures ${JSON.stringify(figures)}`);
    }, 180_000);

    afterAll(async () => {
        await first?.destroy();
        await expectNothingLeft(PREFIX);
    }, 120_000);

    it("replaced every container, C first and A last, and kept every volume", () => {
        expect(figures.replacementOrder).toEqual(["redis-c", "redis-b", "redis-a"]);
        const ops = upgraded.steps.filter((s) => s.type.startsWith("docker:index/")).map((s) => `${s.op} ${s.name}`);
        expect(ops.filter((o) => o.endsWith("-data")).sort()).toEqual(["same redis-chain-redis-a-data", "same redis-chain-redis-b-data", "same redis-chain-redis-c-data"]);
    });

    it("never showed a replica running an older server than its upstream", () => {
        expect(figures.samples).toBeGreaterThan(20);
        expect(figures.olderReplicaSightings).toEqual([]);
    });

    it("lost no acknowledged write, and every key written before the change is on every node", async () => {
        expect(load.acknowledgedCount).toBeGreaterThan(300);
        for (const [node, transport] of NODES) {
            for (const [what, expected] of [["load", load.acknowledged], ["before", before]] as const) {
                const read = await readBack(upgraded.outputs, node, transport, expected);
                expect({ node, what, missing: read.missing.length, wrong: read.wrong.length }).toEqual({ node, what, missing: 0, wrong: 0 });
            }
        }
    });

    it("every node runs Redis 8.0.2 and the post-deploy check passed again", () => {
        expect(upgraded.outputs.checkElapsedMs).toBeGreaterThan(0);
        const gates = upgraded.emulator.created.filter((r) => r.type.endsWith(":RolloutGate"));
        expect(gates.map((g) => [g.name, (g.state.release as { version: string }).version]).sort()).toEqual([
            ["redis-chain-redis-b-rollout", "8.0.2"],
            ["redis-chain-redis-c-rollout", "8.0.2"],
        ]);
        for (const gate of gates) expect(gate.state.waitedMs).toBeGreaterThan(0);
    });
});
