// What a node killed in a failover does when it comes back: how long it takes writes as a second
// master before Sentinel demotes it, and which resync it then gets from the new master.
import { parseInfo } from "../../lib/check/replicationStatus";
import { redisClient } from "../redisClient";
import { ResyncKind, SyncCounters, readSyncCounters, syncDelta } from "../syncCounters";
import { sleep } from "../sleep";
import { FailoverTarget, HostAddress } from "./failoverOutputs";
import { Progress } from "./sentinelView";

/** A node's INFO sections, as the server wrote them. */
async function infoText(target: FailoverTarget, address: HostAddress, sections: readonly string[]): Promise<string> {
    const client = redisClient({ ...address, ...target.inspector }, "poll", { commandTimeout: 2000 });
    try {
        await client.connect();
        return String(await client.call("INFO", ...sections));
    } finally {
        client.disconnect();
    }
}

/** A node's INFO section as field -> value. */
export async function infoFields(target: FailoverTarget, address: HostAddress, section: string): Promise<Record<string, string>> {
    return parseInfo(await infoText(target, address, [section]));
}

/** The sync counters of a master serving replicas. */
export function syncCounters(target: FailoverTarget, master: HostAddress): Promise<SyncCounters> {
    return readSyncCounters((sections) => infoText(target, master, sections));
}

/** The returning node's writable window and its resync. */
export interface RejoinResult {
    /** From the restart call to the first SET it acknowledged; undefined when it never took one. */
    readonly firstWriteMs?: number;
    /** From its first to its last acknowledged SET: how long it was a second, writable master. */
    readonly writableMs: number;
    /** SETs it acknowledged (20 ms apart): writes nobody will ever see again. */
    readonly writesTaken: number;
    /** From the restart call to ROLE slave with master_link_status:up. */
    readonly linkUpMs: number;
    readonly resync: ResyncKind;
    readonly counters: { readonly before: SyncCounters; readonly after: SyncCounters };
}

/**
 * Calls `restart`, then writes to the returning node directly every 20 ms (application user) until
 * it is a replica of `master` with its link up; bounded by `timeoutMs`.
 */
export async function measureRejoin(
    target: FailoverTarget,
    node: HostAddress,
    master: HostAddress,
    restart: () => Promise<void>,
    timeoutMs = 60_000,
    progress?: Progress,
): Promise<RejoinResult> {
    const before = await syncCounters(target, master);
    const started = Date.now();
    await restart();
    let firstOk: number | undefined;
    let lastOk: number | undefined;
    let writesTaken = 0;
    const writer = redisClient({ ...node, password: target.password }, "load", { commandTimeout: 1000, retryStrategy: () => 20 });
    writer.connect().catch(() => undefined);
    try {
        for (let i = 0; ; i++) {
            try {
                if ((await writer.set("failover:rejoin-probe", String(i))) === "OK") {
                    firstOk ??= Date.now();
                    lastOk = Date.now();
                    writesTaken++;
                }
            } catch {
                // READONLY once demoted; connection errors while it starts.
            }
            if (i % 5 === 0) {
                const replication = await infoFields(target, node, "replication").catch(() => undefined);
                if (replication?.role === "slave" && replication.master_link_status === "up") break;
            }
            if (Date.now() - started > timeoutMs) throw new Error(`${node.host}:${node.port} did not rejoin as a replica within ${timeoutMs} ms`);
            await sleep(20);
        }
    } finally {
        writer.disconnect();
    }
    const linkUpMs = Date.now() - started;
    const after = await syncCounters(target, master);
    progress?.(`rejoined after ${linkUpMs} ms, ${writesTaken} writes taken as a master`);
    return {
        firstWriteMs: firstOk === undefined ? undefined : firstOk - started,
        writableMs: firstOk === undefined || lastOk === undefined ? 0 : lastOk - firstOk,
        writesTaken,
        linkUpMs,
        resync: syncDelta(before, after).kind,
        counters: { before, after },
    };
}
