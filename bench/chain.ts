// What the figures need from a deployed A -> B -> C chain, whoever deployed it: clients for each
// node, the container names, where each replica points back to, and the deploy's timestamps.
import Redis from "ioredis";
import { parseInfo } from "../lib/check/replicationStatus";
import { docker } from "../testkit/harness/run";
import { ClientTarget } from "../testkit/redisClient";
import { sleep } from "../testkit/sleep";
import { SyncCounters, readSyncCounters } from "../testkit/syncCounters";
import { WriteLoadOptions } from "../testkit/writeLoad/writeLoad";
import { LoadShape } from "./settings";

/** Progress lines. */
export type Log = (line: string) => void;

export type NodeKey = "a" | "b" | "c";
export type Variant = "seed" | "ours" | "oursPlain";

/** Wall-clock instants (Date.now()) of a deploy, for the converge figure. */
export interface DeployTimes {
    /** The first Redis container's `docker create` was issued. */
    readonly firstCreateAt: number;
    /** The engine started each container's process (State.StartedAt). */
    readonly startedAt: Readonly<Record<NodeKey, number>>;
    /** The deploy handed over (seed: last `docker start` returned; ours: every output resolved). */
    readonly readyAt: number;
}

export interface BenchChain {
    readonly variant: Variant;
    readonly containers: Readonly<Record<NodeKey, string>>;
    /** A's plain endpoint and the password, for the out-of-process load writer. */
    readonly writer: ClientTarget;
    readonly deploy: DeployTimes;
    /**
     * Stack outputs (ours), or the seed described in the same shape: the post-deploy check reads
     * them, and so do the figures (each replica's declared link and upstream).
     */
    readonly outputs: Record<string, any>;
    /** A not yet connected client for one node (call `connect()`). */
    client(node: NodeKey): Redis;
    destroy(): Promise<void>;
}

/** Opens a connected client; the caller disconnects it. */
export async function open(chain: BenchChain, node: NodeKey): Promise<Redis> {
    const client = chain.client(node);
    await client.connect();
    return client;
}

/** Runs `fn` on a fresh client of one node and closes it. */
export async function withNode<T>(chain: BenchChain, node: NodeKey, fn: (c: Redis) => Promise<T>): Promise<T> {
    const client = await open(chain, node);
    try {
        return await fn(client);
    } finally {
        client.disconnect();
    }
}

/** INFO of the given sections, parsed. */
export async function infoOf(client: Redis, ...sections: string[]): Promise<Record<string, string>> {
    return parseInfo((await client.call("INFO", ...sections)) as string);
}

/** Polls INFO replication of `node` every `intervalMs` until `done` holds; resolves with the instant it did. */
export async function pollUntil(
    chain: BenchChain,
    node: NodeKey,
    done: (info: Record<string, string>) => boolean,
    timeoutMs: number,
    intervalMs = 50,
): Promise<{ at: number; info: Record<string, string> }> {
    const deadline = Date.now() + timeoutMs;
    let client: Redis | undefined;
    let last = "never answered";
    try {
        for (;;) {
            try {
                if (!client || client.status !== "ready") {
                    client?.disconnect();
                    client = await open(chain, node);
                }
                const info = await infoOf(client, "replication");
                if (done(info)) return { at: Date.now(), info };
                last = `master_link_status:${info.master_link_status ?? "-"} master_sync_in_progress:${info.master_sync_in_progress ?? "-"}`;
            } catch (error) {
                client?.disconnect();
                client = undefined;
                last = (error as Error).message;
            }
            if (Date.now() > deadline) throw new Error(`${chain.variant} ${node}: not there after ${timeoutMs} ms (${last})`);
            await sleep(intervalMs);
        }
    } finally {
        client?.disconnect();
    }
}

export const linkUp = (info: Record<string, string>) => info.role === "slave" && info.master_link_status === "up";
export const linkUpAndSynced = (info: Record<string, string>) => linkUp(info) && info.master_sync_in_progress === "0";

/** Redis's log lines (with Docker's receive timestamps) of a container, from `since` (ms) on. */
export async function redisLog(container: string, since = 0): Promise<{ at: number; line: string }[]> {
    const text = await docker(["logs", "--timestamps", container]);
    return text
        .split("\n")
        .map((raw) => {
            const space = raw.indexOf(" ");
            return { at: parseDockerTime(raw.slice(0, space)), line: raw.slice(space + 1) };
        })
        .filter((l) => Number.isFinite(l.at) && l.at >= since);
}

/** Docker's RFC 3339 (nanosecond) timestamps as epoch milliseconds. */
export function parseDockerTime(stamp: string): number {
    return Date.parse(stamp.trim().replace(/(\.\d{3})\d*Z$/, "$1Z"));
}

/** When the engine started the container's process (State.StartedAt). */
export async function containerStartedAt(container: string): Promise<number> {
    return parseDockerTime(await docker(["inspect", "--format", "{{.State.StartedAt}}", container]));
}

/** Log lines Redis writes at the instant a replica's link turns up (master_link_status:up). */
export const LINK_UP_LINE = /MASTER <-> REPLICA sync: Finished with success|MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization/;

/** Waits until B's and C's offsets reach A's current one (less `slackBytes`); returns how long that took. */
export async function waitCaughtUp(chain: BenchChain, timeoutMs: number, slackBytes = 0): Promise<number> {
    const started = Date.now();
    const target = Number((await withNode(chain, "a", (c) => infoOf(c, "replication"))).master_repl_offset) - slackBytes;
    for (const node of ["b", "c"] as const) {
        await pollUntil(chain, node, (info) => linkUp(info) && Number(info.slave_repl_offset) >= target, timeoutMs - (Date.now() - started), 20);
    }
    return Date.now() - started;
}

/**
 * A bench load shape as write load options: random (incompressible) values over a bounded keyspace,
 * and room for a tenth of a second of SETs in flight, so a briefly slow server does not make it skip.
 */
export function loadOptions(shape: LoadShape, keyPrefix: string): WriteLoadOptions {
    return {
        keyPrefix,
        ratePerSecond: shape.setsPerSecond,
        valueBytes: shape.valueBytes,
        keyspace: shape.keyspace,
        randomValues: true,
        maxInFlight: Math.max(100, Math.ceil(shape.setsPerSecond / 10)),
    };
}

/** sync_* counters of a node serving replicas, with its run_id (counters restart with the process). */
export function syncCounters(chain: BenchChain, node: NodeKey): Promise<SyncCounters> {
    return readSyncCounters((sections) => withNode(chain, node, (c) => c.call("INFO", ...sections) as Promise<string>));
}
