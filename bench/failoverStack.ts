// `npm run bench:failover`: the failover bench on the ha stack (Pulumi.ha.yaml) deployed through the
// harness, as `pulumi up` would: per load variant a fresh deploy, then N kills of A, each killed A
// started again as deployed (its start script asks the sentinels) and made master again with a
// graceful SENTINEL FAILOVER before the next kill.
// Appends every kill to .bench/failover/<down-after>ms.jsonl and prints p50/max over the whole file,
// so runs of a few kills each add up to the figures in the README.
// FAILOVER_KILLS (default 10), FAILOVER_DOWN_AFTER_MS (default: the program's, 5000),
// FAILOVER_WAIT_MS (default 100), FAILOVER_VARIANTS ("set,wait", default both).
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { cpus, hostname } from "node:os";
import { join } from "node:path";
import { CONFIG_DEFAULTS } from "../lib/configSchema";
import { removeLeftovers } from "../testkit/dockerObjects";
import { killContainer } from "../testkit/failover/dockerFaults";
import { FailoverTarget } from "../testkit/failover/failoverOutputs";
import { KillCycleResult } from "../testkit/failover/killCycle";
import { nodeAddress, stackFailoverTarget } from "../testkit/failover/stackTarget";
import { percentile } from "../testkit/failover/writeAudit";
import { infoFields } from "../testkit/failover/rejoin";
import { checkQuorum, masterAddresses, waitForFailover, withSentinel } from "../testkit/failover/sentinelView";
import { PROJECT_DIR, deployStack, readStackConfig } from "../testkit/harness/deployStack";
import { docker } from "../testkit/harness/run";
import { sleep } from "../testkit/sleep";
import { testStack, withHostPorts } from "../testkit/stacks";
import { FailoverDeployment, LoadVariant, runFailoverBench } from "./failover";
import { runMain } from "./runMain";

/** Names and host ports of the bench's stack: 47150-47199, clear of the failover e2e test's ports. */
const PREFIX = "bench-failover-ha-";
const NODE_PORTS = { "redis-a": { plain: 47151 }, "redis-b": { plain: 47152, tls: 47153 }, "redis-c": { tls: 47154 } };
const SENTINEL_PORTS = [47161, 47162, 47163];
const GROUP = "redis-a";
/** The promotion candidates (the group's transport reaches only these; C is never promoted). */
const CANDIDATES = ["redis-a", "redis-b"].map((n) => `${PREFIX}${n}`);

/** One kill as a line of the samples file. */
export interface FailoverSample {
    readonly at: string;
    readonly machine: string;
    readonly downAfterMs: number;
    readonly load: string;
    readonly killed: string;
    readonly newMaster: string;
    readonly firstWriteMs?: number;
    readonly sentinelsAgreedMs: number;
    readonly acknowledged: number;
    readonly acknowledgedLost: number;
    readonly waitConfirmed: number;
    readonly waitConfirmedLost: number;
    readonly writesTakenByRestarted: number;
    readonly resync?: string;
}

function sample(c: KillCycleResult, downAfterMs: number, load: string, machine: string): FailoverSample {
    return {
        at: new Date(c.faultAt).toISOString(),
        machine,
        downAfterMs,
        load,
        killed: c.killed,
        newMaster: c.newMaster,
        firstWriteMs: c.firstWrite?.afterMs,
        sentinelsAgreedMs: c.sentinelsAgreedMs,
        acknowledged: c.audit.acknowledged,
        acknowledgedLost: c.audit.acknowledgedLost.length,
        waitConfirmed: c.audit.waitConfirmed,
        waitConfirmedLost: c.audit.waitConfirmedLost.length,
        writesTakenByRestarted: c.rejoin?.writesTaken ?? 0,
        resync: c.rejoin?.resync,
    };
}

/**
 * Ready for the next kill of A: A master again (a graceful `SENTINEL FAILOVER` when B is), B its
 * linked replica, and every sentinel's CKQUORUM passing. Every kill is of A because only B, with C
 * below it, can take writes as a new master: A promoted has no replica (B dead, C behind B), so
 * with min-replicas-to-write 1 it refuses writes until B is back. (Sentinel also lists C, which its
 * plain connections never reach: a wait on every listed replica would never end.)
 */
async function candidatesReady(target: FailoverTarget, timeoutMs: number, log: (line: string) => void): Promise<void> {
    await candidatesLinked(target, timeoutMs);
    const { agreed } = await masterAddresses(target);
    if (agreed?.host === CANDIDATES[0]) return;
    log(`failing back to ${CANDIDATES[0]} (SENTINEL FAILOVER)`);
    // A sentinel refuses (NOGOODSLAVE) until its INFO of the returned node is fresh: ask again.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            await withSentinel(target, target.group.sentinels[0], (c) => c.call("SENTINEL", "FAILOVER", target.masterName));
            break;
        } catch (error) {
            if (!/^(NOGOODSLAVE|INPROG)/.test((error as Error).message) || Date.now() > deadline) throw error;
            await sleep(250);
        }
    }
    await waitForFailover(target, agreed ?? { host: CANDIDATES[1], port: 6379 }, timeoutMs, log);
    await candidatesLinked(target, timeoutMs);
}

/** One candidate master, the other its linked replica, CKQUORUM passing on every sentinel. */
async function candidatesLinked(target: FailoverTarget, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const infos = await Promise.all(CANDIDATES.map((c) => infoFields(target, nodeAddress(target, c), "replication").catch(() => undefined)));
        const masters = infos.filter((i) => i?.role === "master").length;
        const linked = infos.filter((i) => i?.role === "slave" && i.master_link_status === "up").length;
        const quorum = await checkQuorum(target);
        if (masters === 1 && linked === CANDIDATES.length - 1 && quorum.every((q) => "value" in q && q.value.startsWith("OK"))) return;
        if (Date.now() > deadline) throw new Error(`candidates not ready after ${timeoutMs} ms: ${JSON.stringify(infos.map((i) => i && { role: i.role, link: i.master_link_status }))}`);
        await sleep(250);
    }
}

async function deployHa(downAfterMs: number): Promise<FailoverDeployment> {
    await removeLeftovers(PREFIX);
    const base = withHostPorts(testStack(readStackConfig("ha"), PREFIX, 0), NODE_PORTS);
    const nodes = (base.nodes as any[]).map((n) => (n.failover ? { ...n, failover: { ...n.failover, hostPorts: SENTINEL_PORTS, downAfterMs } } : n));
    const stack = await deployStack({ ...base, nodes });
    const target = stackFailoverTarget(stack.outputs, GROUP);
    return {
        target,
        control: { kill: killContainer, restart: async (node) => void (await docker(["start", node])) },
        async destroy() {
            await stack.destroy();
            await removeLeftovers(PREFIX);
        },
    };
}

function spreadText(values: readonly number[]): string {
    return values.length === 0 ? "n/a" : `${percentile(values, 50)} / ${Math.max(...values)} ms`;
}

/** p50/max and losses per load over every sample of the file. */
function table(samples: readonly FailoverSample[]): string {
    const loads = [...new Set(samples.map((s) => s.load))];
    const rows = loads.map((load) => {
        const of = samples.filter((s) => s.load === load);
        const sum = (pick: (s: FailoverSample) => number) => of.reduce((t, s) => t + pick(s), 0);
        const perFailover = (n: number) => (n / of.length).toFixed(1);
        return [
            load,
            String(of.length),
            spreadText(of.flatMap((s) => (s.firstWriteMs === undefined ? [] : [s.firstWriteMs]))),
            spreadText(of.map((s) => s.sentinelsAgreedMs)),
            `${sum((s) => s.acknowledgedLost)} of ${sum((s) => s.acknowledged)} (${perFailover(sum((s) => s.acknowledgedLost))} per failover)`,
            `${sum((s) => s.waitConfirmedLost)} of ${sum((s) => s.waitConfirmed)}`,
            String(sum((s) => s.writesTakenByRestarted)),
        ].join(" | ");
    });
    return [
        "| load | kills | kill -> first write on the new master (p50 / max) | kill -> all sentinels agree (p50 / max) | acknowledged writes lost | WAIT-confirmed lost | writes taken by the restarted old master |",
        "|---|---|---|---|---|---|---|",
        ...rows.map((r) => `| ${r} |`),
    ].join("\n");
}

async function main(): Promise<number> {
    const kills = Number(process.env.FAILOVER_KILLS ?? 10);
    const downAfterMs = Number(process.env.FAILOVER_DOWN_AFTER_MS ?? CONFIG_DEFAULTS.failover.downAfterMs);
    const waitMs = Number(process.env.FAILOVER_WAIT_MS ?? 100);
    const wanted = (process.env.FAILOVER_VARIANTS ?? "set,wait").split(",");
    const variants: LoadVariant[] = [
        ...(wanted.includes("set") ? [{ label: "SET" }] : []),
        ...(wanted.includes("wait") ? [{ label: `SET + WAIT 1 ${waitMs}`, waitMs }] : []),
    ];
    const machine = `${hostname()}, ${cpus().length} cores`;
    const dir = join(PROJECT_DIR, ".bench", "failover");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${downAfterMs}ms.jsonl`);
    try {
        const result = await runFailoverBench({
            deploy: () => deployHa(downAfterMs),
            downAfterMs,
            kills,
            variants,
            readyBeforeKill: (t) => candidatesReady(t, 90_000, (l) => process.stdout.write(`${l}\n`)),
            onCycle: (variant, cycle) => appendFileSync(file, `${JSON.stringify(sample(cycle, downAfterMs, variant.label, machine))}\n`),
        });
        const all = (existsSync(file) ? readFileSync(file, "utf8") : "").split("\n").filter(Boolean).map((l) => JSON.parse(l) as FailoverSample);
        process.stdout.write(
            `\nha stack, down-after-milliseconds ${downAfterMs}, ${machine}; this run ${kills} kills per load; all samples in ${file}:\n\n${table(all)}\n`,
        );
        return result.variants.some((v) => v.error) ? 1 : 0;
    } finally {
        await removeLeftovers(PREFIX);
    }
}

runMain(main);
