// The topology model: what the stack config says, after validation. No Pulumi imports here,
// so the model is tested with plain table tests.

import { Persistence, TlsAuthClients, Transport } from "./configSchema";
import { ServerRelease } from "./serverRelease";

// The config's own shapes are derived from its schema; re-exported so the model reads as one vocabulary.
export type { ListenerConfig, NodeConfig, Persistence, TlsAuthClients, Transport } from "./configSchema";

/** The name of the Docker engine the stack's default provider reaches. */
export const LOCAL_HOST = "local";

/** Where one Docker host's nodes can be reached. */
export interface HostAddresses {
    /** Address other hosts (and clients) use; cross-host links are published on it. */
    readonly address: string;
    /** Address the host's other nodes publish their ports on. */
    readonly publishAddress: string;
}

/** A validated listener: both ports known, and where the host port is published. */
export interface Listener {
    readonly port: number;
    readonly hostPort: number;
    /**
     * Address the host port is bound to: the host's `address` when another machine needs this
     * listener (a link from another host uses it, or the deploying machine reaches a node on another
     * host through it), else the host's `publishAddress`.
     */
    readonly publishAddress: string;
}

/** The replication link of a replica: to whom, on which port, over what. */
export interface ReplicationLink {
    readonly upstream: string;
    readonly transport: Transport;
    /** The upstream's container port this link connects to. */
    readonly upstreamPort: number;
    /** True when the upstream runs on another Docker host. */
    readonly crossHost: boolean;
    /**
     * What `replicaof` names, and what INFO reports back as master_host/master_port: the upstream's
     * alias and container port on one host, its host address and published port across hosts.
     */
    readonly target: { readonly host: string; readonly port: number };
}

/** A validated node with every derived name and port filled in. */
export interface NodeSpec {
    readonly name: string;
    readonly containerName: string;
    /** DNS alias on the chain's Docker network; equals `name`, independent of the prefix. */
    readonly alias: string;
    readonly role: "master" | "replica";
    readonly link?: ReplicationLink;
    readonly listeners: { readonly plain?: Listener; readonly tls?: Listener };
    readonly tlsAuthClients: TlsAuthClients;
    readonly persistence: Persistence;
    /** The Docker host the node runs on. */
    readonly host: string;
    /** Address other machines reach the node's host at (its host's `address`). */
    readonly hostAddress: string;
    /** What a cross-host replica announces to its master (replica-announce-ip/port). */
    readonly announce?: { readonly ip: string; readonly port: number };
    /** True when the node needs a certificate: it has a TLS listener or a TLS upstream link. */
    readonly speaksTls: boolean;
    /** Names of the nodes that replicate from this one, in config order. */
    readonly replicas: readonly string[];
    /** The image the node's container runs: its own, or the stack's. */
    readonly image: string;
    /** The server release in that image; decides binaries, directives and data format. */
    readonly release: ServerRelease;
    /** The node's exporter, when metrics are on for it: published on its host's publish address. */
    readonly metrics?: { readonly hostPort: number; readonly publishAddress: string };
    /** The config field that sets that release: `nodes[2].image`, `nodes[2].server`, or the stack's `image`/`server`. */
    readonly releaseField: string;
    /** What the node's Sentinel group changes in its redis.conf; absent outside a group. */
    readonly failover?: NodeFailover;
}

/** A node's part in a Sentinel group (see lib/failoverGroups.ts). */
export interface NodeFailover {
    /** Sentinel's name of the group. */
    readonly group: string;
    /** The transport Sentinel uses for every instance of the group (its `tls-replication`). */
    readonly transport: Transport;
    /** The master or one of its direct replicas: the nodes Sentinel may promote. */
    readonly candidate: boolean;
    /**
     * `replica-announce-ip`/`-port`: where Sentinel and the other nodes find this node once it is a
     * replica (the container name and container port on one host, the published address and port
     * across hosts).
     */
    readonly announce: { readonly ip: string; readonly port: number };
    /** The listener announced: the group's transport, or the node's other listener when it lacks that one. */
    readonly announcedListener: Transport;
    /** `replica-priority 0` for a node Sentinel cannot reach over the group's transport: never promoted. */
    readonly neverPromote: boolean;
    /** `min-replicas-to-write`: every node of the group may become master. */
    readonly minReplicasToWrite: number;
    /** `min-replicas-max-lag`, s. */
    readonly minReplicasMaxLagS: number;
}

/** One sentinel container of a group. */
export interface SentinelSpec {
    /** `<group>-sentinel-<n>`, n from 1. */
    readonly name: string;
    readonly containerName: string;
    /** The Docker host it runs on. */
    readonly host: string;
    /** Its host's address (what other hosts reach it at). */
    readonly hostAddress: string;
    /** Port inside the container (SENTINEL_PORT). */
    readonly port: number;
    readonly hostPort: number;
    /** Address the host port is bound to: the host's address when the group spans hosts, else its publish address. */
    readonly publishAddress: string;
    /** `sentinel announce-ip/announce-port` when the group spans hosts: where the other sentinels reach it. */
    readonly announce?: { readonly ip: string; readonly port: number };
}

/** What a validated `failover` block decides, before and after the nodes' listeners are placed. */
export interface FailoverGroupSettings {
    /** Sentinel's master name. */
    readonly name: string;
    /** The node the config declares master. */
    readonly master: string;
    /** Every node of the master's tree, masters before their replicas. */
    readonly nodes: readonly string[];
    /** The master and its direct replicas: what Sentinel can see and promote from the start. */
    readonly candidates: readonly string[];
    /** Nodes deeper in the tree without a listener of the group's transport (replica-priority 0). */
    readonly neverPromoted: readonly string[];
    /** The one transport Sentinel uses for every instance it monitors (`tls-replication`). */
    readonly transport: Transport;
    /** True when the group's nodes and sentinels are not all on one Docker host. */
    readonly multiHost: boolean;
    readonly quorum: number;
    readonly downAfterMs: number;
    readonly failoverTimeoutMs: number;
    readonly parallelSyncs: number;
}

/** A validated `failover` block: one Sentinel group watching one master's replication tree. */
export interface FailoverGroup extends FailoverGroupSettings {
    /** What `sentinel monitor` names: the master's container name and port, or its published address and port across hosts. */
    readonly monitor: { readonly host: string; readonly port: number };
    readonly sentinels: readonly SentinelSpec[];
    /** The master's image and release: the sentinels run the same. */
    readonly image: string;
    readonly release: ServerRelease;
}

/** A validated topology, masters before their replicas (parents always precede children). */
export interface Topology {
    readonly nodes: readonly NodeSpec[];
    /** Sentinel groups, in the order of their masters; absent when no master has a `failover` block. */
    readonly failoverGroups?: readonly FailoverGroup[];
}

export const DEFAULT_PLAIN_PORT = 6379;
export const DEFAULT_TLS_PORT = 6380;

/** True for a promotion candidate whose group makes a master wait for replicas: only there is a write fence (lib/writeFence.ts) to hold. */
export function runsWriteFence(node: Pick<NodeSpec, "failover">): boolean {
    return node.failover !== undefined && node.failover.candidate && node.failover.minReplicasToWrite > 0;
}

/** Looks a node up by name; the topology is validated, so a miss is a programming error. */
export function nodeByName(topology: Topology, name: string): NodeSpec {
    const node = topology.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node named ${name} in the topology`);
    return node;
}
