import { describe, expect, it } from "vitest";
import { parseTopology } from "../../lib/parseTopology";
import { rolloutSteps } from "../../lib/rolloutOrder";
import { seedNodes } from "../support/seed";

describe("rolloutSteps", () => {
    it("the seed chain A -> B -> C: a gate per replica, C's bound covering one node and B's two", () => {
        expect(rolloutSteps(parseTopology(seedNodes()), "rolling")).toEqual([
            { replica: "redis-b", upstream: "redis-a", waitsForNodes: 2 },
            { replica: "redis-c", upstream: "redis-b", waitsForNodes: 1 },
        ]);
    });

    it("a fan-out: siblings are replaced side by side, so each bound counts only its own subtree", () => {
        const topology = parseTopology([
            { name: "m", plain: { hostPort: 7000 } },
            { name: "r1", replicaOf: "m", link: "plain", plain: { hostPort: 7001 } },
            { name: "r2", replicaOf: "m", link: "plain", plain: { hostPort: 7002 } },
            { name: "r11", replicaOf: "r1", link: "plain", plain: { hostPort: 7003 } },
        ]);
        expect(rolloutSteps(topology, "rolling")).toEqual([
            { replica: "r1", upstream: "m", waitsForNodes: 2 },
            { replica: "r11", upstream: "r1", waitsForNodes: 1 },
            { replica: "r2", upstream: "m", waitsForNodes: 1 },
        ]);
    });

    it("parallel: no gates", () => {
        expect(rolloutSteps(parseTopology(seedNodes()), "parallel")).toEqual([]);
    });
});
