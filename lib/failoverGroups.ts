// Sentinel groups: a master's `failover` block, validated and turned into the group model (who may
// be promoted, over which transport, where the sentinels run). Pure; parseTopology calls it.
//
// Facts this rests on (Redis's sentinel.c and replication.c, and its Sentinel docs):
// - Sentinel discovers the replicas of the master it monitors from that master's INFO: its direct
//   replicas. A sub-replica becomes visible only once its upstream is master.
// - `tls-replication yes` in sentinel.conf makes Sentinel use TLS to every instance it monitors and to
//   the other sentinels; there is no per-instance choice. So a group has exactly one transport.
// - A replica reports itself to its master (REPLCONF listening-port / ip-address) with
//   replica-announce-port, else its tls-port when tls-replication is on, else its port; with
//   replica-announce-ip, else the address the master sees. Sentinel connects to that address.
// - A replica with `replica-priority 0` is never promoted.
// - A failover needs the quorum to agree the master is down, then a majority of all sentinels to
//   authorize one of them as leader.
import { CONFIG_DEFAULTS, FailoverConfig, SENTINEL_PORT } from "./configSchema";
import { FailoverGroup, FailoverGroupSettings, HostAddresses, LOCAL_HOST, NodeConfig, NodeFailover, NodeSpec, SentinelSpec, Transport } from "./topology";

/** A validated failover block before the nodes' listeners are placed. */
export interface FailoverPlan extends FailoverGroupSettings {
    readonly minReplicasToWrite: number;
    readonly minReplicasMaxLagS: number;
    /** Per sentinel: its host and host port. */
    readonly sentinels: readonly { readonly host: string; readonly hostPort: number }[];
}

/** Name of a group's sentinel `index` (from 0): `<group>-sentinel-<index + 1>`; its container name after the prefix. */
export function sentinelName(group: string, index: number): string {
    return `${group}-sentinel-${index + 1}`;
}

/** The majority of `sentinels` Sentinel needs to authorize a failover; also the default quorum. */
export function majority(sentinels: number): number {
    return Math.floor(sentinels / 2) + 1;
}

/** Where the node list's problems are reported: `nodes[2] (redis-c)`. */
export type Where = (index: number, name?: string) => string;

/**
 * Validates every `failover` block and plans its group; problems are appended in the project's
 * format. `taken` holds the host ports in use per `host:port` (the nodes' listeners) and receives the
 * sentinels' ports, so later port assignments (exporters) avoid them.
 */
export function planFailoverGroups(
    nodes: readonly NodeConfig[],
    hosts: ReadonlyMap<string, HostAddresses>,
    taken: Map<string, string>,
    where: Where,
    problems: string[],
): FailoverPlan[] {
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const plans: FailoverPlan[] = [];
    const groupNames = new Map<string, string>();
    nodes.forEach((node, i) => {
        if (node.failover === undefined) return;
        const at = `${where(i, node.name)}.failover`;
        if (node.replicaOf !== undefined) {
            problems.push(
                `${at}: set on a replica; put the failover block on the master of the tree (${rootOf(node, byName)}), it covers every node below it`,
            );
            return;
        }
        const before = problems.length;
        const plan = planGroup(node, nodes, byName, hosts, taken, at, problems);
        const owner = groupNames.get(plan.name);
        if (owner) problems.push(`${at}.name: the group name "${plan.name}" is already used by the failover of ${owner}; give each group its own name`);
        groupNames.set(plan.name, node.name);
        if (problems.length === before) plans.push(plan);
    });
    return plans;
}

/**
 * A promoted replica takes writes only with minReplicasToWrite replicas of its own: after the
 * master is lost, those are the master's other direct replicas (Sentinel points them at it) and the
 * replica's own replicas. With fewer, the failover would leave a master that refuses every write
 * (NOREPLICAS) until the old master comes back.
 */
function checkWritesAfterPromotion(
    master: NodeConfig,
    directReplicas: readonly NodeConfig[],
    nodes: readonly NodeConfig[],
    minReplicasToWrite: number,
    at: string,
    problems: string[],
): void {
    for (const candidate of directReplicas) {
        const replicasOnceMaster = directReplicas.length - 1 + nodes.filter((n) => n.replicaOf === candidate.name).length;
        if (replicasOnceMaster < minReplicasToWrite) {
            problems.push(
                `${at}.minReplicasToWrite: ${minReplicasToWrite} would leave ${candidate.name}, promoted once ${master.name} is lost, ` +
                    `with ${replicasOnceMaster} replica${replicasOnceMaster === 1 ? "" : "s"}, refusing every write until ${master.name} returns; ` +
                    `add a replica of ${master.name} or of ${candidate.name}, or set minReplicasToWrite: ${replicasOnceMaster}`,
            );
            return;
        }
    }
}

function rootOf(node: NodeConfig, byName: ReadonlyMap<string, NodeConfig>): string {
    let current = node;
    const seen = new Set<string>();
    while (current.replicaOf !== undefined && byName.has(current.replicaOf) && !seen.has(current.name)) {
        seen.add(current.name);
        current = byName.get(current.replicaOf)!;
    }
    return current.name;
}

function planGroup(
    master: NodeConfig,
    nodes: readonly NodeConfig[],
    byName: ReadonlyMap<string, NodeConfig>,
    hosts: ReadonlyMap<string, HostAddresses>,
    taken: Map<string, string>,
    at: string,
    problems: string[],
): FailoverPlan {
    const config: FailoverConfig = master.failover!;
    const defaults = CONFIG_DEFAULTS.failover;
    const name = config.name ?? master.name;
    const count = config.sentinels ?? defaults.sentinels;
    const quorum = config.quorum ?? majority(count);
    if (quorum > count) {
        problems.push(`${at}.quorum: ${quorum} is more than the ${count} sentinels; use at most ${count} (default: a majority, ${majority(count)})`);
    }
    const tree = treeOf(master.name, nodes);
    const directReplicas = nodes.filter((n) => n.replicaOf === master.name);
    if (directReplicas.length === 0) {
        problems.push(`${at}: ${master.name} has no replica Sentinel could promote; add a node with replicaOf: ${master.name}, or remove failover`);
    }
    const minReplicasToWrite = config.minReplicasToWrite ?? defaults.minReplicasToWrite;
    if (directReplicas.length > 0 && minReplicasToWrite > directReplicas.length) {
        problems.push(
            `${at}.minReplicasToWrite: ${minReplicasToWrite} is more than the ${directReplicas.length} replicas of ${master.name}, ` +
                `which would then refuse every write; use at most ${directReplicas.length}, or 0`,
        );
    }
    if (directReplicas.length > 0 && minReplicasToWrite <= directReplicas.length) {
        checkWritesAfterPromotion(master, directReplicas, nodes, minReplicasToWrite, at, problems);
    }
    const transport = groupTransport(master, directReplicas, at, problems);
    if (transport) {
        for (const replica of directReplicas) {
            // Sentinel reconfigures the other candidates with REPLICAOF <new master's announced
            // address>, keeping their tls-replication: a candidate on another transport would dial
            // the wrong listener.
            if (replica.link !== transport) {
                problems.push(
                    `nodes[${nodes.indexOf(replica)}] (${replica.name}).link: ${replica.link} link to ${master.name}, whose failover group ` +
                        `reaches its promotion candidates over ${transport} (Sentinel uses one transport for a group); use link: ${transport}`,
                );
            }
        }
    }
    const groupHosts = [...new Set(tree.map((n) => n.host ?? LOCAL_HOST))];
    const sentinelHosts = sentinelHostList(config, count, groupHosts, hosts, at, problems);
    const hostPorts = sentinelHostPorts(config, count, sentinelHosts, name, taken, at, problems);
    const involved = new Set([...groupHosts, ...sentinelHosts]);
    if (involved.size > 1 && !config.allowQuorumOnOneHost && quorum <= count) {
        checkHostLoss(count, quorum, sentinelHosts, [...involved], at, problems);
    }
    const candidates = [master.name, ...directReplicas.map((r) => r.name)];
    return {
        name,
        master: master.name,
        nodes: tree.map((n) => n.name),
        candidates,
        neverPromoted: transport ? tree.filter((n) => !candidates.includes(n.name) && !n[transport]).map((n) => n.name) : [],
        transport: transport ?? "plain",
        multiHost: involved.size > 1,
        quorum,
        downAfterMs: config.downAfterMs ?? defaults.downAfterMs,
        failoverTimeoutMs: config.failoverTimeoutMs ?? defaults.failoverTimeoutMs,
        parallelSyncs: config.parallelSyncs ?? defaults.parallelSyncs,
        minReplicasToWrite,
        minReplicasMaxLagS: config.minReplicasMaxLagS ?? defaults.minReplicasMaxLagS,
        sentinels: sentinelHosts.map((host, i) => ({ host, hostPort: hostPorts[i] })),
    };
}

/** `root` and every node below it, parents first. */
function treeOf(root: string, nodes: readonly NodeConfig[]): NodeConfig[] {
    const tree: NodeConfig[] = [];
    const visit = (parent: string) => {
        for (const node of nodes) {
            if (node.replicaOf === parent && !tree.includes(node)) {
                tree.push(node);
                visit(node.name);
            }
        }
    };
    tree.push(nodes.find((n) => n.name === root)!);
    visit(root);
    return tree;
}

/**
 * The group's one transport: plain when the master and every direct replica have a plain
 * listener, else TLS when they all have a TLS one.
 */
function groupTransport(master: NodeConfig, directReplicas: readonly NodeConfig[], at: string, problems: string[]): Transport | undefined {
    const candidates = [master, ...directReplicas];
    for (const transport of ["plain", "tls"] as const) {
        if (candidates.every((n) => n[transport] !== undefined)) return transport;
    }
    const lacking = (t: Transport) => candidates.filter((n) => !n[t]).map((n) => `${n.name} has no ${t} listener`);
    problems.push(
        `${at}: Sentinel reaches every promotion candidate (the master and its direct replicas) over one transport, and ` +
            `${[...lacking("plain"), ...lacking("tls")].join(", ")}; give them all a plain listener or all a TLS listener`,
    );
    return undefined;
}

function sentinelHostList(
    config: FailoverConfig,
    count: number,
    groupHosts: readonly string[],
    hosts: ReadonlyMap<string, HostAddresses>,
    at: string,
    problems: string[],
): string[] {
    if (config.hosts === undefined) return Array.from({ length: count }, (_, i) => groupHosts[i % groupHosts.length]);
    if (config.hosts.length !== count) {
        problems.push(`${at}.hosts: ${config.hosts.length} hosts for ${count} sentinels; give one host per sentinel`);
    }
    config.hosts.forEach((host, i) => {
        if (!hosts.has(host)) {
            problems.push(`${at}.hosts[${i}]: no host named "${host}"; use one of ${[...hosts.keys()].join(", ")} or add it to redis-chain:hosts`);
        }
    });
    return Array.from({ length: count }, (_, i) => config.hosts![i] ?? groupHosts[i % groupHosts.length]);
}

function sentinelHostPorts(
    config: FailoverConfig,
    count: number,
    sentinelHosts: readonly string[],
    group: string,
    taken: Map<string, string>,
    at: string,
    problems: string[],
): number[] {
    const owner = (i: number) => `sentinel ${sentinelName(group, i)}`;
    if (config.hostPorts !== undefined) {
        if (config.hostPorts.length !== count) {
            problems.push(`${at}.hostPorts: ${config.hostPorts.length} ports for ${count} sentinels; give one host port per sentinel`);
        }
        return Array.from({ length: count }, (_, i) => {
            const port = config.hostPorts![i];
            if (port === undefined) return 0;
            const key = `${sentinelHosts[i]}:${port}`;
            const used = taken.get(key);
            if (used) problems.push(`${at}.hostPorts[${i}]: host port ${port} on host ${sentinelHosts[i]} is already used by ${used}; pick a free port`);
            else taken.set(key, owner(i));
            return port;
        });
    }
    return sentinelHosts.map((host, i) => {
        let port: number = CONFIG_DEFAULTS.failover.baseHostPort;
        while (taken.has(`${host}:${port}`)) port++;
        if (port > 65535) {
            problems.push(`${at}.hostPorts: no free host port from ${CONFIG_DEFAULTS.failover.baseHostPort} up on host ${host}; set hostPorts`);
            return 0;
        }
        taken.set(`${host}:${port}`, owner(i));
        return port;
    });
}

// With the group on several hosts, the loss of one host must leave enough sentinels to see the
// master down (the quorum) and to elect the leader that runs the failover (a majority).
function checkHostLoss(count: number, quorum: number, sentinelHosts: readonly string[], involved: readonly string[], at: string, problems: string[]): void {
    const needed = Math.max(quorum, majority(count));
    for (const host of involved) {
        const left = sentinelHosts.filter((h) => h !== host).length;
        if (left >= needed) continue;
        problems.push(
            `${at}.hosts: losing host ${host} leaves ${left} of ${count} sentinels, fewer than the quorum (${quorum}) or the majority ` +
                `(${majority(count)}) a failover needs; spread the sentinels over more hosts with failover.hosts, ` +
                "or set allowQuorumOnOneHost: true",
        );
        return;
    }
}

/**
 * The listener transport each group node must publish on its host's address: the group's, when the
 * group spans hosts (sentinels and replicas on other hosts dial it there).
 */
export function failoverExposure(plans: readonly FailoverPlan[], byName: ReadonlyMap<string, NodeConfig>): Map<string, Transport> {
    const exposed = new Map<string, Transport>();
    for (const plan of plans.filter((p) => p.multiHost)) {
        for (const name of plan.nodes) {
            const node = byName.get(name)!;
            exposed.set(name, node[plan.transport] ? plan.transport : node.plain ? "plain" : "tls");
        }
    }
    return exposed;
}

/** The listener Sentinel is told about for `node`: the group's transport, else the node's other one. */
function announcedListener(node: NodeSpec, transport: Transport): { transport: Transport; port: number; hostPort: number } {
    const chosen: Transport = node.listeners[transport] ? transport : transport === "plain" ? "tls" : "plain";
    const listener = node.listeners[chosen]!;
    return { transport: chosen, port: listener.port, hostPort: listener.hostPort };
}

/** What the group changes in one node's redis.conf. */
export function nodeFailover(plan: FailoverPlan, node: NodeSpec): NodeFailover {
    const listener = announcedListener(node, plan.transport);
    return {
        group: plan.name,
        transport: plan.transport,
        candidate: plan.candidates.includes(node.name),
        announce: plan.multiHost ? { ip: node.hostAddress, port: listener.hostPort } : { ip: node.containerName, port: listener.port },
        announcedListener: listener.transport,
        neverPromote: plan.neverPromoted.includes(node.name),
        minReplicasToWrite: plan.minReplicasToWrite,
        minReplicasMaxLagS: plan.minReplicasMaxLagS,
    };
}

/** The group model, once every node's spec (names, listeners, addresses) is known. */
export function failoverGroup(
    plan: FailoverPlan,
    specs: ReadonlyMap<string, NodeSpec>,
    hosts: ReadonlyMap<string, HostAddresses>,
    prefix: string,
): FailoverGroup {
    const master = specs.get(plan.master)!;
    const listener = announcedListener(master, plan.transport);
    const sentinels = plan.sentinels.map((s, i): SentinelSpec => {
        const host = hosts.get(s.host)!;
        const name = sentinelName(plan.name, i);
        return {
            name,
            containerName: `${prefix}${name}`,
            host: s.host,
            hostAddress: host.address,
            port: SENTINEL_PORT,
            hostPort: s.hostPort,
            publishAddress: plan.multiHost ? host.address : host.publishAddress,
            announce: plan.multiHost ? { ip: host.address, port: s.hostPort } : undefined,
        };
    });
    return {
        name: plan.name,
        master: plan.master,
        nodes: plan.nodes,
        candidates: plan.candidates,
        neverPromoted: plan.neverPromoted,
        transport: plan.transport,
        multiHost: plan.multiHost,
        monitor: plan.multiHost ? { host: master.hostAddress, port: listener.hostPort } : { host: master.containerName, port: listener.port },
        quorum: plan.quorum,
        downAfterMs: plan.downAfterMs,
        failoverTimeoutMs: plan.failoverTimeoutMs,
        parallelSyncs: plan.parallelSyncs,
        sentinels,
        image: master.image,
        release: master.release,
    };
}
