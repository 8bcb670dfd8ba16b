// Validation of the stack's node list. Every rule reports the node, the field and the fix, and all
// problems are reported at once, before any resource exists.
import {
    DEFAULT_PLAIN_PORT,
    DEFAULT_TLS_PORT,
    HostAddresses,
    LOCAL_HOST,
    Listener,
    ListenerConfig,
    NodeConfig,
    RedisNode,
    Topology,
    Persistence,
    Transport,
    TlsAuthClients,
} from "./topology";

/** Thrown for invalid stack config; `problems` holds one line per broken rule. */
export class TopologyError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`invalid redis-chain config:\n  - ${problems.join("\n  - ")}`);
        this.name = "TopologyError";
    }
}

/** Options that shape names but are not part of a node. */
export interface ParseOptions {
    /** Prepended to every container name, so several stacks share one engine. */
    readonly namePrefix?: string;
    /** The containers' Docker restart policy; decides whether a master without persistence is safe. */
    readonly restartPolicy?: string;
    /** Address published ports bind to on the local host; default 127.0.0.1. */
    readonly publishAddress?: string;
    /** Docker hosts by name; default one host, "local", at the publish address. */
    readonly hosts?: ReadonlyMap<string, HostAddresses>;
}

// Docker network aliases are DNS names, and the node name is also a certificate SAN.
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const NODE_FIELDS = [
    "name",
    "replicaOf",
    "link",
    "plain",
    "tls",
    "tlsAuthClients",
    "persistence",
    "allowAutoRestartWithoutPersistence",
    "host",
    "allowPlainAcrossHosts",
];
const LISTENER_FIELDS = ["hostPort", "port"];
const TLS_AUTH_VALUES: readonly TlsAuthClients[] = ["no", "optional", "yes"];
const PERSISTENCE_VALUES: readonly Persistence[] = ["rdb", "aof", "none"];

/** Validates the raw `redis-chain:nodes` config and derives the model; throws TopologyError. */
export function parseTopology(raw: unknown, options: ParseOptions = {}): Topology {
    const problems: string[] = [];
    const prefix = options.namePrefix ?? "";
    if (prefix !== "" && !/^[a-z0-9][a-z0-9-]*$/.test(prefix)) {
        problems.push(`namePrefix "${prefix}": use lowercase letters, digits and '-', starting with a letter or digit`);
    }
    if (!Array.isArray(raw) || raw.length === 0) {
        throw new TopologyError([
            ...problems,
            "nodes: expected a non-empty list of nodes, e.g. [{ name: redis-a, plain: { hostPort: 6379 } }]",
        ]);
    }

    const configs = raw.map((entry, i) => checkNodeShape(entry, i, problems));
    const byName = new Map<string, NodeConfig>();
    configs.forEach((node, i) => {
        if (!node) return;
        if (byName.has(node.name)) {
            problems.push(`${where(i, node.name)}.name: duplicate node name; give each node its own name`);
        } else {
            byName.set(node.name, node);
        }
    });
    const nodes = configs.filter((n): n is NodeConfig => n !== undefined);
    // Shape errors make the graph rules below misleading, so report those first.
    if (problems.length > 0) throw new TopologyError(problems);

    const publishAddress = options.publishAddress ?? "127.0.0.1";
    const hosts = options.hosts ?? new Map([[LOCAL_HOST, { address: publishAddress, publishAddress }]]);
    checkHosts(nodes, hosts, problems);
    if (problems.length > 0) throw new TopologyError(problems);
    checkLinks(nodes, byName, hosts, problems);
    checkGraph(nodes, byName, problems);
    checkHostPorts(nodes, problems);
    checkMasterPersistence(nodes, options.restartPolicy ?? "unless-stopped", problems);
    if (problems.length > 0) throw new TopologyError(problems);

    const placement = new Placement(nodes, byName, hosts);
    return { nodes: orderMastersFirst(nodes).map((n) => toRedisNode(n, nodes, byName, prefix, placement)) };
}

function where(index: number, name?: string): string {
    return name ? `nodes[${index}] (${name})` : `nodes[${index}]`;
}

function checkNodeShape(entry: unknown, i: number, problems: string[]): NodeConfig | undefined {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        problems.push(`${where(i)}: expected an object with at least a name and one listener`);
        return undefined;
    }
    const node = entry as Record<string, unknown>;
    const name = node.name;
    if (typeof name !== "string" || !DNS_LABEL.test(name)) {
        problems.push(
            `${where(i)}.name: ${JSON.stringify(name)} is not a valid container/DNS name; ` +
                "use 1-63 lowercase letters, digits or '-', not starting or ending with '-'",
        );
        return undefined;
    }
    const at = where(i, name);
    const before = problems.length;
    for (const key of Object.keys(node)) {
        if (!NODE_FIELDS.includes(key)) {
            problems.push(`${at}.${key}: unknown field; known fields are ${NODE_FIELDS.join(", ")}`);
        }
    }
    if (node.replicaOf !== undefined && typeof node.replicaOf !== "string") {
        problems.push(`${at}.replicaOf: expected the name of another node`);
    }
    if (node.link !== undefined && node.link !== "plain" && node.link !== "tls") {
        problems.push(`${at}.link: ${JSON.stringify(node.link)} is not a transport; use "plain" or "tls"`);
    }
    if (node.replicaOf !== undefined && node.link === undefined) {
        problems.push(`${at}.link: a replica needs link: plain or link: tls for its link to ${String(node.replicaOf)}`);
    }
    if (node.replicaOf === undefined && node.link !== undefined) {
        problems.push(`${at}.link: set only on replicas; add replicaOf or remove link`);
    }
    if (node.tlsAuthClients !== undefined && !TLS_AUTH_VALUES.includes(node.tlsAuthClients as TlsAuthClients)) {
        problems.push(`${at}.tlsAuthClients: use one of ${TLS_AUTH_VALUES.join(", ")}`);
    }
    if (node.tlsAuthClients !== undefined && node.tls === undefined) {
        problems.push(`${at}.tlsAuthClients: the node has no TLS listener; add tls: { hostPort: ... } or remove it`);
    }
    if (node.persistence !== undefined && !PERSISTENCE_VALUES.includes(node.persistence as Persistence)) {
        problems.push(`${at}.persistence: use one of ${PERSISTENCE_VALUES.join(", ")}`);
    }
    if (node.allowAutoRestartWithoutPersistence !== undefined && typeof node.allowAutoRestartWithoutPersistence !== "boolean") {
        problems.push(`${at}.allowAutoRestartWithoutPersistence: use true or false`);
    }
    if (node.host !== undefined && typeof node.host !== "string") problems.push(`${at}.host: expected a host name`);
    if (node.allowPlainAcrossHosts !== undefined && typeof node.allowPlainAcrossHosts !== "boolean") {
        problems.push(`${at}.allowPlainAcrossHosts: use true or false`);
    }
    checkListener(node.plain, `${at}.plain`, problems);
    checkListener(node.tls, `${at}.tls`, problems);
    if (node.plain === undefined && node.tls === undefined) {
        problems.push(`${at}: no listener; add plain: { hostPort: ... } and/or tls: { hostPort: ... }`);
    }
    const plain = node.plain as ListenerConfig | undefined;
    const tls = node.tls as ListenerConfig | undefined;
    if (problems.length === before && plain && tls && containerPort(plain, "plain") === containerPort(tls, "tls")) {
        problems.push(`${at}.tls.port: the plain and TLS listeners both use container port ${containerPort(plain, "plain")}; give them different ports`);
    }
    return problems.length === before ? (node as unknown as NodeConfig) : undefined;
}

function checkListener(value: unknown, at: string, problems: string[]): void {
    if (value === undefined) return;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.push(`${at}: expected { hostPort: <1-65535>, port: <optional container port> }`);
        return;
    }
    const listener = value as Record<string, unknown>;
    for (const key of Object.keys(listener)) {
        if (!LISTENER_FIELDS.includes(key)) {
            problems.push(`${at}.${key}: unknown field; known fields are ${LISTENER_FIELDS.join(", ")}`);
        }
    }
    if (!isPort(listener.hostPort)) {
        problems.push(`${at}.hostPort: ${JSON.stringify(listener.hostPort)} is not a port; use an integer from 1 to 65535`);
    }
    if (listener.port !== undefined && !isPort(listener.port)) {
        problems.push(`${at}.port: ${JSON.stringify(listener.port)} is not a port; use an integer from 1 to 65535`);
    }
}

function isPort(value: unknown): value is number {
    return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function containerPort(listener: ListenerConfig, transport: Transport): number {
    return listener.port ?? (transport === "tls" ? DEFAULT_TLS_PORT : DEFAULT_PLAIN_PORT);
}

function checkLinks(
    nodes: readonly NodeConfig[],
    byName: Map<string, NodeConfig>,
    hosts: ReadonlyMap<string, HostAddresses>,
    problems: string[],
): void {
    const loopbackReported = new Set<string>();
    nodes.forEach((node, i) => {
        if (node.replicaOf === undefined) return;
        const at = where(i, node.name);
        const upstream = byName.get(node.replicaOf);
        if (!upstream) {
            problems.push(`${at}.replicaOf: no node named "${node.replicaOf}"; use one of ${[...byName.keys()].join(", ")}`);
            return;
        }
        if (node.link === "tls" && !upstream.tls) {
            problems.push(`${at}.link: TLS link to ${upstream.name}, which has no TLS listener; add tls to ${upstream.name} or use link: plain`);
        }
        if (node.link === "plain" && !upstream.plain) {
            problems.push(`${at}.link: plain link to ${upstream.name}, which is TLS-only (port 0); use link: tls`);
        }
        const from = upstream.host ?? LOCAL_HOST;
        const to = node.host ?? LOCAL_HOST;
        if (node.link === "plain" && from !== to && !node.allowPlainAcrossHosts) {
            problems.push(
                `${at}.link: plain link from ${upstream.name} on host ${from} to host ${to} would cross machines unencrypted; ` +
                    "use link: tls, or set allowPlainAcrossHosts: true",
            );
        }
        // Across hosts, replicaof and replica-announce name the hosts' addresses: loopback would
        // point each side at itself.
        for (const [host, peer] of from === to ? [] : [[from, to], [to, from]]) {
            const address = hosts.get(host)!.address;
            if (address.startsWith("127.") && !loopbackReported.has(host)) {
                loopbackReported.add(host);
                problems.push(
                    `hosts.${host}.address: "${address}" is loopback, which host ${peer} cannot reach for the link ` +
                        `${upstream.name} -> ${node.name}; set the address other machines reach ${host} at`,
                );
            }
        }
    });
}

function checkHosts(nodes: readonly NodeConfig[], hosts: ReadonlyMap<string, HostAddresses>, problems: string[]): void {
    nodes.forEach((node, i) => {
        const host = node.host ?? LOCAL_HOST;
        if (!hosts.has(host)) {
            problems.push(`${where(i, node.name)}.host: no host named "${host}"; use one of ${[...hosts.keys()].join(", ")} or add it to redis-chain:hosts`);
        }
    });
}

function checkGraph(nodes: readonly NodeConfig[], byName: Map<string, NodeConfig>, problems: string[]): void {
    if (!nodes.some((n) => n.replicaOf === undefined)) {
        problems.push("nodes: no master; leave replicaOf off the node that takes writes");
    }
    const reported = new Set<string>();
    nodes.forEach((node, i) => {
        const path = [node.name];
        let next = node.replicaOf;
        while (next !== undefined && byName.has(next)) {
            if (next === node.name) {
                const cycle = [...path, next].join(" -> ");
                if (!path.some((n) => reported.has(n))) {
                    problems.push(`${where(i, node.name)}.replicaOf: replication cycle ${cycle}; one node of it must be a master (no replicaOf)`);
                }
                path.forEach((n) => reported.add(n));
                return;
            }
            if (path.includes(next)) return; // a cycle further up, reported for its own members
            path.push(next);
            next = byName.get(next)?.replicaOf;
        }
    });
}

// Host ports are a per-machine resource: two nodes on different hosts may both publish 6379.
function checkHostPorts(nodes: readonly NodeConfig[], problems: string[]): void {
    const owners = new Map<string, string>();
    nodes.forEach((node, i) => {
        const host = node.host ?? LOCAL_HOST;
        for (const transport of ["plain", "tls"] as const) {
            const listener = node[transport];
            if (!listener) continue;
            const key = `${host}:${listener.hostPort}`;
            const owner = owners.get(key);
            const field = `${where(i, node.name)}.${transport}.hostPort`;
            if (owner) {
                problems.push(`${field}: host port ${listener.hostPort} on host ${host} is already used by ${owner}; pick a free port`);
            } else {
                owners.set(key, `${node.name}.${transport}`);
            }
        }
    });
}

// A master that restarts empty replicates its emptiness: every replica below it drops its data.
function checkMasterPersistence(nodes: readonly NodeConfig[], restartPolicy: string, problems: string[]): void {
    if (restartPolicy === "no") return;
    nodes.forEach((node, i) => {
        if (node.replicaOf === undefined && node.persistence === "none" && !node.allowAutoRestartWithoutPersistence) {
            problems.push(
                `${where(i, node.name)}.persistence: a master without persistence under restart policy "${restartPolicy}" ` +
                    "comes back empty and its replicas wipe themselves to match; use persistence: rdb, restartPolicy: no, " +
                    "or set allowAutoRestartWithoutPersistence: true",
            );
        }
    });
}

// Parents before children keeps the stack outputs and the check's progress in chain order.
function orderMastersFirst(nodes: readonly NodeConfig[]): NodeConfig[] {
    const ordered: NodeConfig[] = [];
    const visit = (parent: string | undefined) => {
        for (const node of nodes) {
            if (node.replicaOf === parent) {
                ordered.push(node);
                visit(node.name);
            }
        }
    };
    visit(undefined);
    return ordered;
}

/** Which host each node runs on, and the addresses that follow from where its links go. */
class Placement {
    constructor(
        private readonly nodes: readonly NodeConfig[],
        private readonly byName: Map<string, NodeConfig>,
        private readonly hosts: ReadonlyMap<string, HostAddresses>,
    ) {}

    hostOf(node: NodeConfig): string {
        return node.host ?? LOCAL_HOST;
    }

    crossesHosts(node: NodeConfig): boolean {
        const upstream = node.replicaOf === undefined ? undefined : this.byName.get(node.replicaOf);
        const replicas = this.nodes.filter((n) => n.replicaOf === node.name);
        return [upstream, ...replicas].some((peer) => peer !== undefined && this.hostOf(peer) !== this.hostOf(node));
    }

    /** A node with a link to another host must be reachable at its host's address. */
    publishAddress(node: NodeConfig): string {
        const host = this.hosts.get(this.hostOf(node))!;
        return this.crossesHosts(node) ? host.address : host.publishAddress;
    }

    address(node: NodeConfig): string {
        return this.hosts.get(this.hostOf(node))!.address;
    }
}

function toListener(config: ListenerConfig | undefined, transport: Transport): Listener | undefined {
    return config ? { port: containerPort(config, transport), hostPort: config.hostPort } : undefined;
}

function toRedisNode(
    node: NodeConfig,
    all: readonly NodeConfig[],
    byName: Map<string, NodeConfig>,
    prefix: string,
    placement: Placement,
): RedisNode {
    const upstream = node.replicaOf === undefined ? undefined : byName.get(node.replicaOf)!;
    const transport = node.link;
    let link: RedisNode["link"];
    let announce: RedisNode["announce"];
    if (upstream && transport) {
        const upstreamPort = containerPort(upstream[transport]!, transport);
        const crossHost = placement.hostOf(upstream) !== placement.hostOf(node);
        link = {
            upstream: upstream.name,
            transport,
            upstreamPort,
            crossHost,
            target: crossHost
                ? { host: placement.address(upstream), port: upstream[transport]!.hostPort }
                : { host: upstream.name, port: upstreamPort },
        };
        if (crossHost) announce = { ip: placement.address(node), port: (node.plain ?? node.tls)!.hostPort };
    }
    return {
        name: node.name,
        containerName: `${prefix}${node.name}`,
        alias: node.name,
        role: link ? "replica" : "master",
        link,
        listeners: { plain: toListener(node.plain, "plain"), tls: toListener(node.tls, "tls") },
        tlsAuthClients: node.tlsAuthClients ?? "no",
        persistence: node.persistence ?? "rdb",
        host: placement.hostOf(node),
        publishAddress: placement.publishAddress(node),
        announce,
        speaksTls: node.tls !== undefined || transport === "tls",
        replicas: all.filter((n) => n.replicaOf === node.name).map((n) => n.name),
    };
}
