// Connection info for the stack outputs, and the check's targets derived from it. The same shape
// feeds the post-deploy check resource and `npm run verify`, so both check the same thing.
import { isLoopback } from "./configSchema";
import type { FailoverOutput } from "./failoverOutputs";
import { LOCAL_HOST, Listener, NodeSpec } from "./topology";

/** How a client on the deploying machine reaches one listener. */
export interface Endpoint {
    readonly host: string;
    readonly port: number;
    readonly url: string;
}

/** One node as the stack outputs describe it. */
export interface NodeConnectionInfo {
    readonly name: string;
    readonly containerName: string;
    /** The Docker host it runs on ("local" unless redis-chain:hosts says otherwise). */
    readonly host: string;
    readonly role: "master" | "replica";
    /** The node this one replicates from, or null for a master. */
    readonly upstream: string | null;
    /** Transport of the link to `upstream`, or null for a master. */
    readonly link: "plain" | "tls" | null;
    /** What `INFO replication` on this node must report as master_host/master_port. */
    readonly expectedMaster: { readonly host: string; readonly port: number } | null;
    /** Names of the nodes replicating from this one. */
    readonly replicas: readonly string[];
    readonly plain: Endpoint | null;
    readonly tls: Endpoint | null;
}

/** The whole chain as the check needs it: every node plus the CA that signed the TLS listeners. */
export interface ChainConnectionInfo {
    readonly nodes: readonly NodeConnectionInfo[];
    /** PEM of the CA; needed by TLS clients. Empty when no node speaks TLS. */
    readonly caCertPem: string;
    /** Sentinel groups, by group name; absent without any. */
    readonly failover?: Readonly<Record<string, FailoverCheckGroup>>;
}

/** One Sentinel group as the check asks it: its entry in the `failover` output. */
export type FailoverCheckGroup = FailoverOutput;

/** What a client proves itself with; secret as a whole. Absent fields are not required by the chain. */
export interface ChainCredentials {
    /** The ACL user to log in as; absent: `default` (the application user). */
    readonly username?: string;
    /** That user's password. */
    readonly password?: string;
    /** Client certificate and key, for nodes with `tls-auth-clients yes|optional`. */
    readonly clientCertPem?: string;
    readonly clientKeyPem?: string;
    /** The sentinels' password, for asking them who is master; absent without failover groups. */
    readonly sentinelPassword?: string;
}

/**
 * The host clients on the deploying machine use: the publish address itself, or loopback when
 * ports are published on every interface.
 */
export function clientHost(publishAddress: string): string {
    return publishAddress === "0.0.0.0" ? "127.0.0.1" : publishAddress;
}

/**
 * The address the deploying machine (host local) dials a listener at, or undefined when it cannot:
 * a listener on another host's loopback.
 */
function dialAddress(node: NodeSpec, listener: Listener): string | undefined {
    if (node.host === LOCAL_HOST) return clientHost(listener.publishAddress);
    if (isLoopback(listener.publishAddress)) return undefined;
    return listener.publishAddress === "0.0.0.0" ? node.hostAddress : listener.publishAddress;
}

/** The IP addresses clients and peers dial the node at: what its certificate must name. */
export function certificateIpAddresses(node: NodeSpec): string[] {
    const listeners = [node.listeners.plain, node.listeners.tls].filter((l) => l !== undefined);
    const onNetwork = listeners.some((l) => !isLoopback(l.publishAddress));
    const dialed = ["127.0.0.1", ...listeners.map((l) => l.publishAddress), ...(onNetwork ? [node.hostAddress] : [])];
    return [...new Set(dialed)].filter((ip) => ip !== "0.0.0.0");
}

/**
 * Connection info of one node, from the machine that deploys it. A node on another host lists only
 * listeners published on that host's network, and only its TLS one when it has one: whatever the
 * check and `npm run verify` send across machines (the password included) goes encrypted.
 */
export function nodeConnectionInfo(node: NodeSpec): NodeConnectionInfo {
    const endpoint = (scheme: string, listener: Listener | undefined): Endpoint | null => {
        const host = listener && dialAddress(node, listener);
        return host === undefined ? null : { host, port: listener!.hostPort, url: `${scheme}://${host}:${listener!.hostPort}` };
    };
    const tls = endpoint("rediss", node.listeners.tls);
    const plain = node.host !== LOCAL_HOST && tls ? null : endpoint("redis", node.listeners.plain);
    return {
        name: node.name,
        containerName: node.containerName,
        host: node.host,
        role: node.role,
        upstream: node.link?.upstream ?? null,
        link: node.link?.transport ?? null,
        expectedMaster: node.link ? { host: node.link.target.host, port: node.link.target.port } : null,
        replicas: node.replicas,
        plain,
        tls,
    };
}
