// Test stacks that never collide with a user's dev stack (own name prefix, local image, shifted host
// ports), and the converge time of a deploy as users feel it.
import { DeployedStack, LOCAL_IMAGE, StackConfig } from "./harness/deployStack";

/** The post-deploy check's resource type (the stack has other dynamic resources: the release guard, rollout gates). */
export const REPLICATION_CHECK_TYPE = "pulumi-nodejs:dynamic/redis-chain:ReplicationCheck";

/** Moves every host port of a node list by `offset`, away from the dev stack's ports. */
export function shiftHostPorts(nodes: any[], offset: number): any[] {
    const shift = (l: any) => (l ? { ...l, hostPort: l.hostPort + offset } : undefined);
    return nodes.map((n) => ({ ...n, plain: shift(n.plain), tls: shift(n.tls) }));
}

/** A test stack: its own name prefix, the local image, and shifted host ports. */
export function testStack(base: StackConfig, prefix: string, portOffset: number): StackConfig {
    return { ...base, namePrefix: prefix, image: LOCAL_IMAGE, nodes: shiftHostPorts(base.nodes as any[], portOffset) };
}

/** Gives each node explicit host ports (e.g. to keep a test stack inside a reserved port range). */
export function withHostPorts(base: StackConfig, ports: Record<string, { plain?: number; tls?: number }>): StackConfig {
    const nodes = (base.nodes as any[]).map((node) => {
        const wanted = ports[node.name];
        if (!wanted) throw new Error(`withHostPorts: no ports given for ${node.name}`);
        const set = (transport: "plain" | "tls") => {
            if ((node[transport] === undefined) !== (wanted[transport] === undefined)) {
                throw new Error(`withHostPorts: ${node.name}.${transport} is ${node[transport] ? "set" : "absent"} in the stack`);
            }
            return node[transport] && { ...node[transport], hostPort: wanted[transport] };
        };
        return { ...node, plain: set("plain"), tls: set("tls") };
    });
    return { ...base, nodes };
}

/**
 * Converge as users feel it: from the first container create to the post-deploy check's end (every
 * link up as declared and a fresh key read on every node).
 */
export function convergeMs(stack: DeployedStack): number {
    const events = stack.emulator.events;
    const firstContainer = events.find((e) => e.phase === "create-started" && e.type === "docker:index/container:Container");
    const checked = events.find((e) => e.phase === "created" && e.type === REPLICATION_CHECK_TYPE);
    if (!firstContainer || !checked) throw new Error("this run created no container or ran no check");
    return checked.at - firstContainer.at;
}
