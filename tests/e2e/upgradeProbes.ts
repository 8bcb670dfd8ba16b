// What an image change on a running stack is judged by: every node's INFO server sampled all along
// (which release each runs, side by side with its upstream's), the sync counters per process (how
// each hop resynced), and the write load on the master (acknowledged writes, the refused window).
import { parseInfo } from "../../lib/check/replicationStatus";
import { serverIdentity } from "../../lib/check/serverIdentity";
import { canReplicateFrom } from "../../lib/rdbFormats";
import { ServerRelease, compareVersions, parseServerRelease } from "../../lib/serverRelease";
import { DeployedStack, StackConfig, deployStack } from "../../testkit/harness/deployStack";
import { readTransport, targetFor, withRedis } from "../../testkit/redisClient";
import { sleep } from "../../testkit/sleep";
import { WriteLoadResult, startWriteLoad } from "../../testkit/writeLoad/writeLoad";
import { waitConverged } from "./chainProbes";

/** One node's answer in one sampling round. */
export interface NodeSample {
    readonly node: string;
    readonly release: ServerRelease;
    readonly runId: string;
    readonly syncFull: number;
    readonly syncPartialOk: number;
}

/** All nodes read at (nearly) the same time; a node that did not answer is absent. */
export interface SampleRound {
    readonly at: number;
    readonly nodes: ReadonlyMap<string, NodeSample>;
}

async function sampleNode(outputs: any, node: string): Promise<NodeSample | undefined> {
    try {
        // The check user: INFO is closed to the application user.
        const target = targetFor(outputs, node, readTransport(outputs, node), "check");
        const text = await withRedis(target, "poll", (c) => c.call("INFO", "server", "stats") as Promise<string>);
        const info = parseInfo(text);
        const identity = serverIdentity(info);
        const release = identity && parseServerRelease(`${identity.kind} ${identity.version}`);
        if (!identity || !release) return undefined;
        return { node, release, runId: identity.runId, syncFull: Number(info.sync_full), syncPartialOk: Number(info.sync_partial_ok) };
    } catch {
        return undefined; // down while its container is replaced
    }
}

/** Samples every node every `intervalMs` until stopped. */
export function startSampler(outputs: any, intervalMs = 150): { stop(): Promise<SampleRound[]> } {
    const rounds: SampleRound[] = [];
    let running = true;
    const loop = (async () => {
        while (running) {
            const started = Date.now();
            const samples = await Promise.all(Object.keys(outputs.nodes).map((node) => sampleNode(outputs, node)));
            rounds.push({ at: started, nodes: new Map(samples.filter((s) => s !== undefined).map((s) => [s.node, s])) });
            await sleep(Math.max(0, intervalMs - (Date.now() - started)));
        }
    })();
    return {
        async stop() {
            running = false;
            await loop;
            return rounds;
        },
    };
}

/** Whether `replica` runs an older server than `upstream`: an older version of the same kind, or one that cannot load its format. */
export function runsOlderThan(replica: ServerRelease, upstream: ServerRelease): boolean {
    if (replica.kind === upstream.kind && compareVersions(replica, upstream) < 0) return true;
    return !canReplicateFrom(replica, upstream).ok;
}

/** How many (round, replica) pairs had both the replica and its upstream answering: what the sightings were judged on. */
export function comparedPairs(outputs: any, rounds: readonly SampleRound[]): number {
    const replicas = (Object.values(outputs.nodes) as any[]).filter((n) => n.upstream);
    return rounds.reduce((sum, round) => sum + replicas.filter((r) => round.nodes.has(r.name) && round.nodes.has(r.upstream)).length, 0);
}

/** Every round in which a replica answered with an older server than its upstream (both answering). */
export function olderReplicaSightings(outputs: any, rounds: readonly SampleRound[]): string[] {
    const replicas = (Object.values(outputs.nodes) as any[]).filter((n) => n.upstream);
    return rounds.flatMap((round) =>
        replicas.flatMap((r) => {
            const mine = round.nodes.get(r.name);
            const theirs = round.nodes.get(r.upstream);
            if (!mine || !theirs || !runsOlderThan(mine.release, theirs.release)) return [];
            const label = (s: NodeSample) => `${s.release.kind} ${s.release.major}.${s.release.minor}.${s.release.patch}`;
            return [`${new Date(round.at).toISOString()} ${r.name} ${label(mine)} under ${r.upstream} ${label(theirs)}`];
        }),
    );
}

/**
 * Syncs a node served while the samples ran, summed over its processes (counters restart at 0 with
 * each process; the first process counts from its first sample).
 */
export function syncsServed(rounds: readonly SampleRound[], node: string): { full: number; partial: number } {
    const first = new Map<string, NodeSample>();
    const last = new Map<string, NodeSample>();
    for (const round of rounds) {
        const s = round.nodes.get(node);
        if (!s) continue;
        if (!first.has(s.runId)) first.set(s.runId, s);
        last.set(s.runId, s);
    }
    const initialRun = rounds.find((r) => r.nodes.has(node))?.nodes.get(node)?.runId;
    let full = 0;
    let partial = 0;
    for (const [runId, end] of last) {
        const base = runId === initialRun ? first.get(runId)! : { syncFull: 0, syncPartialOk: 0 };
        full += end.syncFull - base.syncFull;
        partial += end.syncPartialOk - base.syncPartialOk;
    }
    return { full, partial };
}

/** What one image change did, as the README's table reports it. */
export interface UpgradeFigures {
    readonly from: string;
    readonly to: string;
    readonly rollout: string;
    /** The deploy, from the first registration to every output resolved (post-deploy check included), ms. */
    readonly totalMs: number;
    /** Longest time between two acknowledged writes on the master, ms. */
    readonly writesRefusedMs: number;
    /** From the first to the last failed write, ms (0 without failures). */
    readonly failureSpanMs: number;
    readonly writesFailed: number;
    /** Per hop `upstream->replica`: syncs the upstream served while the change ran. */
    readonly hops: Record<string, { full: number; partial: number }>;
    /** Container replacements, in the order their deletes started. */
    readonly replacementOrder: string[];
    readonly olderReplicaSightings: string[];
    /** (round, replica) pairs in which the replica and its upstream both answered. */
    readonly samples: number;
}

/** An image change under a write load on the master, with the probes around it. */
export async function upgradeUnderLoad(
    previous: DeployedStack,
    config: StackConfig,
    label: { from: string; to: string },
    log: (line: string) => void,
): Promise<{ stack: DeployedStack; figures: UpgradeFigures; load: WriteLoadResult }> {
    const outputs = previous.outputs;
    const master = (Object.values(outputs.nodes) as any[]).find((n) => n.role === "master");
    const load = await startWriteLoad(targetFor(outputs, master.name, readTransport(outputs, master.name)), {
        keyPrefix: `upgrade:${label.to}:`,
        ratePerSecond: 300,
    });
    const sampler = startSampler(outputs);
    const deletes: { at: number; name: string }[] = [];
    let stack: DeployedStack;
    let result: WriteLoadResult;
    let rounds: SampleRound[];
    try {
        await load.waitForAcknowledged(150, 10_000);
        stack = await deployStack(config, log, previous, (e) => {
            if (e.phase === "delete-started" && e.type === "docker:index/container:Container") deletes.push({ at: e.at, name: e.name });
        });
        await load.waitForAcknowledged(load.acknowledgedCount + 150, 20_000);
    } finally {
        result = await load.stop();
        rounds = await sampler.stop();
    }
    await waitConverged(stack.outputs, 30_000);
    const hops = Object.fromEntries(
        (Object.values(outputs.nodes) as any[]).filter((n) => n.upstream).map((n) => [`${n.upstream}->${n.name}`, syncsServed(rounds, n.upstream)]),
    );
    const figures: UpgradeFigures = {
        ...label,
        rollout: String(config.rollout ?? "rolling"),
        totalMs: stack.deployMs,
        writesRefusedMs: result.longestAckGapMs,
        failureSpanMs: result.firstFailureAt === undefined ? 0 : result.lastFailureAt! - result.firstFailureAt,
        writesFailed: result.failed,
        hops,
        replacementOrder: deletes.sort((a, b) => a.at - b.at).map((d) => d.name.replace(/^redis-chain-|-container$/g, "")),
        olderReplicaSightings: olderReplicaSightings(outputs, rounds),
        samples: comparedPairs(outputs, rounds),
    };
    return { stack, figures, load: result };
}
