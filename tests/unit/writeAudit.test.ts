import { describe, expect, it } from "vitest";
import { WriteRecord, acknowledgedByAfter, auditWrites, firstWriteAfter, percentile } from "../../testkit/failover/writeAudit";

const rec = (n: number, repliedAt: number, acknowledged: boolean, node?: string, waitReplicas?: number): WriteRecord => ({
    n,
    sentAt: repliedAt - 1,
    repliedAt,
    acknowledged,
    node,
    waitReplicas,
    error: acknowledged ? undefined : "Connection is closed.",
});

describe("auditWrites", () => {
    const records = [
        rec(0, 100, true, "a:6379", 1),
        rec(1, 110, true, "a:6379", 0), // acknowledged, not WAIT-confirmed, lost
        rec(2, 120, true, "a:6379", 1), // WAIT-confirmed yet lost
        rec(3, 130, false), // failed, yet the write ran
        rec(4, 140, false), // failed, absent
        rec(5, 200, true, "b:6379"),
    ];
    const present = new Set([0, 3, 5]);
    const audit = auditWrites(records, (n) => present.has(n));

    it("counts acknowledged and WAIT-confirmed writes", () => {
        expect([audit.attempted, audit.acknowledged, audit.waitConfirmed]).toEqual([6, 4, 2]);
    });
    it("lists acknowledged writes the master lost, and the WAIT-confirmed among them", () => {
        expect(audit.acknowledgedLost).toEqual([1, 2]);
        expect(audit.waitConfirmedLost).toEqual([2]);
    });
    it("counts failed writes that ran anyway", () => {
        expect(audit.failedButPresent).toBe(1);
    });
    it("counts acknowledged writes per node", () => {
        expect(audit.acknowledgedBy).toEqual({ "a:6379": 3, "b:6379": 1 });
    });
    it("takes a higher WAIT bound when asked", () => {
        expect(auditWrites(records, (n) => present.has(n), 2).waitConfirmed).toBe(0);
    });
});

describe("firstWriteAfter", () => {
    const records = [rec(0, 100, true, "a:6379"), rec(1, 150, true, "a:6379"), rec(2, 180, false), rec(4, 260, true, "b:6379"), rec(3, 240, true, "b:6379")];
    it.each([
        { faultAt: 120, expected: { afterMs: 120, node: "b:6379", n: 3 } },
        { faultAt: 250, expected: { afterMs: 10, node: "b:6379", n: 4 } },
        { faultAt: 300, expected: undefined },
    ])("fault at $faultAt: first write of another node by reply time", ({ faultAt, expected }) => {
        expect(firstWriteAfter(records, faultAt, "a:6379")).toEqual(expected);
    });
    it("does not count the old master's late acknowledgements", () => {
        expect(acknowledgedByAfter(records, 120, "a:6379")).toBe(1);
    });
});

describe("percentile", () => {
    it.each([
        { values: [], p: 50, expected: undefined },
        { values: [7], p: 50, expected: 7 },
        { values: [3, 1, 2], p: 50, expected: 2 },
        { values: [4, 1, 3, 2], p: 50, expected: 2 },
        { values: [4, 1, 3, 2], p: 100, expected: 4 },
        { values: [4, 1, 3, 2], p: 0, expected: 1 },
    ])("p$p of $values is $expected", ({ values, p, expected }) => {
        expect(percentile(values, p)).toBe(expected);
    });
});
