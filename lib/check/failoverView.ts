// What the sentinels say about a failover group, judged, and the chain as it should look from the
// master they name. Pure, so every verdict is table-tested without a sentinel.
import { ChainConnectionInfo, FailoverCheckGroup, NodeConnectionInfo } from "../connectionInfo";

/** What one sentinel answered. */
export interface SentinelAnswer {
    readonly sentinel: string;
    /** `SENTINEL GET-MASTER-ADDR-BY-NAME`: `host:port` as Sentinel reports it; undefined when unreachable or unknown. */
    readonly master?: string;
    /** `SENTINEL CKQUORUM`'s reply, or its error. */
    readonly ckquorum?: string;
    /** `SENTINEL REPLICAS`: the replicas it knows that are not down. */
    readonly replicasUp?: number;
    /** `config-epoch` of `SENTINEL MASTER`: the number of the last failover (0: none yet). */
    readonly configEpoch?: number;
    /** Why it could not be asked. */
    readonly error?: string;
}

/** The verdict on one group. */
export interface GroupVerdict {
    readonly group: string;
    /** The node every answering sentinel names master; undefined unless they agree on a known node. */
    readonly currentMaster?: string;
    /** Problems that fail the check, one line each. */
    readonly problems: readonly string[];
    /** What the report says besides (a failover that happened). */
    readonly notes: readonly string[];
}

/** The node whose published endpoint natMap gives for a Sentinel-reported address. */
export function nodeForAddress(group: FailoverCheckGroup, nodes: readonly NodeConnectionInfo[], address: string): string | undefined {
    const published = group.natMap[address];
    if (!published) return undefined;
    return nodes.find((n) => [n.plain, n.tls].some((e) => e !== null && e.host === published.host && e.port === published.port))?.name;
}

/** The address Sentinel reports for `node` (its natMap key), as `{ host, port }`. */
export function reportedAddress(group: FailoverCheckGroup, nodes: readonly NodeConnectionInfo[], node: string): { host: string; port: number } {
    for (const key of Object.keys(group.natMap)) {
        if (nodeForAddress(group, nodes, key) === node) {
            const colon = key.lastIndexOf(":");
            return { host: key.slice(0, colon), port: Number(key.slice(colon + 1)) };
        }
    }
    throw new Error(`no natMap entry of the failover group names ${node}`);
}

/** Judges the answers of a group's sentinels. */
export function judgeGroup(name: string, group: FailoverCheckGroup, nodes: readonly NodeConnectionInfo[], answers: readonly SentinelAnswer[]): GroupVerdict {
    const problems: string[] = [];
    const at = `failover ${name}`;
    for (const a of answers) {
        if (a.error !== undefined) problems.push(`${at}: ${a.sentinel} unreachable: ${a.error}`);
        else if (a.ckquorum === undefined || !a.ckquorum.startsWith("OK")) problems.push(`${at}: ${a.sentinel} CKQUORUM: ${a.ckquorum ?? "no answer"}`);
    }
    const answered = answers.filter((a) => a.error === undefined);
    const named = new Map(answered.map((a) => [a.sentinel, a.master === undefined ? undefined : (nodeForAddress(group, nodes, a.master) ?? a.master)]));
    const distinct = [...new Set(named.values())];
    let currentMaster: string | undefined;
    if (answered.length > 0 && distinct.length === 1 && distinct[0] !== undefined) {
        currentMaster = nodes.some((n) => n.name === distinct[0]) ? distinct[0] : undefined;
        if (!currentMaster) problems.push(`${at}: the sentinels name ${distinct[0]} master, which is no node of the group (natMap has no entry for it)`);
    } else if (answered.length > 0) {
        const said = [...named].map(([sentinel, master]) => `${sentinel} says ${master ?? "nothing"}`).join(", ");
        problems.push(`${at}: the sentinels disagree on the master: ${said}`);
    }
    if (answered.length > 0 && answered.every((a) => (a.replicasUp ?? 0) === 0)) {
        problems.push(`${at}: no sentinel knows a live replica of the master yet, so a failover could promote none`);
    }
    const notes: string[] = [];
    if (currentMaster && currentMaster !== group.declaredMaster) {
        const epoch = Math.max(...answered.map((a) => a.configEpoch ?? 0));
        notes.push(`${at}: master is ${currentMaster}, declared ${group.declaredMaster}: failover at config epoch ${epoch} (Sentinel keeps no time for it)`);
    }
    return { group: name, currentMaster, problems, notes };
}

/**
 * The chain as it should be with `currentMaster` master of the group whose declared master is
 * `declaredMaster`: Sentinel promoted one of the declared master's direct replicas and pointed the
 * others, and the old master, at it. Deeper nodes keep their upstream. `address` gives the
 * Sentinel-reported address (what INFO shows as master_host/master_port) of a node.
 */
export function chainFromMaster(
    chain: ChainConnectionInfo,
    group: Pick<FailoverCheckGroup, "declaredMaster" | "transport">,
    currentMaster: string,
    address: (node: string) => { readonly host: string; readonly port: number },
): ChainConnectionInfo {
    const { declaredMaster, transport } = group;
    if (declaredMaster === currentMaster) return chain;
    const byName = new Map(chain.nodes.map((n) => [n.name, n]));
    const declared = byName.get(declaredMaster)!;
    const moved = [declaredMaster, ...declared.replicas.filter((r) => r !== currentMaster)];
    const rewritten = chain.nodes.map((node): NodeConnectionInfo => {
        if (node.name === currentMaster) {
            return { ...node, role: "master", upstream: null, link: null, expectedMaster: null, replicas: [...node.replicas, ...moved] };
        }
        if (moved.includes(node.name)) {
            const replicas = node.name === declaredMaster ? [] : node.replicas;
            return { ...node, role: "replica", upstream: currentMaster, link: transport, expectedMaster: address(currentMaster), replicas };
        }
        return node;
    });
    // Masters first, replicas after their upstream: the check's tree walk relies on that order.
    const ordered: NodeConnectionInfo[] = [];
    const visit = (upstream: string | null) => {
        for (const node of rewritten) {
            if (node.upstream === upstream && !ordered.includes(node)) {
                ordered.push(node);
                visit(node.name);
            }
        }
    };
    visit(null);
    return { ...chain, nodes: ordered };
}
