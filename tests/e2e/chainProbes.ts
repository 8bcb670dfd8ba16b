// The probes that judge the chain after a fault: convergence by replication offsets, sync counters,
// and every acknowledged write read back.
import Redis from "ioredis";
import { parseInfo } from "../../lib/check/replicationStatus";
import { StackUser, readTransport, targetFor, withRedis } from "../../testkit/redisClient";
import { sleep } from "../../testkit/sleep";
import { SyncCounters, readSyncCounters } from "../../testkit/syncCounters";

/**
 * Runs `fn` on a fresh client for one listener, then closes it (nodes restart under these tests);
 * as the application user unless told otherwise.
 */
export async function withClient<T>(
    outputs: any,
    node: string,
    transport: "plain" | "tls",
    fn: (c: Redis) => Promise<T>,
    user: StackUser = "application",
): Promise<T> {
    return withRedis(targetFor(outputs, node, transport, user), "poll", fn);
}

/** INFO of the given sections as key -> value, read as the check user (the application user may not). */
export async function info(outputs: any, node: string, ...sections: string[]): Promise<Record<string, string>> {
    const text = (await withClient(outputs, node, readTransport(outputs, node), (c) => c.call("INFO", ...sections), "check")) as string;
    return parseInfo(text);
}

/** A node's sync counters, read through a client of its own (as a master serving replicas), as the check user. */
export function syncCounters(outputs: any, node: string): Promise<SyncCounters> {
    return readSyncCounters((sections) =>
        withClient(outputs, node, readTransport(outputs, node), (c) => c.call("INFO", ...sections) as Promise<string>, "check"),
    );
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
