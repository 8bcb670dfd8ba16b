// The post-deploy check: one function used by the Pulumi check resource, `npm run verify` and the
// tests. It waits until every link is up as declared, then proves data flows down every link.
import { randomBytes } from "node:crypto";
import { CHECK_KEY_PREFIX } from "../aclUsers";
import { ChainConnectionInfo, ChainCredentials, NodeConnectionInfo } from "../connectionInfo";
import { askSentinels } from "./askSentinels";
import { GroupVerdict, chainFromMaster, judgeGroup, reportedAddress } from "./failoverView";
import { ListenerTarget, NodeClient } from "./nodeClient";
import { ReplicationObservation, describeLink, observe, parseInfo, replicationProblem } from "./replicationStatus";

/** Knobs of one check run. */
export interface CheckOptions {
    /** Overall bound for links to come up, in ms (default 60 s). */
    readonly timeoutMs?: number;
    /** Bound for a written key to reach every node once links are up, in ms (default 10 s). */
    readonly propagationTimeoutMs?: number;
    /** Delay between polls, in ms (default 100). */
    readonly pollIntervalMs?: number;
    /** Receives one line whenever what the check waits for changes, and every few seconds. */
    readonly onProgress?: (line: string) => void;
}

/** The verdict for one node. */
export interface NodeReport {
    readonly name: string;
    /** The Docker host it runs on. */
    readonly host: string;
    readonly role: "master" | "replica";
    readonly upstream: string | null;
    readonly link: "plain" | "tls" | null;
    readonly observed?: ReplicationObservation;
    /** Per listener: whether the check key was read back through it. */
    readonly readBack: { readonly plain?: boolean; readonly tls?: boolean };
    readonly problem?: string;
}

/** What a check run found; `failures` names each broken node or link, one line each. */
export interface CheckReport {
    readonly ok: boolean;
    readonly elapsedMs: number;
    /** Time until every link was up as declared, or undefined if that never happened. */
    readonly linksUpMs?: number;
    readonly nodes: readonly NodeReport[];
    readonly failures: readonly string[];
    /** What the check found besides failures: a failover Sentinel made, per group. */
    readonly notes?: readonly string[];
}

/** Checks the whole chain; never throws for a broken chain, the report says what is wrong. */
export async function checkReplication(
    declared: ChainConnectionInfo,
    credentials: ChainCredentials,
    options: CheckOptions = {},
): Promise<CheckReport> {
    const started = Date.now();
    // With Sentinel groups, the sentinels say who is master now; the links are checked from there.
    const groups = await settleFailoverGroups(declared, credentials, started, options);
    const groupProblems = groups.flatMap((g) => g.problems);
    const notes = groups.flatMap((g) => g.notes);
    notes.forEach((note) => options.onProgress?.(note));
    if (groupProblems.length > 0) {
        return { ...report(declared, started, undefined, new Map(), new Map(), new Map()), ok: false, failures: groupProblems, notes };
    }
    const chain = groups.reduce((current, verdict) => {
        const group = declared.failover![verdict.group];
        return chainFromMaster(current, group, verdict.currentMaster!, (node) => reportedAddress(group, declared.nodes, node));
    }, declared);
    const result = await checkLinks(chain, credentials, started, options);
    return notes.length > 0 ? { ...result, notes } : result;
}

/** Asks every group's sentinels until they agree, have their quorum and know a replica, or time runs out. */
async function settleFailoverGroups(
    chain: ChainConnectionInfo,
    credentials: ChainCredentials,
    started: number,
    options: CheckOptions,
): Promise<GroupVerdict[]> {
    const groups = Object.entries(chain.failover ?? {});
    if (groups.length === 0) return [];
    const deadline = started + (options.timeoutMs ?? 60_000);
    for (;;) {
        const verdicts = await Promise.all(
            groups.map(async ([name, group]) => judgeGroup(name, group, chain.nodes, await askSentinels(name, group, credentials.sentinelPassword, chain.caCertPem))),
        );
        if (verdicts.every((v) => v.problems.length === 0) || Date.now() >= deadline) return verdicts;
        options.onProgress?.(`waiting: ${verdicts.flatMap((v) => v.problems).join("; ")}`);
        await sleep(Math.max(options.pollIntervalMs ?? 100, 500));
    }
}

async function checkLinks(chain: ChainConnectionInfo, credentials: ChainCredentials, started: number, options: CheckOptions): Promise<CheckReport> {
    const clients = new Map<string, NodeClient[]>(
        chain.nodes.map((node) => [
            node.name,
            listenerTargets(node).map((t) => new NodeClient(t, chain.caCertPem, credentials)),
        ]),
    );
    try {
        const links = await waitForLinks(chain, clients, started, options);
        if (links.problems.size > 0) {
            return report(chain, started, undefined, links.observed, links.problems, new Map());
        }
        const linksUpMs = Date.now() - started;
        const readBack = await proveDataFlows(chain, clients, options);
        const problems = new Map<string, string>();
        for (const node of chain.nodes) {
            const failed = Object.entries(readBack.get(node.name) ?? {}).filter(([, ok]) => !ok);
            if (failed.length > 0) {
                problems.set(
                    node.name,
                    `${describeLink(node)}: check key not readable on ${node.name} via ${failed.map(([t]) => t).join(", ")} ` +
                        `within ${options.propagationTimeoutMs ?? 10_000} ms`,
                );
            }
        }
        return report(chain, started, linksUpMs, links.observed, problems, readBack);
    } finally {
        for (const list of clients.values()) list.forEach((c) => c.close());
    }
}

function listenerTargets(node: NodeConnectionInfo): ListenerTarget[] {
    const targets: ListenerTarget[] = [];
    if (node.plain) targets.push({ node: node.name, transport: "plain", endpoint: node.plain });
    if (node.tls) targets.push({ node: node.name, transport: "tls", endpoint: node.tls });
    return targets;
}

interface LinkState {
    readonly observed: Map<string, ReplicationObservation>;
    readonly problems: Map<string, string>;
}

async function waitForLinks(
    chain: ChainConnectionInfo,
    clients: Map<string, NodeClient[]>,
    started: number,
    options: CheckOptions,
): Promise<LinkState> {
    const deadline = started + (options.timeoutMs ?? 60_000);
    const progress = progressReporter(started, options.onProgress);
    for (;;) {
        const state = await pollLinks(chain, clients);
        progress(state.problems);
        if (state.problems.size === 0 || Date.now() >= deadline) return state;
        await sleep(options.pollIntervalMs ?? 100);
    }
}

async function pollLinks(chain: ChainConnectionInfo, clients: Map<string, NodeClient[]>): Promise<LinkState> {
    const observed = new Map<string, ReplicationObservation>();
    const problems = new Map<string, string>();
    await Promise.all(
        chain.nodes.map(async (node) => {
            // Any listener will do for INFO; every listener is exercised by the read-back.
            const client = clients.get(node.name)![0];
            try {
                const seen = observe(parseInfo(await client.run((c) => c.info("replication"))));
                observed.set(node.name, seen);
                const problem = replicationProblem(node, seen);
                if (problem) problems.set(node.name, problem);
            } catch (error) {
                const { endpoint, transport } = client.target;
                problems.set(
                    node.name,
                    `${describeLink(node)}: ${node.name} unreachable on ${transport} ${endpoint.host}:${endpoint.port}: ${errorText(error)}`,
                );
            }
        }),
    );
    // Chain order, not completion order, so an unchanged state prints the same progress line.
    const ordered = new Map(chain.nodes.filter((n) => problems.has(n.name)).map((n) => [n.name, problems.get(n.name)!]));
    return { observed, problems: ordered };
}

/** Writes a unique key on each master and reads it back through every listener of its tree. */
async function proveDataFlows(
    chain: ChainConnectionInfo,
    clients: Map<string, NodeClient[]>,
    options: CheckOptions,
): Promise<Map<string, Record<string, boolean>>> {
    const readBack = new Map<string, Record<string, boolean>>();
    const deadline = Date.now() + (options.propagationTimeoutMs ?? 10_000);
    for (const master of chain.nodes.filter((n) => n.role === "master")) {
        const key = `${CHECK_KEY_PREFIX}${randomBytes(8).toString("hex")}`;
        const value = randomBytes(16).toString("hex");
        const writer = clients.get(master.name)![0];
        // The expiry cleans up after a check that dies before its DEL.
        await writer.run((c) => c.set(key, value, "PX", 120_000));
        try {
            for (const node of treeOf(chain, master.name)) {
                const results: Record<string, boolean> = {};
                for (const client of clients.get(node.name)!) {
                    results[client.target.transport] = await readUntil(client, key, value, deadline, options);
                }
                readBack.set(node.name, results);
            }
        } finally {
            await writer.run((c) => c.del(key)).catch(() => undefined);
        }
    }
    return readBack;
}

function treeOf(chain: ChainConnectionInfo, root: string): NodeConnectionInfo[] {
    const names = new Set([root]);
    // Masters come first and replicas after their upstream in the outputs, so one pass suffices.
    return chain.nodes.filter((node) => {
        if (names.has(node.name) || (node.upstream !== null && names.has(node.upstream))) {
            names.add(node.name);
            return true;
        }
        return false;
    });
}

async function readUntil(
    client: NodeClient,
    key: string,
    value: string,
    deadline: number,
    options: CheckOptions,
): Promise<boolean> {
    for (;;) {
        const got = await client.run((c) => c.get(key)).catch(() => undefined);
        if (got === value) return true;
        if (Date.now() >= deadline) return false;
        await sleep(Math.min(options.pollIntervalMs ?? 100, 20));
    }
}

function report(
    chain: ChainConnectionInfo,
    started: number,
    linksUpMs: number | undefined,
    observed: Map<string, ReplicationObservation>,
    problems: Map<string, string>,
    readBack: Map<string, Record<string, boolean>>,
): CheckReport {
    return {
        ok: problems.size === 0,
        elapsedMs: Date.now() - started,
        linksUpMs,
        nodes: chain.nodes.map((node) => ({
            name: node.name,
            host: node.host,
            role: node.role,
            upstream: node.upstream,
            link: node.link,
            observed: observed.get(node.name),
            readBack: readBack.get(node.name) ?? {},
            problem: problems.get(node.name),
        })),
        failures: chain.nodes.flatMap((node) => problems.get(node.name) ?? []),
    };
}

function progressReporter(started: number, onProgress?: (line: string) => void) {
    let last = "";
    let lastAt = 0;
    return (problems: Map<string, string>) => {
        if (!onProgress) return;
        const now = Date.now();
        const text = problems.size === 0 ? "all links up" : [...problems.values()].join("; ");
        if (text !== last || now - lastAt >= 3000) {
            const seconds = ((now - started) / 1000).toFixed(1);
            onProgress(problems.size === 0 ? `[${seconds}s] ${text}` : `[${seconds}s] waiting: ${text}`);
            last = text;
            lastAt = now;
        }
    };
}

function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
