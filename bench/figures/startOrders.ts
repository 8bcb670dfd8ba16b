// Converge in every start order: the program's stacks deployed with the containers' start order
// forced, next to the Docker floor (the same containers created and started in parallel, nothing to
// wait for) and the reference setup. Per deploy:
// - converge: first container create -> a key written on the master read back on every node;
// - Redis part: last container running (State.StartedAt) -> every link up (each replica's log);
// - refused attempts: any replica that needed more than one attempt or logged a refusal, and any
//   upstream whose INFO stats show other than one full sync per direct replica or a refused
//   partial resync (testkit/replicationAttempts.ts).
import { randomBytes } from "node:crypto";
import Redis from "ioredis";
import { parseInfo } from "../../lib/check/replicationStatus";
import { DeployedStack, StackConfig, deployStack } from "../../testkit/harness/deployStack";
import { createContainer } from "../../testkit/harness/dockerEmulation";
import { DockerEngine, docker } from "../../testkit/harness/run";
import { readTransport, redisClient, targetFor } from "../../testkit/redisClient";
import { refusedAttemptProblem, replicaAttempts } from "../../testkit/replicationAttempts";
import { sleep } from "../../testkit/sleep";
import { staggeredStartOrder } from "../../testkit/startOrder";
import { containerStartedAt } from "../chain";

/** One deploy's figures; instants in ms from the first container create. */
export interface OrderSample {
    readonly stack: string;
    /** Node names in the order their starts were issued. */
    readonly forcedOrder: readonly string[];
    /** Node names in the order the engine started them (State.StartedAt). */
    readonly observedOrder: readonly string[];
    readonly lastRunningMs: number;
    readonly linksUpMs: number;
    /** linksUpMs - lastRunningMs. */
    readonly redisPartMs: number;
    /** The deploy returned (containers created and started). */
    readonly deployedMs: number;
    readonly keyReadableMs: number;
    /**
     * A second key, written once the first was read everywhere (so after every link is up): ms from
     * its write to it being readable on every node. A diskless full sync starts streaming to a
     * replica only at that replica's first REPLCONF ACK after the master reaped the RDB child; the
     * replica's immediate ACK usually comes before that, and the next one only with its once-a-second
     * replication cron, so this can take up to ~1 s.
     */
    readonly secondKeyMs: number;
    /** Refused attempts found, one line each; empty when none. */
    readonly refused: readonly string[];
    /** The Docker floor measured right after this deploy: first create -> last running. */
    readonly floorMs: number;
    /**
     * The same containers created one after another, upstream first (what `dependsOn` between the
     * containers would do): first create -> last running. Only when asked for.
     */
    readonly serialFloorMs?: number;
}

/** Progress lines. */
export type Log = (line: string) => void;

const CONTAINER = "docker:index/container:Container";

/** Deploys `config` once with the starts issued in `order` (node names), `gapMs` apart, and measures. */
export async function measureOrder(
    label: string,
    config: StackConfig,
    order: readonly string[],
    gapMs: number,
    log: Log,
    withSerialFloor = false,
): Promise<OrderSample> {
    const prefix = String(config.namePrefix ?? "");
    let firstCreateAt = Infinity;
    const stack = await deployStack(
        config,
        () => undefined,
        undefined,
        (e) => {
            if (e.type === CONTAINER && e.phase === "create-started") firstCreateAt = Math.min(firstCreateAt, e.at);
        },
        { containerStartHook: staggeredStartOrder(order.map((n) => `${prefix}${n}`), gapMs) },
    );
    const deployedAt = Date.now();
    let sample: Omit<OrderSample, "floorMs">;
    let floorInputs: Record<string, any>[];
    try {
        const { readableAt, secondKeyMs } = await keyReadableEverywhere(stack, 30_000);
        const nodes = Object.values(stack.outputs.nodes) as any[];
        const started = await Promise.all(nodes.map(async (n) => ({ name: n.name as string, at: await containerStartedAt(n.containerName) })));
        const replicas = nodes.filter((n) => n.role === "replica");
        const attempts = await Promise.all(replicas.map((n) => replicaAttempts(n.containerName)));
        const refused = attempts.map(refusedAttemptProblem).filter((p): p is string => p !== undefined);
        refused.push(...(await upstreamProblems(stack)));
        const lastRunning = Math.max(...started.map((s) => s.at));
        const linksUp = Math.max(...attempts.map((a) => a.linkedAt ?? NaN));
        const rel = (at: number) => at - firstCreateAt;
        sample = {
            stack: label,
            forcedOrder: order,
            observedOrder: [...started].sort((a, b) => a.at - b.at).map((s) => s.name),
            lastRunningMs: rel(lastRunning),
            linksUpMs: rel(linksUp),
            redisPartMs: linksUp - lastRunning,
            deployedMs: rel(deployedAt),
            keyReadableMs: rel(readableAt),
            secondKeyMs,
            refused,
        };
        floorInputs = stack.emulator.created.filter((r) => r.type === CONTAINER).map((r) => r.inputs);
    } finally {
        await stack.destroy();
    }
    const floorMs = await dockerFloor(floorInputs);
    // The stack's containers come out of the state in creation order; the topology order (upstream
    // first) is the program's node order.
    const byNode = (config.nodes as { name: string }[]).map((n) => floorInputs.find((i) => i.name === `${String(config.namePrefix ?? "")}${n.name}`)!);
    const serialFloorMs = withSerialFloor ? await dockerFloor(byNode, true) : undefined;
    const s = { ...sample, floorMs, serialFloorMs };
    log(
        `${label} ${order.join(">")}: started ${s.observedOrder.join(">")} (last at ${s.lastRunningMs} ms), links up ${s.linksUpMs} ms, ` +
            `deploy returned ${s.deployedMs} ms, converge ${s.keyReadableMs} ms (second key ${s.secondKeyMs} ms), floor ${floorMs} ms` +
            `${serialFloorMs === undefined ? "" : ` (serial ${serialFloorMs} ms)`}, Redis part ${s.redisPartMs} ms${s.refused.length ? `, REFUSED: ${s.refused.join("; ")}` : ""}`,
    );
    return s;
}

/**
 * Writes a fresh key on the master as soon as it answers and polls every node until each returns
 * it; then does the same with a second key and times that one from its write.
 */
async function keyReadableEverywhere(stack: DeployedStack, timeoutMs: number): Promise<{ readableAt: number; secondKeyMs: number }> {
    const { outputs } = stack;
    const nodes = Object.values(outputs.nodes) as any[];
    const target = (name: string) => targetFor(outputs, name, readTransport(outputs, name));
    const deadline = Date.now() + timeoutMs;
    const master = nodes.find((n) => n.role === "master")!;
    const clients = await Promise.all(nodes.map((n) => connectWhenUp(() => redisClient(target(n.name), "bench"), deadline)));
    const writeAndRead = async () => {
        const key = `bench:orders:${randomBytes(6).toString("hex")}`;
        await clients[nodes.indexOf(master)].set(key, "1");
        const seen = nodes.map(() => false);
        for (;;) {
            const got = await Promise.all(clients.map((c, i) => (seen[i] ? "1" : c.get(key).catch(() => null))));
            got.forEach((v, i) => (seen[i] ||= v === "1"));
            if (seen.every(Boolean)) return Date.now();
            if (Date.now() > deadline) throw new Error(`key not readable on every node within ${timeoutMs} ms`);
            await sleep(2);
        }
    };
    try {
        const readableAt = await writeAndRead();
        const secondWrittenAt = Date.now();
        return { readableAt, secondKeyMs: (await writeAndRead()) - secondWrittenAt };
    } finally {
        clients.forEach((c) => c.disconnect());
    }
}

/** A connected client; retries every 5 ms while the server refuses (a replica still waiting). */
export async function connectWhenUp(make: () => Redis, deadline: number): Promise<Redis> {
    for (;;) {
        const client = make();
        try {
            await client.connect();
            return client;
        } catch (error) {
            client.disconnect();
            if (Date.now() > deadline) throw error;
            await sleep(5);
        }
    }
}

/** Upstreams whose INFO stats show other than one full sync per direct replica, or a refused partial resync. */
async function upstreamProblems(stack: DeployedStack): Promise<string[]> {
    const { outputs } = stack;
    const problems: string[] = [];
    for (const n of Object.values(outputs.nodes) as any[]) {
        if (n.replicas.length === 0) continue;
        const client = redisClient(targetFor(outputs, n.name, readTransport(outputs, n.name), "check"), "bench");
        try {
            await client.connect();
            const stats = parseInfo((await client.call("INFO", "stats")) as string);
            if (Number(stats.sync_full) !== n.replicas.length || Number(stats.sync_partial_err) !== 0) {
                problems.push(`${n.name}: sync_full ${stats.sync_full} for ${n.replicas.length} replicas, sync_partial_err ${stats.sync_partial_err}`);
            }
        } finally {
            client.disconnect();
        }
    }
    return problems;
}

/**
 * The Docker floor: the deploy's containers (same image, networks, ports, volumes, files) created
 * and started in parallel through the same provider steps, each server told `replicaof no one`
 * with the image's own entrypoint: nothing waits and nothing replicates. First create -> last
 * running, ms. Everything is removed afterwards.
 */
export async function dockerFloor(containerInputs: readonly Record<string, any>[], serial = false): Promise<number> {
    const engine = new DockerEngine(undefined);
    const networks = [...new Set(containerInputs.flatMap((i) => (i.networksAdvanced ?? []).map((n: any) => n.name as string)))];
    const volumes = [...new Set(containerInputs.flatMap((i) => (i.volumes ?? []).map((v: any) => v.volumeName as string)))];
    for (const n of networks) await docker(["network", "create", n]);
    for (const v of volumes) await docker(["volume", "create", v]);
    try {
        const firstCreateAt = Date.now();
        const create = (inputs: Record<string, any>) =>
            createContainer(engine, inputs.name, { ...inputs, entrypoints: undefined, command: [...inputs.command, "--replicaof", "no", "one"] });
        if (serial) for (const inputs of containerInputs) await create(inputs);
        else await Promise.all(containerInputs.map(create));
        const started = await Promise.all(containerInputs.map((i) => containerStartedAt(i.name)));
        return Math.max(...started) - firstCreateAt;
    } finally {
        await docker(["rm", "--force", "--volumes", ...containerInputs.map((i) => i.name)]).catch(() => undefined);
        for (const n of networks) await docker(["network", "rm", n]).catch(() => undefined);
        for (const v of volumes) await docker(["volume", "rm", "--force", v]).catch(() => undefined);
    }
}
