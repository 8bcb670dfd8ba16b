// Validation of the stack's node list. Every rule reports the node, the field and the fix, and all
// problems are reported at once, before any resource exists.
import { CONFIG_DEFAULTS, NODE_NAME_FIX, failoverSchema, isLoopback, issueLines, listenerSchema, nodeNameSchema, nodeSchema } from "./configSchema";
import { ConfigError } from "./configError";
import { FailoverPlan, failoverExposure, failoverGroup, nodeFailover, planFailoverGroups, sentinelName } from "./failoverGroups";
import { MetricsOptions, assignMetricsPorts } from "./metricsPorts";
import { canReplicateFrom } from "./rdbFormats";
import { DeclaredServer, ServerRelease, resolveServerRelease } from "./serverRelease";
import {
    DEFAULT_PLAIN_PORT,
    DEFAULT_TLS_PORT,
    HostAddresses,
    LOCAL_HOST,
    Listener,
    ListenerConfig,
    NodeConfig,
    FailoverGroup,
    NodeSpec,
    Topology,
    Transport,
} from "./topology";

/** Options that shape names but are not part of a node. */
export interface ParseOptions {
    /** Prepended to every container name, so several stacks share one engine. */
    readonly namePrefix?: string;
    /** The containers' Docker restart policy; decides whether a master without persistence is safe. */
    readonly restartPolicy?: string;
    /** Address published ports bind to on the local host. */
    readonly publishAddress?: string;
    /** Docker hosts by name; default one host, "local", at the publish address. */
    readonly hosts?: ReadonlyMap<string, HostAddresses>;
    /** The stack's image, for nodes without their own; default CONFIG_DEFAULTS.image. */
    readonly image?: string;
    /** The stack's `server:` block, for nodes without their own. */
    readonly server?: DeclaredServer;
    /** Exporters beside the nodes; default none. */
    readonly metrics?: MetricsOptions;
}

const NODE_FIELDS = Object.keys(nodeSchema.shape);
const LISTENER_FIELDS = Object.keys(listenerSchema.shape);
const FAILOVER_FIELDS = Object.keys(failoverSchema.shape);

/** Validates the raw `redis-chain:nodes` config and derives the model; throws ConfigError. */
export function parseTopology(raw: unknown, options: ParseOptions = {}): Topology {
    const problems: string[] = [];
    const prefix = options.namePrefix ?? "";
    if (prefix !== "" && !/^[a-z0-9][a-z0-9-]*$/.test(prefix)) {
        problems.push(`namePrefix "${prefix}": use lowercase letters, digits and '-', starting with a letter or digit`);
    }
    if (!Array.isArray(raw) || raw.length === 0) {
        throw new ConfigError([
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
    if (problems.length > 0) throw new ConfigError(problems);

    const publishAddress = options.publishAddress ?? CONFIG_DEFAULTS.publishAddress;
    const hosts = options.hosts ?? new Map([[LOCAL_HOST, { address: publishAddress, publishAddress }]]);
    checkHosts(nodes, hosts, problems);
    if (problems.length > 0) throw new ConfigError(problems);
    checkLinks(nodes, byName, hosts, problems);
    checkGraph(nodes, byName, problems);
    checkHostPorts(nodes, problems);
    checkMasterPersistence(nodes, options.restartPolicy ?? CONFIG_DEFAULTS.restartPolicy, problems);
    // Sentinels' host ports share each host with the nodes' listeners and the exporters.
    const plans = planFailoverGroups(nodes, hosts, listenerHostPorts(nodes), where, problems);
    const sentinelPorts = new Map(plans.flatMap((p) => p.sentinels.map((s, i) => [`${s.host}:${s.hostPort}`, `sentinel ${sentinelName(p.name, i)}`] as const)));
    const metricsPorts = assignMetricsPorts(
        nodes,
        options.metrics ?? { enabled: CONFIG_DEFAULTS.metrics, baseHostPort: CONFIG_DEFAULTS.metricsBaseHostPort },
        where,
        problems,
        sentinelPorts,
    );
    const servers = resolveServers(nodes, byName, options, problems);
    if (problems.length > 0) throw new ConfigError(problems);

    const placement = new Placement(nodes, hosts, failoverExposure(plans, byName));
    const specs = new Map(nodes.map((n) => [n.name, toNodeSpec(n, nodes, byName, prefix, placement, servers.get(n.name)!)]));
    checkPlainOnNetwork(nodes, specs, placement, problems);
    const failoverGroups = plans.map((plan) => failoverGroup(plan, specs, hosts, prefix));
    checkSentinelNames(failoverGroups, specs, problems);
    checkPlainSentinelsOnNetwork(failoverGroups, nodes, problems);
    if (problems.length > 0) throw new ConfigError(problems);
    const ordered = orderMastersFirst(nodes).map((n) => {
        const spec = withFailover(specs.get(n.name)!, plans, specs);
        const hostPort = metricsPorts.get(n.name);
        // Prometheus scrapes from the host's own side: the host's publish address, never the cross-host one.
        return hostPort === undefined ? spec : { ...spec, metrics: { hostPort, publishAddress: hosts.get(spec.host)!.publishAddress } };
    });
    // Without a failover block the model is exactly what it was before Sentinel groups existed.
    return failoverGroups.length === 0 ? { nodes: ordered } : { nodes: ordered, failoverGroups };
}

/**
 * The node's spec with its part in a Sentinel group, if it belongs to one. On one host the group's
 * nodes name their upstream by container name, as Sentinel does (it reports and configures the
 * names the nodes announce): so `replicaof`, INFO's master_host and the check's expectation read the
 * same whether the config or Sentinel set the link.
 */
function withFailover(spec: NodeSpec, plans: readonly FailoverPlan[], specs: ReadonlyMap<string, NodeSpec>): NodeSpec {
    const plan = plans.find((p) => p.nodes.includes(spec.name));
    if (!plan) return spec;
    const link =
        spec.link && !plan.multiHost
            ? { ...spec.link, target: { host: specs.get(spec.link.upstream)!.containerName, port: spec.link.target.port } }
            : spec.link;
    return { ...spec, link, failover: nodeFailover(plan, spec) };
}

/** Every node listener's host port, by `host:port`, with the listener it belongs to. */
function listenerHostPorts(nodes: readonly NodeConfig[]): Map<string, string> {
    const taken = new Map<string, string>();
    for (const node of nodes) {
        for (const transport of ["plain", "tls"] as const) {
            const listener = node[transport];
            if (listener) taken.set(`${node.host ?? LOCAL_HOST}:${listener.hostPort}`, `${node.name}.${transport}`);
        }
    }
    return taken;
}

// Across hosts the sentinels of a plain group listen on the hosts' addresses, where their password and
// every answer cross the network in clear: only with the consent the master's own plain listener needs.
function checkPlainSentinelsOnNetwork(groups: readonly FailoverGroup[], nodes: readonly NodeConfig[], problems: string[]): void {
    for (const group of groups) {
        const master = nodes.find((n) => n.name === group.master)!;
        const exposed = group.sentinels.filter((s) => !isLoopback(s.publishAddress));
        if (group.transport !== "plain" || exposed.length === 0 || master.allowPlainOnNetwork) continue;
        problems.push(
            `${where(nodes.indexOf(master), master.name)}.failover: the sentinels of group ${group.name} span hosts and would listen in plain ` +
                `on ${[...new Set(exposed.map((s) => s.publishAddress))].join(", ")}, unencrypted to anyone on that network; ` +
                "give the master and its direct replicas TLS listeners only (the group then speaks TLS), or set allowPlainOnNetwork: true on the master",
        );
    }
}

// Sentinel containers share the engine's name space with the nodes' containers.
function checkSentinelNames(groups: readonly FailoverGroup[], specs: ReadonlyMap<string, NodeSpec>, problems: string[]): void {
    const nodeContainers = new Set([...specs.values()].map((s) => s.containerName));
    for (const group of groups) {
        const clash = group.sentinels.find((s) => nodeContainers.has(s.containerName));
        if (clash) {
            problems.push(`nodes: the sentinel container ${clash.containerName} of group ${group.name} has a node's name; rename the node or set failover.name`);
        }
    }
}

// A plain listener on an address other machines reach carries the password and the data in clear
// text: only with the node's explicit consent.
function checkPlainOnNetwork(nodes: readonly NodeConfig[], specs: Map<string, NodeSpec>, placement: Placement, problems: string[]): void {
    nodes.forEach((node, i) => {
        const plain = specs.get(node.name)!.listeners.plain;
        if (!plain || isLoopback(plain.publishAddress) || node.allowPlainOnNetwork) return;
        problems.push(
            `${where(i, node.name)}.plain: host port ${plain.hostPort} would be published on ${plain.publishAddress} ` +
                `(${placement.exposureReason(node, "plain")}), unencrypted to anyone on that network; ` +
                "use TLS for what crosses machines, publish on 127.0.0.1, or set allowPlainOnNetwork: true",
        );
    });
}

function where(index: number, name?: string): string {
    return name ? `nodes[${index}] (${name})` : `nodes[${index}]`;
}

function checkNodeShape(entry: unknown, i: number, problems: string[]): NodeConfig | undefined {
    const shape = nodeSchema.safeParse(entry);
    const notAnObject = shape.error?.issues.filter((iss) => iss.path.length === 0 && iss.code === "invalid_type") ?? [];
    if (notAnObject.length > 0) {
        problems.push(...issueLines(notAnObject, where(i), () => NODE_FIELDS));
        return undefined;
    }
    const node = entry as Record<string, unknown>;
    if (!nodeNameSchema.safeParse(node.name).success) {
        // Without a valid name the node's other problems could not say which node they are about.
        problems.push(`${where(i)}.name: ${JSON.stringify(node.name)} ${NODE_NAME_FIX}`);
        return undefined;
    }
    const at = where(i, node.name as string);
    const before = problems.length;
    if (!shape.success) {
        problems.push(...issueLines(shape.error.issues, at, (path) => (path.length === 0 ? NODE_FIELDS : path[0] === "failover" ? FAILOVER_FIELDS : LISTENER_FIELDS)));
    }
    // Rules that relate one node's fields to each other.
    if (node.replicaOf !== undefined && node.link === undefined) {
        problems.push(`${at}.link: a replica needs link: plain or link: tls for its link to ${typeof node.replicaOf === "string" ? node.replicaOf : "its upstream"}`);
    }
    if (node.replicaOf === undefined && node.link !== undefined) {
        problems.push(`${at}.link: set only on replicas; add replicaOf or remove link`);
    }
    if (node.tlsAuthClients !== undefined && node.tls === undefined) {
        problems.push(`${at}.tlsAuthClients: the node has no TLS listener; add tls: { hostPort: ... } or remove it`);
    }
    if (node.plain === undefined && node.tls === undefined) {
        problems.push(`${at}: no listener; add plain: { hostPort: ... } and/or tls: { hostPort: ... }`);
    }
    if (problems.length !== before || !shape.success) return undefined;
    const { plain, tls } = shape.data;
    if (plain && tls && containerPort(plain, "plain") === containerPort(tls, "tls")) {
        problems.push(`${at}.tls.port: the plain and TLS listeners both use container port ${containerPort(plain, "plain")}; give them different ports`);
        return undefined;
    }
    return shape.data;
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

/** The image a node runs and the server release in it. */
interface NodeServer {
    readonly image: string;
    readonly release: ServerRelease;
    /** The config field that sets the release (NodeSpec.releaseField). */
    readonly field: string;
}

/**
 * Each node's image and release: its own `image`/`server` over the stack's. A refusal names the field
 * the node set (the stack's `image`/`server` when it set neither); a replica must be able to load
 * what its upstream writes on a full sync.
 */
function resolveServers(
    nodes: readonly NodeConfig[],
    byName: Map<string, NodeConfig>,
    options: ParseOptions,
    problems: string[],
): Map<string, NodeServer> {
    const stackImage = options.image ?? CONFIG_DEFAULTS.image;
    const stack = resolveServerRelease(stackImage, options.server);
    if (!stack.ok) problems.push(fieldProblem("", stack));
    const servers = new Map<string, NodeServer>();
    nodes.forEach((node, i) => {
        const image = node.image ?? stackImage;
        if (node.image === undefined && node.server === undefined) {
            if (stack.ok) servers.set(node.name, { image, release: stack.release, field: options.server ? "server" : "image" });
            return;
        }
        const resolved = resolveServerRelease(image, node.server ?? options.server);
        const field = `nodes[${i}].${node.server !== undefined ? "server" : "image"}`;
        if (resolved.ok) servers.set(node.name, { image, release: resolved.release, field });
        else problems.push(fieldProblem(`${where(i, node.name)}.`, resolved));
    });
    nodes.forEach((node, i) => {
        const upstream = node.replicaOf === undefined ? undefined : byName.get(node.replicaOf);
        const mine = servers.get(node.name);
        const theirs = upstream && servers.get(upstream.name);
        if (!mine || !theirs) return;
        const verdict = canReplicateFrom(mine.release, theirs.release);
        if (!verdict.ok) {
            const field = node.image === undefined && node.server !== undefined ? "server" : "image";
            problems.push(`${where(i, node.name)}.${field}: ${verdict.reason}; a replica may run a newer server than its upstream, never an older one`);
        }
    });
    return servers;
}

// A refusal of the `server:` block names its field in the message (`server: {...}`, `server.version`);
// one of the image starts with `image "..."`, so it goes under the `image` field.
function fieldProblem(at: string, refusal: { readonly field: "image" | "server"; readonly message: string }): string {
    return refusal.field === "server" ? `${at}${refusal.message}` : `${at}image: ${refusal.message}`;
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
        private readonly hosts: ReadonlyMap<string, HostAddresses>,
        /** Per node of a Sentinel group spanning hosts, the listener sentinels on other hosts dial. */
        private readonly failoverExposed: ReadonlyMap<string, Transport> = new Map(),
    ) {}

    hostOf(node: NodeConfig): string {
        return node.host ?? LOCAL_HOST;
    }

    /** Replicas on other hosts, by the transport of their link to `node`. */
    private remoteReplicas(node: NodeConfig): NodeConfig[] {
        return this.nodes.filter((n) => n.replicaOf === node.name && this.hostOf(n) !== this.hostOf(node));
    }

    /**
     * The listeners of `node` another machine needs: the one each link from another host uses, and
     * for a node away from the deploying machine (host local) the one the post-deploy check and
     * clients there use: TLS when the node has it.
     */
    exposed(node: NodeConfig): Set<Transport> {
        const transports = new Set<Transport>(this.remoteReplicas(node).map((r) => r.link!));
        if (this.hostOf(node) !== LOCAL_HOST) transports.add(node.tls ? "tls" : "plain");
        const sentinels = this.failoverExposed.get(node.name);
        if (sentinels) transports.add(sentinels);
        return transports;
    }

    /** Why a listener sits on a non-loopback address, for the messages that refuse it. */
    exposureReason(node: NodeConfig, transport: Transport): string {
        const replica = this.remoteReplicas(node).find((r) => r.link === transport);
        if (replica) return `the ${transport} link of ${replica.name} on host ${this.hostOf(replica)} uses it`;
        if (this.failoverExposed.get(node.name) === transport) return "the sentinels of its failover group on other hosts reach it through it";
        if (this.exposed(node).has(transport)) return `the deploying machine reaches host ${this.hostOf(node)} through it`;
        return `the publish address of host ${this.hostOf(node)}`;
    }

    /** Where a listener's host port is bound: the host's address if another machine needs it. */
    publishAddress(node: NodeConfig, transport: Transport): string {
        const host = this.hosts.get(this.hostOf(node))!;
        return this.exposed(node).has(transport) ? host.address : host.publishAddress;
    }

    address(node: NodeConfig): string {
        return this.hosts.get(this.hostOf(node))!.address;
    }
}

function toListener(config: ListenerConfig | undefined, transport: Transport, publishAddress: string): Listener | undefined {
    return config ? { port: containerPort(config, transport), hostPort: config.hostPort, publishAddress } : undefined;
}

function toNodeSpec(
    node: NodeConfig,
    all: readonly NodeConfig[],
    byName: Map<string, NodeConfig>,
    prefix: string,
    placement: Placement,
    server: NodeServer,
): NodeSpec {
    const upstream = node.replicaOf === undefined ? undefined : byName.get(node.replicaOf)!;
    const transport = node.link;
    let link: NodeSpec["link"];
    let announce: NodeSpec["announce"];
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
        // The listener published on the host's address, if any: the others are on loopback there.
        const exposed = placement.exposed(node);
        const announced = (["plain", "tls"] as const).find((t) => node[t] && exposed.has(t)) ?? (node.plain ? "plain" : "tls");
        if (crossHost) announce = { ip: placement.address(node), port: node[announced]!.hostPort };
    }
    return {
        name: node.name,
        containerName: `${prefix}${node.name}`,
        alias: node.name,
        role: link ? "replica" : "master",
        link,
        listeners: {
            plain: toListener(node.plain, "plain", placement.publishAddress(node, "plain")),
            tls: toListener(node.tls, "tls", placement.publishAddress(node, "tls")),
        },
        tlsAuthClients: node.tlsAuthClients ?? CONFIG_DEFAULTS.tlsAuthClients,
        persistence: node.persistence ?? CONFIG_DEFAULTS.persistence,
        host: placement.hostOf(node),
        hostAddress: placement.address(node),
        announce,
        speaksTls: node.tls !== undefined || transport === "tls",
        replicas: all.filter((n) => n.replicaOf === node.name).map((n) => n.name),
        image: server.image,
        release: server.release,
        releaseField: server.field,
    };
}
