import { describe, expect, it } from "vitest";
import { summarizeCycles } from "../../testkit/failover/failoverSummary";
import type { KillCycleResult } from "../../testkit/failover/killCycle";
import { auditWrites } from "../../testkit/failover/writeAudit";

const cycle = (firstWriteMs: number | undefined, agreedMs: number, lost: number[], masters: string[], splitBrain?: number): KillCycleResult => ({
    killed: "a:6379",
    newMaster: "b:6379",
    faultAt: 0,
    sentinelsAgreedMs: agreedMs,
    firstWrite: firstWriteMs === undefined ? undefined : { afterMs: firstWriteMs, node: "b:6379", n: 1 },
    audit: auditWrites(
        [0, 1, 2].map((n) => ({ n, sentAt: 0, repliedAt: 1, acknowledged: true, waitReplicas: n === 2 ? 1 : 0, node: "a:6379" })),
        (n) => !lost.includes(n),
    ),
    mastersAtEnd: masters,
    rejoin:
        splitBrain === undefined
            ? undefined
            : { writableMs: 100, writesTaken: splitBrain, linkUpMs: 1, resync: "full", counters: { before: { runId: "r1", full: 0, partialOk: 0, partialErr: 0 }, after: { runId: "r1", full: 1, partialOk: 0, partialErr: 1 } } },
});

describe("summarizeCycles", () => {
    const summary = summarizeCycles([cycle(2300, 2200, [], ["b:6379"], 5), cycle(2100, 2400, [1, 2], ["a:6379", "b:6379"]), cycle(undefined, 2000, [], ["b:6379"], 7)]);
    it("spreads the times over the cycles that have them", () => {
        expect(summary.firstWrite).toEqual({ p50Ms: 2100, maxMs: 2300, samples: 2 });
        expect(summary.sentinelsAgreed).toEqual({ p50Ms: 2200, maxMs: 2400, samples: 3 });
        expect(summary.noWriteAfter).toBe(1);
    });
    it("sums writes, losses, split-brain writes and cycles without exactly one master", () => {
        expect(summary).toMatchObject({ cycles: 3, acknowledged: 9, acknowledgedLost: 2, waitConfirmed: 3, waitConfirmedLost: 1, splitBrainWrites: 12, notOneMaster: 1 });
    });
    it("gives no times for no cycles", () => {
        expect(summarizeCycles([]).firstWrite).toEqual({ p50Ms: undefined, maxMs: undefined, samples: 0 });
    });
});
