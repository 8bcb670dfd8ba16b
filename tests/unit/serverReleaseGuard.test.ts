import { describe, expect, it } from "vitest";
import { parseTopology } from "../../lib/parseTopology";
import { guardedReleases, releaseRefusals } from "../../lib/serverReleaseGuard";
import { seedNodes } from "../support/seed";

const guarded = (image: string, nodes = seedNodes()) => ({ nodes: guardedReleases(parseTopology(nodes, { image })) });

describe("guardedReleases", () => {
    it("names the field each release comes from: the stack's image, or the node's own", () => {
        const nodes = seedNodes();
        nodes[2] = { ...nodes[2], image: "redis:8.0.2" };
        expect(guarded("redis:7.0.15", nodes).nodes.map((n) => [n.node, n.field, n.image])).toEqual([
            ["redis-a", "image", "redis:7.0.15"],
            ["redis-b", "image", "redis:7.0.15"],
            ["redis-c", "nodes[2].image", "redis:8.0.2"],
        ]);
    });
});

describe("releaseRefusals: a server change the data format forbids", () => {
    it("a first deploy compares with nothing", () => {
        expect(releaseRefusals({}, guarded("redis:7.0.15"))).toEqual([]);
        expect(releaseRefusals(undefined, guarded("redis:7.0.15"))).toEqual([]);
    });

    it.each([
        ["Redis 7.0 -> 8.0", "redis:7.0.15", "redis:8.0.2"],
        ["Redis 7.0 -> Valkey 8.1", "redis:7.0.15", "valkey/valkey:8.1.1"],
        ["Redis 8.0.2 -> 8.0.3", "redis:8.0.2", "redis:8.0.3"],
        ["Valkey 8.1 -> Redis 8.0", "valkey/valkey:8.1.1", "redis:8.0.2"],
    ])("%s is allowed", (_, from, to) => {
        expect(releaseRefusals(guarded(from), guarded(to))).toEqual([]);
    });

    it("Redis 8.0 -> 7.0 is refused on every node, naming node, field, reason and fix", () => {
        const refusals = releaseRefusals(guarded("redis:8.0.2"), guarded("redis:7.0.15"));
        expect(refusals).toHaveLength(3);
        expect(refusals[0]).toEqual({
            property: "",
            reason:
                "image: node redis-a would change from Redis 8.0.2 (redis:8.0.2) to Redis 7.0.15 (redis:7.0.15) on its existing volume: " +
                "cannot change the server from Redis 8.0.2 to Redis 7.0.15 on the same volume: Redis 8.0.2 wrote RDB version 12 and " +
                "Redis 7.0.15 loads RDB versions up to 10, so it would refuse to start; keep Redis 8.0.2 (or a release that reads RDB 12), " +
                "or replace the node with an empty volume and let it resync. no node was touched; set image back to redis:8.0.2 " +
                "(or another release that reads what it wrote)",
        });
    });

    it("Redis 8.0 -> Valkey 8.1 is refused: Valkey 8.1 reads RDB up to 11, Redis 8.0 wrote 12", () => {
        const refusals = releaseRefusals(guarded("redis:8.0.2"), guarded("valkey/valkey:8.1.1"));
        expect(refusals.map((r) => r.reason.split(":")[0])).toEqual(["image", "image", "image"]);
        expect(refusals[0].reason).toContain("Redis 8.0.2 wrote RDB version 12 and Valkey 8.1.1 loads RDB versions up to 11");
    });

    it("a leaf staged to 8.0 on its own and then set back to 7.0 is refused under its own field", () => {
        const staged = seedNodes();
        staged[2] = { ...staged[2], image: "redis:8.0.2" };
        const back = seedNodes();
        back[2] = { ...back[2], image: "redis:7.0.15" };
        const refusals = releaseRefusals(guarded("redis:7.0.15", staged), guarded("redis:7.0.15", back));
        expect(refusals.map((r) => r.reason.slice(0, 40))).toEqual(["nodes[2].image: node redis-c would chang"]);
    });
});
