// One fault under load: kill the current master, wait for the sentinels to agree on a new one, let
// the load write through it, read everything back, optionally bring the killed node back. The unit
// of the failover e2e tests and of the failover bench.
import { sleep } from "../sleep";
import { FailoverTarget, HostAddress, hostAddressOf } from "./failoverOutputs";
import { RejoinResult, measureRejoin } from "./rejoin";
import { readBackAudit, startSentinelLoad } from "./sentinelLoad";
import { Progress, masterAddresses, rolesOf, waitForFailover } from "./sentinelView";
import { FirstWriteAfter, WriteAudit, acknowledgedByAfter, firstWriteAfter } from "./writeAudit";

/** How a killed node comes back: as deployed (no replicaof), or told to replicate the new master. */
export type RestartHow = "asDeployed" | "replicaOfNewMaster";

/** The faults a cycle needs, on nodes named by their announced host (the container name). */
export interface FaultControl {
    /** SIGKILL of the node's container; resolves to the instant it died (Date ms) when known. */
    kill(node: string): Promise<number | void>;
    /** Starts the node again; `newMaster` is the announced host of the master that replaced it. */
    restart(node: string, how: RestartHow, newMaster: HostAddress): Promise<void>;
}

/** Knobs of one cycle. */
export interface KillCycleOptions {
    readonly keyPrefix: string;
    /** SETs per second of the load (default 200). */
    readonly ratePerSecond?: number;
    /** Load with `WAIT 1 <waitMs>` after each acknowledged SET; absent: none. */
    readonly waitMs?: number;
    /** Load time before the kill (default 2000). */
    readonly beforeFaultMs?: number;
    /** Bound for the sentinels to agree on a new master (default 60000). */
    readonly failoverTimeoutMs?: number;
    /** Writes the new master must acknowledge before the load stops (default 100). */
    readonly acknowledgedAfter?: number;
    /** Bring the killed node back, and how; absent: it stays down. */
    readonly restart?: RestartHow;
    readonly failoverDetector?: boolean;
    readonly progress?: Progress;
}

export interface KillCycleResult {
    /** Announced "host:port" of the killed master and of its successor. */
    readonly killed: string;
    readonly newMaster: string;
    /** When the killed master died (or the kill was called, if the control does not know). */
    readonly faultAt: number;
    /** From the fault to the first poll (every 100 ms) where every sentinel reported the new master. */
    readonly sentinelsAgreedMs: number;
    /** From the kill to the first write the new master acknowledged through the Sentinel client. */
    readonly firstWrite?: FirstWriteAfter;
    readonly audit: WriteAudit;
    /** Masters among the nodes at the end (ROLE): one, unless a split brain lasts. */
    readonly mastersAtEnd: string[];
    readonly rejoin?: RejoinResult;
}

const key = (a: HostAddress) => `${a.host}:${a.port}`;

/** Kills the current master of `target` under a Sentinel write load and measures the failover. */
export async function runKillCycle(target: FailoverTarget, control: FaultControl, options: KillCycleOptions): Promise<KillCycleResult> {
    const log = options.progress ?? (() => undefined);
    const { agreed: old } = await masterAddresses(target);
    if (!old) throw new Error("the sentinels do not agree on the master before the fault");
    const load = await startSentinelLoad(target, {
        keyPrefix: options.keyPrefix,
        ratePerSecond: options.ratePerSecond,
        waitMs: options.waitMs,
        client: { failoverDetector: options.failoverDetector },
    });
    let records;
    let faultAt: number;
    let seen;
    try {
        await load.waitForAcknowledged(1);
        await sleep(options.beforeFaultMs ?? 2000);
        const calledAt = Date.now();
        faultAt = (await control.kill(old.host)) ?? calledAt;
        log(`killed ${key(old)}`);
        seen = await waitForFailover(target, old, options.failoverTimeoutMs ?? 60_000, log);
        log(`sentinels agree on ${key(seen.master)} after ${seen.elapsedMs} ms`);
        await load.waitForAcknowledged(options.acknowledgedAfter ?? 100, 30_000);
    } finally {
        records = await load.stop();
    }
    const audit = await readBackAudit(target, options.keyPrefix, records);
    const firstWrite = firstWriteAfter(records, faultAt, key(old));
    const stale = acknowledgedByAfter(records, faultAt, key(old));
    if (stale > 0) log(`${key(old)} acknowledged ${stale} writes after the kill`);
    let rejoin: RejoinResult | undefined;
    if (options.restart) {
        const how = options.restart;
        rejoin = await measureRejoin(target, hostAddressOf(target.group, old), hostAddressOf(target.group, seen.master), () => control.restart(old.host, how, seen.master), 90_000, log);
    }
    const nodes = Object.values(target.group.natMap);
    const { masters } = await rolesOf(target, nodes);
    return {
        killed: key(old),
        newMaster: key(seen.master),
        faultAt,
        sentinelsAgreedMs: seen.at - faultAt,
        firstWrite,
        audit,
        mastersAtEnd: masters.map((m) => Object.entries(target.group.natMap).find(([, a]) => a.port === m.port && a.host === m.host)?.[0] ?? key(m)),
        rejoin,
    };
}
