// A steady SET load through a Sentinel client, every write recorded (time, reply, WAIT count,
// node), and the read-back that tells which acknowledged writes a failover lost.
import Redis from "ioredis";
import { sleep } from "../sleep";
import { startPace } from "../writeLoad/pacing";
import { FailoverTarget } from "./failoverOutputs";
import { SentinelClientOptions, connectedNode, sentinelClient } from "./sentinelClient";
import { WriteAudit, WriteRecord, auditWrites } from "./writeAudit";

/** Knobs of one Sentinel write load. */
export interface SentinelLoadOptions {
    /** Keys are `<keyPrefix><n>`, values `String(n)`. */
    readonly keyPrefix: string;
    /** SETs started per second (default 200). */
    readonly ratePerSecond?: number;
    /** At most this many SETs awaiting a reply (default 50). */
    readonly maxInFlight?: number;
    /** After each acknowledged SET, `WAIT 1 <waitMs>` on the same connection; absent: no WAIT. */
    readonly waitMs?: number;
    readonly client?: SentinelClientOptions;
}

/** A running load. */
export interface SentinelLoad {
    /** Every write so far, in the order they were sent (a write in flight is absent until it replies). */
    readonly records: readonly WriteRecord[];
    /** Resolves once `count` more writes were acknowledged from now; rejects after `timeoutMs`. */
    waitForAcknowledged(count: number, timeoutMs?: number): Promise<void>;
    /** Stops sending, waits for the replies due, closes the client, returns the records sorted by n. */
    stop(): Promise<WriteRecord[]>;
}

/** Connects (through the sentinels) and starts writing. */
export async function startSentinelLoad(target: FailoverTarget, options: SentinelLoadOptions): Promise<SentinelLoad> {
    const client = sentinelClient(target, options.client);
    await client.connect();
    const records: WriteRecord[] = [];
    let acknowledged = 0;
    // A client that ended never reconnects: say so at once instead of waiting out a bound.
    let ended = false;
    client.on("end", () => (ended = true));
    const pace = startPace({ ratePerSecond: options.ratePerSecond ?? 200, maxInFlight: options.maxInFlight ?? 50 }, async (n) => {
        const sentAt = Date.now();
        try {
            const reply = await client.set(`${options.keyPrefix}${n}`, String(n));
            const node = connectedNode(target, client);
            if (reply !== "OK") {
                records.push({ n, sentAt, repliedAt: Date.now(), acknowledged: false, error: `reply ${String(reply)}`, node });
                return;
            }
            acknowledged++;
            let waitReplicas: number | undefined;
            if (options.waitMs !== undefined) waitReplicas = await waitCount(client, options.waitMs);
            records.push({ n, sentAt, repliedAt: Date.now(), acknowledged: true, waitReplicas, node });
        } catch (error) {
            records.push({ n, sentAt, repliedAt: Date.now(), acknowledged: false, error: (error as Error).message });
            // A master cut off the network never answers and never closes the connection: ioredis
            // times the command out but keeps the connection, and its disconnect() only half-closes
            // it (a FIN nobody acknowledges). Destroying the socket closes it at once, and the client
            // reconnects through the sentinels.
            if (/^Command timed out/.test((error as Error).message)) client.stream?.destroy();
        }
    });
    let stopped: Promise<WriteRecord[]> | undefined;
    return {
        records,
        async waitForAcknowledged(count, timeoutMs = 10_000) {
            const goal = acknowledged + count;
            const deadline = Date.now() + timeoutMs;
            while (acknowledged < goal) {
                if (ended) throw new Error(`${options.keyPrefix}: the Sentinel client ended (it will not reconnect) at ${acknowledged} of ${goal} writes`);
                if (Date.now() > deadline) throw new Error(`${options.keyPrefix}: ${acknowledged} of ${goal} writes acknowledged after ${timeoutMs} ms`);
                await sleep(20);
            }
        },
        stop() {
            stopped ??= (async () => {
                await pace.stop();
                client.disconnect();
                return [...records].sort((x, y) => x.n - y.n);
            })();
            return stopped;
        },
    };
}

/** `WAIT 1 ms`: replicas that acknowledged; 0 when WAIT itself failed (the write is then not confirmed). */
async function waitCount(client: Redis, ms: number): Promise<number> {
    try {
        return Number(await client.call("WAIT", "1", String(ms)));
    } catch {
        return 0;
    }
}

/**
 * Reads every written key back from the group's current master (found through the sentinels) and
 * audits the records against it. Keys are read in MGET batches of 1000.
 */
export async function readBackAudit(target: FailoverTarget, keyPrefix: string, records: readonly WriteRecord[], waitAtLeast = 1): Promise<WriteAudit & { readFrom?: string }> {
    const client = sentinelClient(target, { failoverDetector: false }, { enableOfflineQueue: true });
    try {
        await client.connect();
        const present = new Set<number>();
        const ns = records.map((r) => r.n);
        for (let i = 0; i < ns.length; i += 1000) {
            const batch = ns.slice(i, i + 1000);
            const values = await client.mget(batch.map((n) => `${keyPrefix}${n}`));
            batch.forEach((n, j) => values[j] === String(n) && present.add(n));
        }
        return { ...auditWrites(records, (n) => present.has(n), waitAtLeast), readFrom: connectedNode(target, client) };
    } finally {
        client.disconnect();
    }
}
