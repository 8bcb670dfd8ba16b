// The five figures, each measured the same way on any BenchChain (seed or ours).
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { connect as tlsConnect } from "node:tls";
import type Redis from "ioredis";
import { checkReplication } from "../lib/check/checkReplication";
import { chainFromOutputs } from "../lib/stackOutputs";
import { docker } from "../testkit/harness/run";
import { BenchChain, LINK_UP_LINE, NodeKey, infoOf, linkUp, linkUpAndSynced, open, pollUntil, redisLog, sleep, withNode } from "./chain";
import { LoadSummary, startLoad } from "./loadWriter";
import { BenchSizes } from "./settings";

type Log = (line: string) => void;

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
    if (sorted.length === 0) return NaN;
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

// ---------------------------------------------------------------------------------------------
// 1. Converge

export interface ConvergeResult {
    /** Epoch ms of the first container create; every *Ms below is relative to it. */
    readonly firstCreateAt: number;
    readonly startedMs: Record<NodeKey, number>;
    /** The deploy handed the chain over (seed: last `docker start` returned; ours: outputs resolved). */
    readonly readyMs: number;
    readonly bLinkUpMs: number;
    readonly cLinkUpMs: number;
    /** max(bLinkUpMs, cLinkUpMs). */
    readonly allLinksUpMs: number;
    /** A key written on A (as soon as INFO showed both links up) read back on A, B and C. */
    readonly keyReadableMs: number;
    /** Clients on A, B, C connected; the SET on A acknowledged; each node first returned the key. */
    readonly clientsOpenMs: number;
    readonly keyWrittenMs: number;
    readonly keySeenMs: Record<NodeKey, number>;
    /** When the bench's own INFO polling first saw master_link_status:up on both B and C. */
    readonly infoConfirmedMs: number;
    /** Where the link-up instants come from. */
    readonly linkUpSource: "redis log" | "INFO poll";
    /**
     * B's log: B reaped the RDB child of C's sync and now waits for C's REPLCONF ACK to stream
     * to C. When this comes after C's link up, C's immediate ACK was early and streaming starts
     * with C's next ACK, sent once a second: a key can take up to ~1 s more to reach C.
     */
    readonly bAwaitsAckFromCMs?: number;
}

export async function measureConverge(chain: BenchChain, log: Log): Promise<ConvergeResult> {
    const t0 = chain.deploy.firstCreateAt;
    const rel = (at: number) => at - t0;
    log(`${chain.variant}: converge: polling INFO replication on B and C`);
    const up = (node: "b" | "c") =>
        pollUntil(chain, node, linkUp, 60_000).then((seen) => {
            log(`${chain.variant}: converge: INFO shows ${node.toUpperCase()}'s link up at ${((seen.at - t0) / 1000).toFixed(2)} s`);
            return seen;
        });
    const [b, c] = await Promise.all([up("b"), up("c")]);
    const infoUpAt = Math.max(b.at, c.at);

    const key = `bench:converge:${randomBytes(6).toString("hex")}`;
    const value = randomBytes(8).toString("hex");
    const clients = await Promise.all((["a", "b", "c"] as const).map((n) => open(chain, n)));
    const openedAt = Date.now();
    let keyReadableAt: number;
    let keyWrittenAt: number;
    const seenAt: (number | undefined)[] = [undefined, undefined, undefined];
    try {
        await clients[0].set(key, value);
        keyWrittenAt = Date.now();
        const deadline = Date.now() + 10_000;
        while (seenAt.includes(undefined)) {
            const got = await Promise.all(clients.map((cl) => cl.get(key)));
            const now = Date.now();
            got.forEach((v, i) => (seenAt[i] ??= v === value ? now : undefined));
            if (now > deadline) throw new Error(`${chain.variant}: converge key not readable on every node after 10 s`);
            if (seenAt.includes(undefined)) await sleep(2);
        }
        keyReadableAt = Date.now();
    } finally {
        clients.forEach((cl) => cl.disconnect());
    }

    // Redis logs the instant a link turns up; the bench may only be able to look later (ours
    // hands over credentials when the deploy ends), so the log is the exact source.
    const upFromLog = async (node: "b" | "c") =>
        (await redisLog(chain.containers[node], t0 - 1000)).find((l) => LINK_UP_LINE.test(l.line))?.at;
    const [bLog, cLog] = await Promise.all([upFromLog("b"), upFromLog("c")]);
    const bAwaitsAck = (await redisLog(chain.containers.b, t0 - 1000)).find((l) => /Waiting for REPLCONF ACK from slave to enable streaming/.test(l.line))?.at;
    const fromLog = bLog !== undefined && cLog !== undefined;
    const bUp = fromLog ? bLog : b.at;
    const cUp = fromLog ? cLog : c.at;
    const { startedAt, readyAt } = chain.deploy;
    return {
        firstCreateAt: t0,
        startedMs: { a: rel(startedAt.a), b: rel(startedAt.b), c: rel(startedAt.c) },
        readyMs: rel(readyAt),
        bLinkUpMs: rel(bUp),
        cLinkUpMs: rel(cUp),
        allLinksUpMs: rel(Math.max(bUp, cUp)),
        keyReadableMs: rel(keyReadableAt),
        clientsOpenMs: rel(openedAt),
        keyWrittenMs: rel(keyWrittenAt),
        keySeenMs: { a: rel(seenAt[0]!), b: rel(seenAt[1]!), c: rel(seenAt[2]!) },
        infoConfirmedMs: rel(infoUpAt),
        linkUpSource: fromLog ? "redis log" : "INFO poll",
        bAwaitsAckFromCMs: bAwaitsAck === undefined ? undefined : rel(bAwaitsAck),
    };
}

// ---------------------------------------------------------------------------------------------
// 2. Propagation latency A -> C

export interface LatencyResult {
    readonly probes: number;
    readonly received: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
    /** Every received probe's latency, ascending (for the CDF). */
    readonly samplesMs: number[];
    /** Latency by probe number, in send order (null: never arrived); shows periodic stalls. */
    readonly byProbeMs: (number | null)[];
    /** The background SET load on A, when there was one. */
    readonly load?: LoadSummary;
}

/**
 * PUBLISH on A with the send time in the message; a subscriber on C (over TLS where C is TLS-only,
 * verifying the CA) takes the difference on the same clock. PUBLISH is replicated: A -> B -> C.
 */
export async function measureLatency(chain: BenchChain, sizes: BenchSizes, loaded: boolean, log: Log): Promise<LatencyResult> {
    const { probes, probesPerSecond, load: shape, loadWarmupMs } = sizes.latency;
    const channel = `bench:probe:${randomBytes(6).toString("hex")}`;
    const byProbe: (number | null)[] = new Array(probes).fill(null);
    let warm = false;
    let sub: Redis | undefined;
    let pub: Redis | undefined;
    let load: Awaited<ReturnType<typeof startLoad>> | undefined;
    let loadSummary: LoadSummary | undefined;
    try {
        sub = await open(chain, "c");
        pub = await open(chain, "a");
        sub.on("message", (_channel: string, message: string) => {
            const arrived = performance.now();
            if (message === "warmup") warm = true;
            else {
                const colon = message.indexOf(":");
                byProbe[Number(message.slice(0, colon))] = round(arrived - Number(message.slice(colon + 1)));
            }
        });
        await sub.subscribe(channel);
        const warmDeadline = Date.now() + 10_000;
        while (!warm) {
            if (Date.now() > warmDeadline) throw new Error(`${chain.variant}: no PUBLISH reached C within 10 s`);
            await pub.publish(channel, "warmup");
            await sleep(20);
        }
        if (loaded) {
            const probeSeconds = probes / probesPerSecond;
            load = await startLoad({
                ...chain.writer,
                ...shape,
                keyPrefix: "bench:lat:",
                maxSeconds: Math.ceil(loadWarmupMs / 1000 + probeSeconds + 30),
            });
            await sleep(loadWarmupMs);
        }
        log(`${chain.variant}: latency ${loaded ? `under ${shape.setsPerSecond} SET/s x ${shape.valueBytes} B` : "idle"}: ${probes} probes at ${probesPerSecond}/s`);
        const interval = 1000 / probesPerSecond;
        const start = performance.now();
        for (let i = 0; i < probes; i++) {
            const wait = start + i * interval - performance.now();
            if (wait > 0) await sleep(wait);
            pub.publish(channel, `${i}:${performance.now()}`).catch(() => undefined);
        }
        const deadline = Date.now() + 5000;
        while (byProbe.includes(null) && Date.now() < deadline) await sleep(10);
        if (load) loadSummary = await load.stop();
        load = undefined;
    } finally {
        await load?.stop().catch(() => undefined);
        sub?.disconnect();
        pub?.disconnect();
    }
    const sorted = byProbe.filter((v): v is number => v !== null).sort((x, y) => x - y);
    if (sorted.length === 0) throw new Error(`${chain.variant}: no probe reached C`);
    return {
        probes,
        received: sorted.length,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        maxMs: sorted[sorted.length - 1],
        samplesMs: sorted,
        byProbeMs: byProbe,
        load: loadSummary,
    };
}

// ---------------------------------------------------------------------------------------------
// 3. Restart of B under write load

/** sync_* counters of a node serving replicas, with its run_id (counters restart with the process). */
interface SyncCounters {
    readonly runId: string;
    readonly full: number;
    readonly partialOk: number;
    readonly partialErr: number;
}

async function syncCounters(chain: BenchChain, node: NodeKey): Promise<SyncCounters> {
    const info = await withNode(chain, node, (c) => infoOf(c, "server", "stats"));
    return { runId: info.run_id, full: Number(info.sync_full), partialOk: Number(info.sync_partial_ok), partialErr: Number(info.sync_partial_err) };
}

export type ResyncKind = "partial" | "full" | "none";

export interface HopResync {
    /** Who served the resync: A for the A->B hop, B for the B->C hop. */
    readonly servedBy: NodeKey;
    readonly kind: ResyncKind;
    readonly syncFull: number;
    readonly syncPartialOk: number;
    readonly syncPartialErr: number;
    /** The server restarted in between, so its counters started from 0 (the delta is the new reading). */
    readonly countersRestarted: boolean;
}

function hopResync(servedBy: NodeKey, before: SyncCounters, after: SyncCounters): HopResync {
    const restarted = before.runId !== after.runId;
    const base = restarted ? { full: 0, partialOk: 0, partialErr: 0 } : before;
    const syncFull = after.full - base.full;
    const syncPartialOk = after.partialOk - base.partialOk;
    return {
        servedBy,
        kind: syncFull > 0 ? "full" : syncPartialOk > 0 ? "partial" : "none",
        syncFull,
        syncPartialOk,
        syncPartialErr: after.partialErr - base.partialErr,
        countersRestarted: restarted,
    };
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
    const load = await startLoad({
        ...chain.writer,
        ...shape,
        keyPrefix: "bench:restart:",
        maxSeconds: Math.ceil((beforeStopMs + downMs + linkTimeoutMs) / 1000 + 30),
    });
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
async function waitCaughtUp(chain: BenchChain, timeoutMs: number, slackBytes = 0): Promise<number> {
    const started = Date.now();
    const target = Number((await withNode(chain, "a", (c) => infoOf(c, "replication"))).master_repl_offset) - slackBytes;
    for (const node of ["b", "c"] as const) {
        await pollUntil(chain, node, (info) => linkUp(info) && Number(info.slave_repl_offset) >= target, timeoutMs - (Date.now() - started), 20);
    }
    return Date.now() - started;
}

// ---------------------------------------------------------------------------------------------
// 4. Full sync of a large dataset

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
        fullSyncsServed: after.runId === before.runId ? after.full - before.full : after.full,
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

// ---------------------------------------------------------------------------------------------
// 5. The post-deploy check's own time

export interface CheckResult {
    readonly ok: boolean;
    readonly runs: number;
    readonly p50Ms?: number;
    readonly maxMs?: number;
    readonly elapsedMs: number[];
    /** Why the check did not pass, when it did not. */
    readonly failure?: string;
    /** What a plain Node TLS client (CA, hostname verification on) says about each TLS listener, when the check failed. */
    readonly tlsDiagnosis?: string[];
}

/** checkReplication from the outputs (lib/stackOutputs.ts), one untimed warm-up, then `runs` runs. */
export async function measureCheck(chain: BenchChain, sizes: BenchSizes, log: Log): Promise<CheckResult> {
    const { chain: info, credentials } = chainFromOutputs(chain.outputs);
    const timeoutMs = chain.variant === "seed" ? sizes.check.seedTimeoutMs : 30_000;
    const warmup = await checkReplication(info, credentials, { timeoutMs });
    if (!warmup.ok) {
        const tlsDiagnosis = await Promise.all(
            info.nodes.filter((n) => n.tls).map((n) => tlsHandshake(n.tls!.host, n.tls!.port, info.caCertPem).then((r) => `${n.name} ${n.tls!.host}:${n.tls!.port}: ${r}`)),
        );
        log(`${chain.variant}: check: fails on this chain: ${warmup.failures.join("; ")} [TLS: ${tlsDiagnosis.join("; ")}]`);
        return { ok: false, runs: 1, elapsedMs: [warmup.elapsedMs], failure: warmup.failures.join("; "), tlsDiagnosis };
    }
    const elapsed: number[] = [];
    for (let i = 0; i < sizes.check.runs; i++) {
        const report = await checkReplication(info, credentials, { timeoutMs });
        if (!report.ok) return { ok: false, runs: i + 1, elapsedMs: elapsed, failure: report.failures.join("; ") };
        elapsed.push(report.elapsedMs);
    }
    const sorted = [...elapsed].sort((x, y) => x - y);
    log(`${chain.variant}: check: ${sizes.check.runs} runs, p50 ${percentile(sorted, 0.5)} ms, max ${sorted[sorted.length - 1]} ms`);
    return { ok: true, runs: sizes.check.runs, p50Ms: percentile(sorted, 0.5), maxMs: sorted[sorted.length - 1], elapsedMs: elapsed };
}

/** A bare TLS handshake as Node clients do it (chain and hostname verified): "ok" or the error. */
function tlsHandshake(host: string, port: number, ca: string): Promise<string> {
    return new Promise((resolve) => {
        const socket = tlsConnect({ host, port, ca: [ca], timeout: 3000 });
        const done = (result: string) => {
            socket.destroy();
            resolve(result);
        };
        socket.once("secureConnect", () => done("ok"));
        socket.once("error", (e: NodeJS.ErrnoException) => done(`${e.code ?? "error"}: ${e.message}`));
        socket.once("timeout", () => done("timeout"));
    });
}
