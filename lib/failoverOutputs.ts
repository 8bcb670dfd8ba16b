// The `failover` stack output: per Sentinel group what a client needs to find the current master
// through the sentinels, in the shape ioredis takes (`sentinels`, `name`, `natMap`).
import { clientHost } from "./connectionInfo";
import { FailoverGroup, LOCAL_HOST, Topology } from "./topology";

/** One sentinel as a client on the deploying machine dials it. */
export interface SentinelEndpoint {
    readonly name: string;
    readonly host: string;
    readonly port: number;
}

/** One group in the `failover` output. */
export interface FailoverOutput {
    /** The master the config declares; Sentinel may have promoted another since. */
    readonly declaredMaster: string;
    readonly quorum: number;
    /** What the sentinels speak: TLS clients verify them with the stack's CA. */
    readonly transport: "plain" | "tls";
    readonly sentinels: readonly SentinelEndpoint[];
    /**
     * `"<address Sentinel reports>:<port>"` -> where the deploying machine reaches that node: ioredis'
     * `natMap`. Sentinel reports what the nodes announce (container name and container port on one host).
     */
    readonly natMap: Readonly<Record<string, { readonly host: string; readonly port: number }>>;
}

/** The address the deploying machine dials a port published on `publishAddress` of `host` at. */
function dialHost(host: string, hostAddress: string, publishAddress: string): string {
    if (host === LOCAL_HOST) return clientHost(publishAddress);
    return publishAddress === "0.0.0.0" || publishAddress.startsWith("127.") ? hostAddress : publishAddress;
}

/** The `failover` output of one group. */
export function failoverOutput(group: FailoverGroup, topology: Topology): FailoverOutput {
    const natMap: Record<string, { host: string; port: number }> = {};
    for (const name of group.nodes) {
        const node = topology.nodes.find((n) => n.name === name)!;
        const { ip, port } = node.failover!.announce;
        const listener = node.listeners[node.failover!.announcedListener]!;
        natMap[`${ip}:${port}`] = { host: dialHost(node.host, node.hostAddress, listener.publishAddress), port: listener.hostPort };
    }
    return {
        declaredMaster: group.master,
        quorum: group.quorum,
        transport: group.transport,
        sentinels: group.sentinels.map((s) => ({ name: s.name, host: dialHost(s.host, s.hostAddress, s.publishAddress), port: s.hostPort })),
        natMap,
    };
}

/** The whole `failover` output: one entry per group name; empty without groups. */
export function failoverOutputs(topology: Topology): Record<string, FailoverOutput> {
    return Object.fromEntries((topology.failoverGroups ?? []).map((g) => [g.name, failoverOutput(g, topology)]));
}
