// OUR chain, deployed by the real program through the e2e harness (the one `pulumi up` stand-in),
// with the post-deploy check switched off so the bench times convergence itself.
import { deployStack, readStackConfig, StackConfig } from "../testkit/harness/deployStack";
import { ResourceEvent } from "../testkit/harness/providerEmulator";
import { StackUser, readTransport, redisClient, targetFor } from "../testkit/redisClient";
import { testStack } from "../testkit/stacks";
import { BENCH_IMAGE } from "../testkit/testBed";
import { BenchChain, NodeKey, containerStartedAt } from "./chain";
import { BenchNames } from "./settings";

const NODE_NAMES: Record<NodeKey, string> = { a: "redis-a", b: "redis-b", c: "redis-c" };

/** The dev stack (A plain -> B, B TLS -> C) on the bench's prefix and ports. */
export function oursConfig(names: BenchNames): StackConfig {
    return { ...testStack(readStackConfig("dev"), names.oursPrefix, names.oursPortOffset), image: BENCH_IMAGE, postDeployCheck: "false" };
}

/** A -> B -> C with plain links and plain listeners only: what the TLS hop costs, by difference. */
export function oursPlainConfig(names: BenchNames): StackConfig {
    const { a, b, c } = names.plainPorts;
    return {
        nodes: [
            { name: "redis-a", plain: { hostPort: a } },
            { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: b } },
            { name: "redis-c", replicaOf: "redis-b", link: "plain", plain: { hostPort: c } },
        ],
        namePrefix: names.plainPrefix,
        image: BENCH_IMAGE,
        postDeployCheck: "false",
    };
}

export async function deployOurs(variant: "ours" | "oursPlain", config: StackConfig, log: (line: string) => void): Promise<BenchChain> {
    const containerCreates: number[] = [];
    const onEvent = (e: ResourceEvent) => {
        if (e.type === "docker:index/container:Container" && e.phase === "create-started") containerCreates.push(e.at);
    };
    const stack = await deployStack(config, (line) => log(`${variant}: ${line}`), undefined, onEvent);
    const readyAt = Date.now();
    try {
        const { outputs } = stack;
        const node = (k: NodeKey) => outputs.nodes[NODE_NAMES[k]];
        // Plain where the node has a plain listener, else TLS (C in the TLS chain), hostname verified.
        // The load writes as the application user; the bench's own probes read INFO, so they log in as admin.
        const target = (k: NodeKey, user: StackUser = "application") => targetFor(outputs, NODE_NAMES[k], readTransport(outputs, NODE_NAMES[k]), user);
        const containers = { a: node("a").containerName, b: node("b").containerName, c: node("c").containerName };
        const startedAt = {} as Record<NodeKey, number>;
        for (const k of ["a", "b", "c"] as const) startedAt[k] = await containerStartedAt(containers[k]);
        return {
            variant,
            containers,
            writer: target("a"),
            deploy: { firstCreateAt: Math.min(...containerCreates), startedAt, readyAt },
            outputs,
            client: (k) => redisClient(target(k, "admin"), "bench"),
            destroy: () => stack.destroy(),
        };
    } catch (error) {
        await stack.destroy();
        throw error;
    }
}
