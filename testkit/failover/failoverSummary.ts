// Figures of a series of kill cycles: the bench's table rows. Pure, table-tested.
import type { KillCycleResult } from "./killCycle";
import { percentile } from "./writeAudit";

/** p50/max of one duration over the cycles that have it. */
export interface Spread {
    readonly p50Ms?: number;
    readonly maxMs?: number;
    readonly samples: number;
}

/** One series (same options) of kill cycles. */
export interface FailoverSummary {
    readonly cycles: number;
    /** Fault -> first write the new master acknowledged through the Sentinel client. */
    readonly firstWrite: Spread;
    /** Fault -> every sentinel reports the new master. */
    readonly sentinelsAgreed: Spread;
    /** Cycles where the load never got a write through the new master. */
    readonly noWriteAfter: number;
    readonly acknowledged: number;
    readonly acknowledgedLost: number;
    readonly waitConfirmed: number;
    readonly waitConfirmedLost: number;
    /** Writes a restarted old master took as a second master (lost), summed over the cycles. */
    readonly splitBrainWrites: number;
    /** Cycles that ended with other than exactly one master. */
    readonly notOneMaster: number;
}

export function spread(values: readonly number[]): Spread {
    return { p50Ms: percentile(values, 50), maxMs: values.length === 0 ? undefined : Math.max(...values), samples: values.length };
}

export function summarizeCycles(cycles: readonly KillCycleResult[]): FailoverSummary {
    const firstWrites = cycles.flatMap((c) => (c.firstWrite ? [c.firstWrite.afterMs] : []));
    const sum = (pick: (c: KillCycleResult) => number) => cycles.reduce((total, c) => total + pick(c), 0);
    return {
        cycles: cycles.length,
        firstWrite: spread(firstWrites),
        sentinelsAgreed: spread(cycles.map((c) => c.sentinelsAgreedMs)),
        noWriteAfter: cycles.length - firstWrites.length,
        acknowledged: sum((c) => c.audit.acknowledged),
        acknowledgedLost: sum((c) => c.audit.acknowledgedLost.length),
        waitConfirmed: sum((c) => c.audit.waitConfirmed),
        waitConfirmedLost: sum((c) => c.audit.waitConfirmedLost.length),
        splitBrainWrites: sum((c) => c.rejoin?.writesTaken ?? 0),
        notOneMaster: cycles.filter((c) => c.mastersAtEnd.length !== 1).length,
    };
}
