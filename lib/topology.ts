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
}

/** A validated topology, masters before their replicas (parents always precede children). */
export interface Topology {
    readonly nodes: readonly NodeSpec[];
}

export const DEFAULT_PLAIN_PORT = 6379;
export const DEFAULT_TLS_PORT = 6380;

/** Looks a node up by name; the topology is validated, so a miss is a programming error. */
export function nodeByName(topology: Topology, name: string): NodeSpec {
    const node = topology.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node named ${name} in the topology`);
    return node;
}
