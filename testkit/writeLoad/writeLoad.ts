// A steady SET load on one node, the same for the fault tests (in-process, every acknowledged write
// kept for reading back) and the bench (in a child process, counts only).
import { randomBytes } from "node:crypto";
import { ClientTarget, redisClient } from "../redisClient";
import { sleep } from "../sleep";
import { startPace } from "./pacing";

/** Knobs of one write load. Plain data: a child process gets it as JSON. */
export interface WriteLoadOptions {
    /** Keys are `<keyPrefix><n>`. */
    readonly keyPrefix: string;
    /** SETs started per second (default 1000). */
    readonly ratePerSecond?: number;
    /** Value size in bytes (default 100). */
    readonly valueBytes?: number;
    /** At most this many SETs awaiting a reply (default 200). */
    readonly maxInFlight?: number;
    /**
     * Keys wrap around after this many (a bounded dataset for long bench runs). Without it every key
     * is new and each value starts with its key's number, so a value under the wrong key would show.
     */
    readonly keyspace?: number;
    /**
     * Random values from a pool (incompressible, so RDB's LZF gains nothing) instead of numbered
     * ones; only with `keyspace`, since random values cannot be read back against the keys.
     */
    readonly randomValues?: boolean;
}

/** What a load did: every SET the server acknowledged with OK, and what happened to the others. */
export interface WriteLoadResult {
    /** key -> value of every acknowledged SET; empty with `keyspace` (keys are overwritten). */
    readonly acknowledged: Map<string, string>;
    readonly acknowledgedCount: number;
    readonly attempted: number;
    readonly failed: number;
    /** Failure messages with their counts (e.g. "Connection is closed."). */
    readonly failures: Map<string, number>;
    /** Bytes of values acknowledged (the payload, not the replication stream). */
    readonly acknowledgedBytes: number;
    /** From the start to the stop call. */
    readonly elapsedMs: number;
    /** When the first and the last failed SET failed (Date.now()); undefined without failures. */
    readonly firstFailureAt?: number;
    readonly lastFailureAt?: number;
    /** The longest time between two acknowledgements (or from the start to the first): how long writes were refused. */
    readonly longestAckGapMs: number;
}

/** A running load. */
export interface WriteLoad {
    /** SETs acknowledged so far. */
    readonly acknowledgedCount: number;
    /** Resolves once at least `count` SETs were acknowledged since the start; rejects after `timeoutMs`. */
    waitForAcknowledged(count: number, timeoutMs?: number): Promise<void>;
    /** Stops issuing SETs, waits for the replies still due (each bounded by the command timeout), and closes the client. */
    stop(): Promise<WriteLoadResult>;
}

/** Connects one client (the "load" preset: reconnects every 200 ms, never resends) and starts the SETs. */
export async function startWriteLoad(target: ClientTarget, options: WriteLoadOptions): Promise<WriteLoad> {
    const valueBytes = options.valueBytes ?? 100;
    if (options.randomValues && options.keyspace === undefined) throw new Error("randomValues needs a keyspace");
    const client = redisClient(target, "load");
    await client.connect();

    const keepValues = options.keyspace === undefined;
    const acknowledged = new Map<string, string>();
    const failures = new Map<string, number>();
    let acknowledgedCount = 0;
    let failed = 0;
    let acknowledgedBytes = 0;
    const filler = "x".repeat(valueBytes);
    const pool = options.randomValues ? Array.from({ length: 64 }, () => randomBytes(valueBytes)) : [];
    let firstFailureAt: number | undefined;
    let lastFailureAt: number | undefined;
    let lastAckAt = Date.now();
    let longestAckGapMs = 0;
    const fail = (why: string) => {
        lastFailureAt = Date.now();
        firstFailureAt ??= lastFailureAt;
        failed++;
        failures.set(why, (failures.get(why) ?? 0) + 1);
    };
    const started = Date.now();

    const pace = startPace({ ratePerSecond: options.ratePerSecond ?? 1000, maxInFlight: options.maxInFlight ?? 200 }, async (n) => {
        const key = `${options.keyPrefix}${options.keyspace === undefined ? n : n % options.keyspace}`;
        const value = options.randomValues ? pool[n % pool.length] : `${n}:${filler}`.slice(0, Math.max(valueBytes, String(n).length + 1));
        try {
            const reply = await client.set(key, value);
            if (reply !== "OK") return fail(`reply ${String(reply)}`);
            acknowledgedCount++;
            const now = Date.now();
            longestAckGapMs = Math.max(longestAckGapMs, now - lastAckAt);
            lastAckAt = now;
            acknowledgedBytes += value.length;
            if (keepValues) acknowledged.set(key, value as string);
        } catch (error) {
            fail((error as Error).message);
        }
    });

    let stopped: Promise<WriteLoadResult> | undefined;
    return {
        get acknowledgedCount() {
            return acknowledgedCount;
        },
        async waitForAcknowledged(count: number, timeoutMs = 10_000) {
            const deadline = Date.now() + timeoutMs;
            while (acknowledgedCount < count) {
                if (Date.now() > deadline) {
                    throw new Error(
                        `write load ${options.keyPrefix}: ${acknowledgedCount} of ${count} SETs acknowledged after ${timeoutMs} ms ` +
                            `(failures: ${JSON.stringify([...failures])})`,
                    );
                }
                await sleep(20);
            }
        },
        stop() {
            stopped ??= (async () => {
                const elapsedMs = Date.now() - started;
                await pace.stop();
                client.disconnect();
                return {
                    acknowledged,
                    acknowledgedCount,
                    attempted: pace.started,
                    failed,
                    failures,
                    acknowledgedBytes,
                    elapsedMs,
                    firstFailureAt,
                    lastFailureAt,
                    longestAckGapMs,
                };
            })();
            return stopped;
        },
    };
}
