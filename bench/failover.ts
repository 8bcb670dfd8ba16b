// `npm run bench:failover`: kills the master of one Sentinel group N times under a write load, once
// per load variant (plain SETs, SETs each followed by WAIT), and prints p50/max failover times and
// lost writes. The deployment is a parameter: the hand-made group of testkit/failover/handGroup.ts
// when run as a script, the harness deploy of a stack with a `failover` output later.
import { FaultControl, KillCycleResult, RestartHow, runKillCycle } from "../testkit/failover/killCycle";
import { FailoverTarget } from "../testkit/failover/failoverOutputs";
import { FailoverSummary, Spread, summarizeCycles } from "../testkit/failover/failoverSummary";
import { checkQuorum, waitForReplicasUp } from "../testkit/failover/sentinelView";

/** A deployed group the bench may kill nodes of. */
export interface FailoverDeployment {
    readonly target: FailoverTarget;
    readonly control: FaultControl;
    /** Removes everything the deploy created. */
    destroy(): Promise<void>;
}

/** One load variant: its label in the table and its WAIT bound (absent: no WAIT). */
export interface LoadVariant {
    readonly label: string;
    readonly waitMs?: number;
}

export interface FailoverBenchOptions {
    /** Deploys a fresh group; called once per variant, destroyed after it. */
    readonly deploy: () => Promise<FailoverDeployment>;
    /** Kills per variant. */
    readonly kills: number;
    readonly variants: readonly LoadVariant[];
    /** SETs per second of the load (default 200). */
    readonly ratePerSecond?: number;
    /** How each killed node comes back before the next kill (default: as deployed). */
    readonly restart?: RestartHow;
    /** Progress lines (default: stdout). */
    readonly log?: (line: string) => void;
    /**
     * Resolves once the group can fail over again (default: every sentinel lists exactly one replica,
     * linked, and CKQUORUM passes). A stack whose sentinels also list a replica they never reach
     * (a TLS-only sub-replica in a plain group) passes its own.
     */
    readonly readyBeforeKill?: (target: FailoverTarget) => Promise<void>;
    /** Called after each kill cycle (samples written as they come survive a run cut short). */
    /** The group's down-after-milliseconds: how long a kill may take to end in a failover, plus a minute. */
    readonly downAfterMs: number;
    readonly onCycle?: (variant: LoadVariant, cycle: KillCycleResult) => void;
}

export interface FailoverBenchResult {
    readonly variants: { readonly label: string; readonly summary: FailoverSummary; readonly cycles: KillCycleResult[]; readonly error?: string }[];
}

/** Runs every variant on its own deployment; a failed cycle ends its variant, recorded as `error`. */
export async function runFailoverBench(options: FailoverBenchOptions): Promise<FailoverBenchResult> {
    const started = Date.now();
    const print = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
    const log = (line: string) => print(`[failover ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
    const variants: FailoverBenchResult["variants"][number][] = [];
    for (const variant of options.variants) {
        log(`${variant.label}: deploying`);
        const deployment = await options.deploy();
        const cycles: KillCycleResult[] = [];
        let error: string | undefined;
        try {
            for (let i = 0; i < options.kills; i++) {
                // The next kill needs every sentinel up and the killed node back as a replica.
                await (options.readyBeforeKill ?? ((target) => oneReplicaUp(target, log)))(deployment.target);
                const cycle = await runKillCycle(deployment.target, deployment.control, {
                    keyPrefix: `bench:${variant.label}:${i}:`,
                    ratePerSecond: options.ratePerSecond,
                    waitMs: variant.waitMs,
                    restart: options.restart ?? "asDeployed",
                    // Sentinel's down-after comes first, then the election and the promotion.
                    failoverTimeoutMs: options.downAfterMs + 60_000,
                    progress: log,
                });
                cycles.push(cycle);
                options.onCycle?.(variant, cycle);
                log(`${variant.label} kill ${i + 1}/${options.kills}: ${cycleLine(cycle)}`);
            }
        } catch (e) {
            error = (e as Error).message;
            log(`FAILED ${variant.label}: ${error}`);
        } finally {
            log(`${variant.label}: tearing down`);
            await deployment.destroy();
        }
        variants.push({ label: variant.label, summary: summarizeCycles(cycles), cycles, error });
    }
    return { variants };
}

/** One replica listed and linked on every sentinel, and CKQUORUM passing everywhere. */
async function oneReplicaUp(target: FailoverTarget, log: (line: string) => void): Promise<void> {
    await waitForReplicasUp(target, 1, 90_000, log);
    const quorum = await checkQuorum(target);
    if (!quorum.every((q) => "value" in q && q.value.startsWith("OK"))) throw new Error(`CKQUORUM before a kill: ${JSON.stringify(quorum)}`);
}

function cycleLine(c: KillCycleResult): string {
    return (
        `${c.killed} -> ${c.newMaster}; sentinels agreed after ${c.sentinelsAgreedMs} ms; first write after ${c.firstWrite?.afterMs ?? "never"} ms; ` +
        `acknowledged lost ${c.audit.acknowledgedLost.length}/${c.audit.acknowledged}, WAIT-confirmed lost ${c.audit.waitConfirmedLost.length}/${c.audit.waitConfirmed}` +
        (c.rejoin ? `; restarted node took ${c.rejoin.writesTaken} writes as a master over ${c.rejoin.writableMs} ms, then a ${c.rejoin.resync} resync` : "")
    );
}

const spreadText = (s: Spread) => (s.samples === 0 ? "n/a" : `${s.p50Ms} / ${s.maxMs} ms`);

/** The result as a Markdown table, one row per variant. */
export function failoverMarkdown(result: FailoverBenchResult): string {
    const rows = result.variants.map(({ label, summary: s, error }) =>
        [
            label,
            String(s.cycles),
            spreadText(s.firstWrite),
            spreadText(s.sentinelsAgreed),
            `${s.acknowledgedLost} of ${s.acknowledged}`,
            `${s.waitConfirmedLost} of ${s.waitConfirmed}`,
            String(s.splitBrainWrites),
            error ?? "",
        ].join(" | "),
    );
    return [
        "| load | kills | fault -> first write on new master (p50 / max) | fault -> sentinels agree (p50 / max) | acknowledged lost | WAIT-confirmed lost | writes taken by the restarted old master | error |",
        "|---|---|---|---|---|---|---|---|",
        ...rows.map((r) => `| ${r} |`),
    ].join("\n");
}
