// The sync counters a node serves replicas with (INFO server + stats), and what changed between two
// readings: how a replica came back after a fault ("full", "partial" or "none").
import { parseInfo } from "../lib/check/replicationStatus";

/** A node's sync counters (as a master serving replicas), with the process they belong to. */
export interface SyncCounters {
    readonly runId: string;
    readonly full: number;
    readonly partialOk: number;
    readonly partialErr: number;
}

export type ResyncKind = "full" | "partial" | "none";

/** Counter increases between two readings of one node. */
export interface SyncDelta {
    readonly full: number;
    readonly partialOk: number;
    readonly partialErr: number;
    /** The node restarted in between (another run_id), so the delta is the whole new reading. */
    readonly restarted: boolean;
    /** A full sync served wins over partial ones: it is the one that costs a snapshot. */
    readonly kind: ResyncKind;
}

/**
 * Reads the counters through `info`, which runs `INFO <sections…>` on the node by whatever path the
 * caller has (an ioredis client, redis-cli in the container) and returns the raw reply.
 */
export async function readSyncCounters(info: (sections: string[]) => Promise<string>): Promise<SyncCounters> {
    const fields = parseInfo(await info(["server", "stats"]));
    return {
        runId: fields.run_id,
        full: Number(fields.sync_full),
        partialOk: Number(fields.sync_partial_ok),
        partialErr: Number(fields.sync_partial_err),
    };
}

/** INFO counters restart at 0 with the process: after a restart the whole new reading is the increase. */
export function syncDelta(before: SyncCounters, after: SyncCounters): SyncDelta {
    const restarted = before.runId !== after.runId;
    const base = restarted ? { full: 0, partialOk: 0, partialErr: 0 } : before;
    const full = after.full - base.full;
    const partialOk = after.partialOk - base.partialOk;
    return { full, partialOk, partialErr: after.partialErr - base.partialErr, restarted, kind: full > 0 ? "full" : partialOk > 0 ? "partial" : "none" };
}
