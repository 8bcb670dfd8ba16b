import { describe, expect, it } from "vitest";
import { FailoverGroup, announcedNameOf, hostAddressOf } from "../../testkit/failover/failoverOutputs";
import { agreedAddress } from "../../testkit/failover/sentinelView";
import { syncDelta } from "../../testkit/syncCounters";

const group: FailoverGroup = {
    declaredMaster: "redis-a",
    quorum: 2,
    sentinels: [],
    natMap: { "redis-a:6379": { host: "127.0.0.1", port: 6379 }, "redis-b:6379": { host: "127.0.0.1", port: 16379 } },
};

describe("natMap lookups", () => {
    it("maps an announced node to its host address and back", () => {
        expect(hostAddressOf(group, { host: "redis-b", port: 6379 })).toEqual({ host: "127.0.0.1", port: 16379 });
        expect(announcedNameOf(group, { host: "127.0.0.1", port: 16379 })).toBe("redis-b:6379");
    });
    it("refuses a node the natMap lacks", () => {
        expect(() => hostAddressOf(group, { host: "redis-c", port: 6379 })).toThrow(/no natMap entry for redis-c:6379/);
        expect(announcedNameOf(group, { host: "127.0.0.1", port: 1 })).toBeUndefined();
    });
});

describe("agreedAddress", () => {
    const b = { host: "redis-b", port: 6379 };
    it.each([
        { name: "all agree", answers: [{ sentinel: "s1", value: b }, { sentinel: "s2", value: { ...b } }], expected: b },
        { name: "one differs", answers: [{ sentinel: "s1", value: b }, { sentinel: "s2", value: { host: "redis-a", port: 6379 } }], expected: undefined },
        { name: "one failed", answers: [{ sentinel: "s1", value: b }, { sentinel: "s2", error: "ECONNREFUSED" }], expected: undefined },
        { name: "none", answers: [], expected: undefined },
    ])("$name", ({ answers, expected }) => {
        expect(agreedAddress(answers)).toEqual(expected);
    });
});

describe("the resync a rejoining node got, from its master's counters (syncDelta)", () => {
    const base = { runId: "r1", full: 1, partialOk: 2, partialErr: 0 };
    it.each([
        { after: { runId: "r1", full: 2, partialOk: 2, partialErr: 1 }, expected: "full" },
        { after: { runId: "r1", full: 1, partialOk: 3, partialErr: 0 }, expected: "partial" },
        { after: base, expected: "none" },
    ])("$expected", ({ after, expected }) => {
        expect(syncDelta(base, after).kind).toBe(expected);
    });
});
