import { describe, expect, it } from "vitest";
import {
    FIXED_OVERHEAD_MB,
    NodeMemoryArgs,
    containerMemoryLimitMb,
    maxmemoryLines,
    replicaOutputBufferHardLimitMb,
} from "../../lib/memoryLimits";

describe("replicaOutputBufferHardLimitMb", () => {
    it.each([
        [1, 256],
        [64, 256],
        [256, 256],
        [512, 512],
    ])("backlog %i MB -> %i MB", (backlog, limit) => {
        expect(replicaOutputBufferHardLimitMb(backlog)).toBe(limit);
    });
});

describe("maxmemoryLines", () => {
    it("noeviction unless configured", () => {
        expect(maxmemoryLines({ maxmemoryMb: 512, backlogSizeMb: 64, replicaCount: 1 })).toEqual([
            "maxmemory 512mb",
            "maxmemory-policy noeviction",
        ]);
    });

    it("a configured policy", () => {
        expect(maxmemoryLines({ maxmemoryMb: 100, policy: "allkeys-lru", backlogSizeMb: 64, replicaCount: 0 })[1]).toBe(
            "maxmemory-policy allkeys-lru",
        );
    });
});

describe("containerMemoryLimitMb", () => {
    it.each<[string, NodeMemoryArgs, number]>([
        // 2 x 512 + 64 + 0 + 64
        ["a leaf replica", { maxmemoryMb: 512, backlogSizeMb: 64, replicaCount: 0 }, 1152],
        // 2 x 512 + 64 + 256 + 64
        ["a chain link with one replica", { maxmemoryMb: 512, backlogSizeMb: 64, replicaCount: 1 }, 1408],
        // 2 x 512 + 64 + 3 x 256 + 64
        ["a fan-out master with three replicas", { maxmemoryMb: 512, backlogSizeMb: 64, replicaCount: 3 }, 1920],
        // 2 x 1024 + 512 + 2 x 512 + 64: the buffer follows a backlog above 256 MB
        ["a large backlog", { maxmemoryMb: 1024, backlogSizeMb: 512, replicaCount: 2 }, 3648],
    ])("%s", (_what, args, limit) => {
        expect(containerMemoryLimitMb(args)).toBe(limit);
    });

    it("always leaves more than twice maxmemory", () => {
        for (const maxmemoryMb of [1, 100, 4096]) {
            for (const replicaCount of [0, 1, 5]) {
                const limit = containerMemoryLimitMb({ maxmemoryMb, backlogSizeMb: 64, replicaCount });
                expect(limit).toBeGreaterThanOrEqual(2 * maxmemoryMb + 64 + FIXED_OVERHEAD_MB);
            }
        }
    });

    it.each<[string, NodeMemoryArgs, RegExp]>([
        ["maxmemory 0 (no limit)", { maxmemoryMb: 0, backlogSizeMb: 64, replicaCount: 0 }, /maxmemoryMb must be a whole number >= 1/],
        ["a fractional maxmemory", { maxmemoryMb: 1.5, backlogSizeMb: 64, replicaCount: 0 }, /maxmemoryMb/],
        ["a negative replica count", { maxmemoryMb: 1, backlogSizeMb: 64, replicaCount: -1 }, /replicaCount/],
        ["no backlog", { maxmemoryMb: 1, backlogSizeMb: 0, replicaCount: 0 }, /backlogSizeMb/],
    ])("refuses %s", (_what, args, message) => {
        expect(() => containerMemoryLimitMb(args)).toThrow(message);
        expect(() => maxmemoryLines(args)).toThrow(message);
    });
});
