// Figure 3: restart of B under a write load: how long the links stay down and how each hop resyncs.
import { docker } from "../../testkit/harness/run";
import { sleep } from "../../testkit/sleep";
import { SyncCounters, SyncDelta, syncDelta } from "../../testkit/syncCounters";
import { LoadSummary, startWriteLoadProcess } from "../../testkit/writeLoad/childProcess";
import { BenchChain, Log, NodeKey, linkUp, loadOptions, pollUntil, redisLog, syncCounters, waitCaughtUp } from "../chain";
import { BenchSizes } from "../settings";

/** How one hop came back: the counter deltas of the node that served it. */
export interface HopResync extends SyncDelta {
    /** Who served the resync: A for the A->B hop, B for the B->C hop. */
    readonly servedBy: NodeKey;
}

function hopResync(servedBy: NodeKey, before: SyncCounters, after: SyncCounters): HopResync {
    return { servedBy, ...syncDelta(before, after) };
}

export interface RestartResult {
    /** `docker stop` of B (Redis's shutdown, including its final save). */
    readonly stopMs: number;
    readonly downMs: number;
    /** From `docker start` of B to each link up, and to both. */
    readonly bLinkUpMs: number;
    readonly cLinkUpMs: number;
    readonly linksUpMs: number;
    readonly hops: { readonly ab: HopResync; readonly bc: HopResync };
    readonly load: LoadSummary;
    /** After the load stopped: C's offset reached A's (nothing lost on the way). */
    readonly caughtUpMs: number;
    /** What B and C logged about the resync. */
    readonly logLines: { readonly b: string[]; readonly c: string[] };
}

export async function measureRestart(chain: BenchChain, sizes: BenchSizes, log: Log): Promise<RestartResult> {
    const { load: shape, beforeStopMs, downMs, linkTimeoutMs } = sizes.restart;
    const beforeA = await syncCounters(chain, "a");
    const beforeB = await syncCounters(chain, "b");
    const load = await startWriteLoadProcess(chain.writer, loadOptions(shape, "bench:restart:"), Math.ceil((beforeStopMs + downMs + linkTimeoutMs) / 1000 + 30));
    let summary: LoadSummary | undefined;
    try {
        log(`${chain.variant}: restart: ${shape.setsPerSecond} SET/s x ${shape.valueBytes} B on A; docker stop B in ${beforeStopMs} ms`);
        await sleep(beforeStopMs);
        const stopStarted = Date.now();
        await docker(["stop", chain.containers.b]);
        const stopMs = Date.now() - stopStarted;
        await pollUntil(chain, "c", (info) => info.master_link_status !== "up", 10_000);
        log(`${chain.variant}: restart: B stopped in ${stopMs} ms, C's link is down; docker start B in ${downMs} ms`);
        await sleep(downMs);
        const startAt = Date.now();
        await docker(["start", chain.containers.b]);
        log(`${chain.variant}: restart: docker start B returned after ${Date.now() - startAt} ms; waiting for both links`);
        const [b, c] = await Promise.all([pollUntil(chain, "b", linkUp, linkTimeoutMs), pollUntil(chain, "c", linkUp, linkTimeoutMs)]);
        log(`${chain.variant}: restart: links up ${b.at - startAt} ms (B) and ${c.at - startAt} ms (C) after docker start`);
        summary = await load.stop();
        const afterA = await syncCounters(chain, "a");
        const afterB = await syncCounters(chain, "b");
        const caughtUpMs = await waitCaughtUp(chain, 60_000);
        const interesting = /resync|Partial|partial|FULL|Full sync|full sync|backlog|MASTER <-> REPLICA|Loading|loaded/;
        const lines = async (node: "b" | "c") =>
            (await redisLog(chain.containers[node], startAt - 200)).filter((l) => interesting.test(l.line)).map((l) => l.line.trim());
        return {
            stopMs,
            downMs,
            bLinkUpMs: b.at - startAt,
            cLinkUpMs: c.at - startAt,
            linksUpMs: Math.max(b.at, c.at) - startAt,
            hops: { ab: hopResync("a", beforeA, afterA), bc: hopResync("b", beforeB, afterB) },
            load: summary,
            caughtUpMs,
            logLines: { b: await lines("b"), c: await lines("c") },
        };
    } finally {
        if (!summary) await load.stop().catch(() => undefined);
    }
}

/** Waits until B's and C's offsets reach A's current one; returns how long that took. */
