// Pure accounting of a write load across a fault: which writes the clients were told succeeded, and
// which of those the surviving master still holds. No I/O, table-tested.

/** One SET of the load and what the client was told. */
export interface WriteRecord {
    /** Sequence number; the key is `<prefix><n>` and the value `String(n)`. */
    readonly n: number;
    /** Date.now() when the SET was sent and when its reply (or error) came. */
    readonly sentAt: number;
    readonly repliedAt: number;
    /** The server answered OK. */
    readonly acknowledged: boolean;
    readonly error?: string;
    /** Replicas WAIT reported (only when the load asks for WAIT and the SET was acknowledged). */
    readonly waitReplicas?: number;
    /** The node that acknowledged it, as announced ("redis-b:6379"), when known. */
    readonly node?: string;
}

/** What happened to the load's writes, as read back from the master after the fault. */
export interface WriteAudit {
    readonly attempted: number;
    readonly acknowledged: number;
    /** Acknowledged, with WAIT reporting at least the replicas asked for. */
    readonly waitConfirmed: number;
    /** Acknowledged but absent (or another value) on the master read back. */
    readonly acknowledgedLost: number[];
    /** WAIT-confirmed but absent: a promotion that lost a write a replica had acknowledged. */
    readonly waitConfirmedLost: number[];
    /** Failed or unanswered, yet present on the master (the reply was lost, the write was not). */
    readonly failedButPresent: number;
    /** Acknowledged writes per node that acknowledged them. */
    readonly acknowledgedBy: Record<string, number>;
}

/**
 * Compares `records` with what the master holds (`present(n)` true when key n has value n) and
 * counts losses. `waitAtLeast` is the replica count a WAIT must report to count as confirmed.
 */
export function auditWrites(records: readonly WriteRecord[], present: (n: number) => boolean, waitAtLeast = 1): WriteAudit {
    const acknowledgedLost: number[] = [];
    const waitConfirmedLost: number[] = [];
    const acknowledgedBy: Record<string, number> = {};
    let acknowledged = 0;
    let waitConfirmed = 0;
    let failedButPresent = 0;
    for (const r of records) {
        const confirmed = r.acknowledged && (r.waitReplicas ?? 0) >= waitAtLeast;
        if (r.acknowledged) {
            acknowledged++;
            if (r.node) acknowledgedBy[r.node] = (acknowledgedBy[r.node] ?? 0) + 1;
        }
        if (confirmed) waitConfirmed++;
        const kept = present(r.n);
        if (r.acknowledged && !kept) acknowledgedLost.push(r.n);
        if (confirmed && !kept) waitConfirmedLost.push(r.n);
        if (!r.acknowledged && kept) failedButPresent++;
    }
    return { attempted: records.length, acknowledged, waitConfirmed, acknowledgedLost, waitConfirmedLost, failedButPresent, acknowledgedBy };
}

/** The first write another node than `oldMaster` acknowledged after `faultAt`. */
export interface FirstWriteAfter {
    /** From `faultAt` to the reply of that write. */
    readonly afterMs: number;
    readonly node?: string;
    readonly n: number;
}

/**
 * The first write acknowledged after `faultAt` by a node other than `oldMaster` (by reply time);
 * undefined when none was. A write the old master still acknowledged after the fault (a partition
 * it does not notice at once) does not count.
 */
export function firstWriteAfter(records: readonly WriteRecord[], faultAt: number, oldMaster: string): FirstWriteAfter | undefined {
    let first: WriteRecord | undefined;
    for (const r of records) {
        if (!r.acknowledged || r.repliedAt < faultAt || r.node === oldMaster) continue;
        if (!first || r.repliedAt < first.repliedAt) first = r;
    }
    return first && { afterMs: first.repliedAt - faultAt, node: first.node, n: first.n };
}

/** Acknowledged writes `node` took after `faultAt`: the writes of a stale master that a split brain accepted. */
export function acknowledgedByAfter(records: readonly WriteRecord[], faultAt: number, node: string): number {
    return records.filter((r) => r.acknowledged && r.node === node && r.repliedAt >= faultAt).length;
}

/** Nearest-rank percentile (p in 0..100) of `values`; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
    if (values.length === 0) return undefined;
    const sorted = [...values].sort((x, y) => x - y);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
