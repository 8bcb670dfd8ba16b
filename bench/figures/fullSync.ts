// Figure 4: a full sync of a large dataset, forced on each replica in turn.
import { randomBytes } from "node:crypto";
import type Redis from "ioredis";
import { syncDelta } from "../../testkit/syncCounters";
import { BenchChain, Log, NodeKey, linkUpAndSynced, pollUntil, redisLog, syncCounters, waitCaughtUp, withNode } from "../chain";
import { BenchSizes } from "../settings";

export interface SyncTiming {
    readonly replica: "b" | "c";
    readonly transport: "plain" | "tls";
    /** From `REPLICAOF <upstream>` to master_link_status:up with master_sync_in_progress:0. */
    readonly ms: number;
    /** Dataset MiB (values only) per second. */
    readonly MBps: number;
    /** sync_full served by the upstream during this sync (1 proves it was a full sync). */
    readonly fullSyncsServed: number;
    readonly replicaKeys: number;
    /**
     * Where the time went, from the two Redis logs: waiting for the upstream's BGSAVE
     * (repl-diskless-sync-delay), streaming the RDB to the replica's disk, loading it.
     */
    readonly phasesMs?: { readonly delay: number; readonly transfer: number; readonly load: number };
}

export interface FullSyncResult {
    readonly datasetMiB: number;
    readonly writeMs: number;
    /** B -> C (TLS in the seed and ours) then A -> B (plain). */
    readonly tlsHop: SyncTiming;
    readonly plainHop: SyncTiming;
}

export async function measureFullSync(chain: BenchChain, sizes: BenchSizes, log: Log): Promise<FullSyncResult> {
    const { values, valueBytes, timeoutMs } = sizes.fullSync;
    const datasetMiB = (values * valueBytes) / (1 << 20);
    log(`${chain.variant}: full sync: writing ${values} x ${valueBytes} B (${datasetMiB} MiB) on A`);
    const writeStarted = Date.now();
    const pool = Array.from({ length: 8 }, () => randomBytes(valueBytes));
    await withNode(chain, "a", async (a) => {
        const batch = 8;
        for (let i = 0; i < values; i += batch) {
            const pipeline = a.pipeline();
            for (let j = i; j < Math.min(values, i + batch); j++) pipeline.set(`bench:big:${j}`, pool[j % pool.length]);
            const replies = await pipeline.exec();
            const failed = replies?.find(([error]) => error);
            if (failed) throw failed[0];
            // Paced by the chain: never more than 32 MiB ahead of C, far inside the replica output buffers.
            if ((i + batch) % 32 === 0) await waitCaughtUp(chain, timeoutMs, 32 * valueBytes);
            if ((i + batch) % 64 === 0) log(`${chain.variant}: full sync: ${i + batch}/${values} values written`);
        }
    });
    await waitCaughtUp(chain, timeoutMs);
    const writeMs = Date.now() - writeStarted;
    log(`${chain.variant}: full sync: dataset written and replicated to C in ${writeMs} ms`);
    const tlsHop = await forceFullSync(chain, "c", datasetMiB, timeoutMs, log);
    const plainHop = await forceFullSync(chain, "b", datasetMiB, timeoutMs, log);
    return { datasetMiB, writeMs, tlsHop, plainHop };
}

/** `REPLICAOF NO ONE` then `REPLICAOF <upstream>`: the replica's new replication id forces a full sync. */
async function forceFullSync(chain: BenchChain, replica: "b" | "c", datasetMiB: number, timeoutMs: number, log: Log): Promise<SyncTiming> {
    const upstreamNode: NodeKey = replica === "c" ? "b" : "a";
    const transport = linkTransport(chain, replica);
    const before = await syncCounters(chain, upstreamNode);
    const { host, port } = chain.outputs.nodes[`redis-${replica}`].expectedMaster;
    let startedAt = 0;
    await withNode(chain, replica, async (r: Redis) => {
        await r.call("REPLICAOF", "NO", "ONE");
        startedAt = Date.now();
        await r.call("REPLICAOF", host, String(port));
    });
    log(`${chain.variant}: full sync: REPLICAOF ${host} ${port} on ${replica.toUpperCase()} (${transport}), waiting for the sync`);
    const done = await pollUntil(chain, replica, linkUpAndSynced, timeoutMs, 50);
    const ms = done.at - startedAt;
    const after = await syncCounters(chain, upstreamNode);
    const replicaKeys = await withNode(chain, replica, (r) => r.dbsize());
    const phasesMs = await syncPhases(chain, upstreamNode, replica, startedAt);
    log(
        `${chain.variant}: full sync over ${transport}: ${ms} ms, ${(datasetMiB / (ms / 1000)).toFixed(1)} MiB/s` +
            (phasesMs ? ` (delay ${phasesMs.delay} ms, transfer ${phasesMs.transfer} ms, load ${phasesMs.load} ms)` : ""),
    );
    return {
        replica,
        transport,
        ms,
        MBps: datasetMiB / (ms / 1000),
        fullSyncsServed: syncDelta(before, after).full,
        replicaKeys,
        phasesMs,
    };
}

async function syncPhases(chain: BenchChain, upstream: NodeKey, replica: NodeKey, since: number): Promise<SyncTiming["phasesMs"]> {
    const first = async (node: NodeKey, pattern: RegExp) => (await redisLog(chain.containers[node], since)).find((l) => pattern.test(l.line))?.at;
    const bgsave = await first(upstream, /Starting BGSAVE for SYNC/);
    const loading = await first(replica, /MASTER <-> REPLICA sync: Loading DB in memory/);
    const done = await first(replica, /MASTER <-> REPLICA sync: Finished with success/);
    if (bgsave === undefined || loading === undefined || done === undefined) return undefined;
    return { delay: bgsave - since, transfer: loading - bgsave, load: done - loading };
}

/** Transport of a replica's link to its upstream, as the outputs declare it. */
function linkTransport(chain: BenchChain, replica: "b" | "c"): "plain" | "tls" {
    return chain.outputs.nodes[`redis-${replica}`].link;
}
