// Which node waits for which during a rolling server change, and how long each wait may last.
// Pure: the chain component turns these into rollout gates and `dependsOn` edges.
import { Topology } from "./topology";

/** How a server change reaches the containers. */
export const ROLLOUT_MODES = ["rolling", "parallel"] as const;
export type RolloutMode = (typeof ROLLOUT_MODES)[number];

/** One replica's gate: its upstream's container is replaced only after the replica is back. */
export interface RolloutStep {
    /** The replica the gate waits for. */
    readonly replica: string;
    /** The node whose container waits for the gate. */
    readonly upstream: string;
    /**
     * Nodes replaced one after the other up to and including this replica (the longest path below
     * it, plus one): the gate starts polling when the deploy starts, so its bound grows with them.
     */
    readonly waitsForNodes: number;
}

/** One step per replica, in topology order; empty for `parallel`. */
export function rolloutSteps(topology: Topology, mode: RolloutMode): RolloutStep[] {
    if (mode === "parallel") return [];
    const byName = new Map(topology.nodes.map((n) => [n.name, n]));
    const height = (name: string): number => 1 + Math.max(0, ...byName.get(name)!.replicas.map(height));
    return topology.nodes
        .filter((n) => n.link !== undefined)
        .map((n) => ({ replica: n.name, upstream: n.link!.upstream, waitsForNodes: height(n.name) }));
}
