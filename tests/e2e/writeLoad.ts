// A steady, bounded write load for the fault tests, and the probes that judge the chain after a fault:
// convergence by replication offsets, sync counters, and every acknowledged write read back.
import Redis from "ioredis";
import { parseInfo } from "../../lib/check/replicationStatus";
import { clientFor } from "./support";

/** Knobs of one write load. */
export interface WriteLoadOptions {
    /** Keys are `load:<scenario>:<n>`. */
    readonly scenario: string;
    /** SETs started per second (default 1000). */
    readonly ratePerSecond?: number;
    /** Value size in bytes (default 100). */
    readonly valueBytes?: number;
    /** At most this many SETs awaiting a reply (default 200). */
    readonly maxInFlight?: number;
}

/** What a load did: every SET the server acknowledged with OK, and what happened to the others. */
export interface WriteLoadResult {
    readonly scenario: string;
    /** key -> value of every SET that resolved OK. */
    readonly acknowledged: Map<string, string>;
    readonly attempted: number;
    readonly failed: number;
    /** Failure messages with their counts (e.g. "Connection is closed."). */
    readonly failures: Map<string, number>;
    /** Bytes of values acknowledged (the payload, not the replication stream). */
    readonly acknowledgedBytes: number;
}

/** A running load. */
export interface WriteLoad {
    /** SETs acknowledged so far. */
    readonly acknowledgedCount: number;
    /** Resolves once at least `count` SETs were acknowledged since the start; rejects after `timeoutMs`. */
    waitForAcknowledged(count: number, timeoutMs?: number): Promise<void>;
    /** Stops issuing SETs, waits for the replies still due, and closes the client. */
    stop(): Promise<WriteLoadResult>;
}

const TICK_MS = 10;

/**
 * Starts SETs of unique keys on `node`'s plain listener at a steady rate. One ioredis client that
 * reconnects every 200 ms, no offline queue and no resend: a SET issued while the node is away fails
 * at once and is never counted, and a SET whose reply was lost is counted as failed even if it ran.
 */
export async function startWriteLoad(outputs: any, node: string, options: WriteLoadOptions): Promise<WriteLoad> {
    const rate = options.ratePerSecond ?? 1000;
    const valueBytes = options.valueBytes ?? 100;
    const maxInFlight = options.maxInFlight ?? 200;
    const endpoint = outputs.nodes[node].plain;
    if (!endpoint) throw new Error(`${node} has no plain listener`);
    const client = new Redis({
        host: endpoint.host,
        port: endpoint.port,
        password: outputs.password,
        lazyConnect: true,
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 3000,
        connectTimeout: 2000,
        retryStrategy: () => 200,
    });
    client.on("error", () => undefined);
    await client.connect();

    const acknowledged = new Map<string, string>();
    const failures = new Map<string, number>();
    const inFlight = new Set<Promise<void>>();
    let attempted = 0;
    let paced = 0; // slots of the steady pace used up, issued or skipped
    let failed = 0;
    let acknowledgedBytes = 0;
    const filler = "x".repeat(valueBytes);
    const started = Date.now();

    const issue = () => {
        const n = attempted++;
        paced++;
        const key = `load:${options.scenario}:${n}`;
        // Unique per key, so a value landing under the wrong key would show.
        const value = `${n}:${filler}`.slice(0, Math.max(valueBytes, String(n).length + 1));
        const work = client.set(key, value).then(
            (reply) => {
                if (reply === "OK") {
                    acknowledged.set(key, value);
                    acknowledgedBytes += value.length;
                } else {
                    failed++;
                    failures.set(`reply ${String(reply)}`, (failures.get(`reply ${String(reply)}`) ?? 0) + 1);
                }
            },
            (error: Error) => {
                failed++;
                failures.set(error.message, (failures.get(error.message) ?? 0) + 1);
            },
        );
        inFlight.add(work);
        work.finally(() => inFlight.delete(work));
    };

    const timer = setInterval(() => {
        const due = Math.floor(((Date.now() - started) * rate) / 1000);
        // Never more than one second's worth per tick: a stalled event loop does not turn into a burst.
        let budget = Math.min(due - paced, rate);
        while (budget-- > 0 && inFlight.size < maxInFlight) issue();
        // Behind because of maxInFlight (a slow server): skip those slots, keep the pace.
        if (due - paced > maxInFlight) paced = due;
    }, TICK_MS);

    let stopped: Promise<WriteLoadResult> | undefined;
    return {
        get acknowledgedCount() {
            return acknowledged.size;
        },
        async waitForAcknowledged(count: number, timeoutMs = 10_000) {
            const deadline = Date.now() + timeoutMs;
            while (acknowledged.size < count) {
                if (Date.now() > deadline) {
                    throw new Error(
                        `write load ${options.scenario}: ${acknowledged.size} of ${count} SETs acknowledged after ${timeoutMs} ms ` +
                            `(failures: ${JSON.stringify([...failures])})`,
                    );
                }
                await sleep(20);
            }
        },
        stop() {
            stopped ??= (async () => {
                clearInterval(timer);
                // Bounded: every SET times out after commandTimeout at the latest.
                while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
                client.disconnect();
                return { scenario: options.scenario, acknowledged, attempted, failed, failures, acknowledgedBytes };
            })();
            return stopped;
        },
    };
}

/** Runs `fn` on a fresh client for one listener, then closes it (nodes restart under these tests). */
export async function withClient<T>(outputs: any, node: string, transport: "plain" | "tls", fn: (c: Redis) => Promise<T>): Promise<T> {
    // A command timeout: a partitioned node must not hang a poll.
    const client = clientFor(outputs, node, transport, { enableOfflineQueue: false, commandTimeout: 5000 });
    try {
        await client.connect();
        return await fn(client);
    } finally {
        client.disconnect();
    }
}

/** The listener the tests read a node through: plain where there is one, else TLS. */
export function readTransport(outputs: any, node: string): "plain" | "tls" {
    return outputs.nodes[node].plain ? "plain" : "tls";
}

/** INFO of the given sections as key -> value. */
export async function info(outputs: any, node: string, ...sections: string[]): Promise<Record<string, string>> {
    const text = (await withClient(outputs, node, readTransport(outputs, node), (c) => c.call("INFO", ...sections))) as string;
    return parseInfo(text);
}

/** A node's sync counters (as a master serving replicas), with the process they belong to. */
export interface SyncCounters {
    readonly runId: string;
    readonly full: number;
    readonly partialOk: number;
    readonly partialErr: number;
}

export async function syncCounters(outputs: any, node: string): Promise<SyncCounters> {
    const fields = await info(outputs, node, "server", "stats");
    return {
        runId: fields.run_id,
        full: Number(fields.sync_full),
        partialOk: Number(fields.sync_partial_ok),
        partialErr: Number(fields.sync_partial_err),
    };
}

/**
 * Counter increase between two readings. INFO counters restart at 0 with the process, so when the
 * node restarted in between (another run_id) the whole new reading is the increase.
 */
export function syncDelta(before: SyncCounters, after: SyncCounters): { full: number; partialOk: number; partialErr: number; restarted: boolean } {
    const restarted = before.runId !== after.runId;
    const base = restarted ? { full: 0, partialOk: 0, partialErr: 0 } : before;
    return {
        full: after.full - base.full,
        partialOk: after.partialOk - base.partialOk,
        partialErr: after.partialErr - base.partialErr,
        restarted,
    };
}

/** How the chain converged: A's offset after the load, and what each replica reported at the end. */
export interface Convergence {
    readonly masterOffset: number;
    readonly replicaOffsets: Record<string, number>;
    readonly waitedMs: number;
}

/**
 * Waits until every replica's link is up and its slave_repl_offset has reached the master's
 * master_repl_offset as read now (sub-replicas share the master's offsets since Redis 4), which
 * proves everything the master had when this is called has reached every replica.
 */
export async function waitConverged(outputs: any, timeoutMs = 30_000): Promise<Convergence> {
    const master = (Object.values(outputs.nodes) as any[]).find((n) => n.role === "master");
    const started = Date.now();
    const masterOffset = await retry(async () => Number((await info(outputs, master.name, "replication")).master_repl_offset), timeoutMs);
    return waitReplicas(outputs, masterOffset, started, timeoutMs);
}

/** Waits until every replica reports master_link_status:up (whatever its offset). */
export function waitLinksUp(outputs: any, timeoutMs = 30_000): Promise<Convergence> {
    return waitReplicas(outputs, 0, Date.now(), timeoutMs);
}

async function waitReplicas(outputs: any, masterOffset: number, started: number, timeoutMs: number): Promise<Convergence> {
    const replicas = (Object.values(outputs.nodes) as any[]).filter((n) => n.role === "replica");
    let last = "";
    for (;;) {
        const replicaOffsets: Record<string, number> = {};
        const waiting: string[] = [];
        for (const replica of replicas) {
            try {
                const seen = await info(outputs, replica.name, "replication");
                replicaOffsets[replica.name] = Number(seen.slave_repl_offset);
                if (seen.master_link_status !== "up") waiting.push(`${replica.name} master_link_status:${seen.master_link_status}`);
                else if (!(Number(seen.slave_repl_offset) >= masterOffset)) {
                    waiting.push(`${replica.name} slave_repl_offset ${seen.slave_repl_offset} < ${masterOffset}`);
                }
            } catch (error) {
                waiting.push(`${replica.name} unreachable: ${(error as Error).message}`);
            }
        }
        if (waiting.length === 0) return { masterOffset, replicaOffsets, waitedMs: Date.now() - started };
        last = waiting.join("; ");
        if (Date.now() - started > timeoutMs) throw new Error(`chain not converged after ${timeoutMs} ms: ${last}`);
        await sleep(200);
    }
}

/** What reading every acknowledged key back from one node found. */
export interface ReadBack {
    readonly node: string;
    readonly checked: number;
    readonly missing: string[];
    readonly wrong: string[];
}

/** MGETs every acknowledged key on `node` through `transport`, in batches, and compares the values. */
export async function readBack(outputs: any, node: string, transport: "plain" | "tls", expected: Map<string, string>): Promise<ReadBack> {
    const keys = [...expected.keys()];
    const missing: string[] = [];
    const wrong: string[] = [];
    await withClient(outputs, node, transport, async (c) => {
        for (let i = 0; i < keys.length; i += 500) {
            const batch = keys.slice(i, i + 500);
            const values = await c.mget(...batch);
            batch.forEach((key, j) => {
                if (values[j] === null) missing.push(key);
                else if (values[j] !== expected.get(key)) wrong.push(key);
            });
        }
    });
    return { node, checked: keys.length, missing, wrong };
}

async function retry<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            return await fn();
        } catch (error) {
            if (Date.now() > deadline) throw error;
            await sleep(200);
        }
    }
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
