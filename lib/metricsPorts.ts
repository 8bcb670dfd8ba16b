// Which nodes get an exporter, and the host port each exporter is published on. Host ports are a
// per-machine resource shared with the nodes' own listeners, so they are checked together.
import { NodeConfig } from "./configSchema";
import { LOCAL_HOST } from "./topology";

/** How the stack asks for exporters. */
export interface MetricsOptions {
    /** Exporters beside every node unless a node says `metrics: false`. */
    readonly enabled: boolean;
    /** Host port of the first node with an exporter; the next ones count up from it, per host. */
    readonly baseHostPort: number;
}

/**
 * Host port of each node's exporter, by node name; nodes without one are absent. A node's own
 * `metricsHostPort` wins; the others take the lowest free port from `baseHostPort` up on their host
 * (in config order), so adding a node does not move the exporters before it.
 */
export function assignMetricsPorts(
    nodes: readonly NodeConfig[],
    options: MetricsOptions,
    where: (index: number, name: string) => string,
    problems: string[],
    /** Host ports already in use besides the nodes' listeners (the sentinels'), by `host:port`. */
    taken: ReadonlyMap<string, string> = new Map(),
): Map<string, number> {
    const wanted = nodes.map((node) => node.metrics ?? (options.enabled || node.metricsHostPort !== undefined));
    const owners = new Map<string, string>(taken);
    const hostOf = (node: NodeConfig) => node.host ?? LOCAL_HOST;
    for (const node of nodes) {
        for (const transport of ["plain", "tls"] as const) {
            const listener = node[transport];
            if (listener) owners.set(`${hostOf(node)}:${listener.hostPort}`, `${node.name}.${transport}`);
        }
    }
    const ports = new Map<string, number>();
    // Explicit ports first: they must not be taken by a counted one.
    nodes.forEach((node, i) => {
        if (node.metrics === false && node.metricsHostPort !== undefined) {
            problems.push(`${where(i, node.name)}.metricsHostPort: the node has metrics: false; remove metricsHostPort or set metrics: true`);
            return;
        }
        if (!wanted[i] || node.metricsHostPort === undefined) return;
        const key = `${hostOf(node)}:${node.metricsHostPort}`;
        const owner = owners.get(key);
        if (owner) {
            problems.push(`${where(i, node.name)}.metricsHostPort: host port ${node.metricsHostPort} on host ${hostOf(node)} is already used by ${owner}; pick a free port`);
            return;
        }
        owners.set(key, `${node.name}.metricsHostPort`);
        ports.set(node.name, node.metricsHostPort);
    });
    nodes.forEach((node, i) => {
        if (!wanted[i] || node.metricsHostPort !== undefined) return;
        let port = options.baseHostPort;
        while (owners.has(`${hostOf(node)}:${port}`)) port++;
        if (port > 65535) {
            problems.push(`${where(i, node.name)}.metricsHostPort: no free host port from ${options.baseHostPort} up; set metricsHostPort`);
            return;
        }
        owners.set(`${hostOf(node)}:${port}`, `${node.name}.metricsHostPort`);
        ports.set(node.name, port);
    });
    return ports;
}
