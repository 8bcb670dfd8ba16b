// Judging one node's `INFO replication` against what the topology declares. Pure, so every
// verdict is unit-tested without a server.
import { NodeConnectionInfo } from "../connectionInfo";

/** Parses the `key:value` lines of an INFO reply. */
export function parseInfo(text: string): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const line of text.split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon > 0 && !line.startsWith("#")) fields[line.slice(0, colon)] = line.slice(colon + 1).trim();
    }
    return fields;
}

/** What one node reported, reduced to what the check judges. */
export interface ReplicationObservation {
    readonly role?: string;
    readonly masterHost?: string;
    readonly masterPort?: number;
    readonly masterLinkStatus?: string;
    /** Replicas this node lists with state=online. */
    readonly onlineReplicas: number;
}

export function observe(info: Record<string, string>): ReplicationObservation {
    const connected = Number(info.connected_slaves ?? "0");
    let online = 0;
    for (let i = 0; i < connected; i++) {
        if (/(^|,)state=online(,|$)/.test(info[`slave${i}`] ?? "")) online++;
    }
    return {
        role: info.role,
        masterHost: info.master_host,
        masterPort: info.master_port === undefined ? undefined : Number(info.master_port),
        masterLinkStatus: info.master_link_status,
        onlineReplicas: online,
    };
}

/** Names the link the way operators read it: upstream -> replica (transport, host:port). */
export function describeLink(node: NodeConnectionInfo): string {
    if (!node.upstream || !node.expectedMaster) return `${node.name} (master)`;
    return `link ${node.upstream} -> ${node.name} (${node.link}, ${node.expectedMaster.host}:${node.expectedMaster.port})`;
}

/** Returns why `node` is not yet as declared, or undefined when it is. */
export function replicationProblem(node: NodeConnectionInfo, seen: ReplicationObservation): string | undefined {
    if (node.role === "master") {
        if (seen.role !== "master") return `${node.name}: expected role:master, got role:${seen.role ?? "?"}`;
    } else {
        const expected = node.expectedMaster!;
        const link = describeLink(node);
        if (seen.role !== "slave") return `${link}: ${node.name} reports role:${seen.role ?? "?"}, expected role:slave`;
        if (seen.masterHost !== expected.host || seen.masterPort !== expected.port) {
            return `${link}: ${node.name} replicates from ${seen.masterHost}:${seen.masterPort}, expected ${expected.host}:${expected.port}`;
        }
        if (seen.masterLinkStatus !== "up") {
            return `${link}: master_link_status:${seen.masterLinkStatus ?? "?"}`;
        }
    }
    if (seen.onlineReplicas < node.replicas.length) {
        return `${node.name}: ${seen.onlineReplicas} of its ${node.replicas.length} replicas (${node.replicas.join(", ")}) online`;
    }
    return undefined;
}
