// Shared pieces of the e2e tests: test stacks that never collide with a user's dev stack, clients
// built from the stack outputs, and the leftover check.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Redis, { RedisOptions } from "ioredis";
import { parseInfo } from "../../lib/check/replicationStatus";
import { expect } from "vitest";
import { docker, run } from "../../testkit/harness/run";
import { withTempDir } from "../../testkit/harness/tempDir";
import { DeployedStack, LOCAL_IMAGE, PROJECT_DIR, StackConfig } from "../../testkit/harness/deployStack";

export { removeLeftovers } from "../../testkit/harness/leftovers";

/** Moves every host port of a node list by `offset`, away from the dev stack's ports. */
export function shiftHostPorts(nodes: any[], offset: number): any[] {
    const shift = (l: any) => (l ? { ...l, hostPort: l.hostPort + offset } : undefined);
    return nodes.map((n) => ({ ...n, plain: shift(n.plain), tls: shift(n.tls) }));
}

/** A test stack: its own name prefix, the local image, and shifted host ports. */
export function testStack(base: StackConfig, prefix: string, portOffset: number): StackConfig {
    return { ...base, namePrefix: prefix, image: LOCAL_IMAGE, nodes: shiftHostPorts(base.nodes as any[], portOffset) };
}

/** An ioredis client for one node's listener, from the stack outputs; TLS verifies the CA and host. */
export function clientFor(outputs: any, node: string, transport: "plain" | "tls", extra: RedisOptions = {}): Redis {
    const endpoint = outputs.nodes[node][transport];
    if (!endpoint) throw new Error(`${node} has no ${transport} listener in the outputs`);
    const client = new Redis(endpoint.url, {
        tls: transport === "tls" ? { ca: [outputs.caCertPem], cert: outputs.clientCertPem, key: outputs.clientKeyPem } : undefined,
        password: outputs.password,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: 3000,
        ...extra,
    });
    client.on("error", () => undefined);
    return client;
}

/** Runs `npm run verify` against these outputs, the way a user would after `pulumi up`. */
export function runVerify(outputs: any, timeoutSeconds: number): Promise<{ code: number; output: string }> {
    // The outputs hold the password: a private folder, removed afterwards.
    return withTempDir("redis-chain-verify-", async (dir) => {
        const file = join(dir, "outputs.json");
        writeFileSync(file, JSON.stringify(outputs), { mode: 0o600 });
        try {
            const output = await run(
                "npm",
                ["run", "--silent", "verify", "--", "--outputs-file", file, "--timeout", String(timeoutSeconds)],
                { cwd: PROJECT_DIR },
            );
            return { code: 0, output };
        } catch (error) {
            const { code, stdout, stderr } = error as { code?: number; stdout?: string; stderr?: string };
            if (code === undefined) throw error;
            return { code, output: `${stdout}${stderr}` };
        }
    });
}

/** `docker exec … redis-cli` with the stack's password in REDISCLI_AUTH (off the command line). */
export function redisCli(outputs: any, containerName: string, cliArgs: string[]): Promise<string> {
    const auth = outputs.password ? ["--env", `REDISCLI_AUTH=${outputs.password}`] : [];
    return docker(["exec", ...auth, containerName, "redis-cli", ...cliArgs]);
}

/** INFO replication of a node, read through `docker exec` so it works whatever the listeners. */
export async function infoReplication(outputs: any, containerName: string, cliArgs: string[]): Promise<Record<string, string>> {
    return parseInfo(await redisCli(outputs, containerName, [...cliArgs, "info", "replication"]));
}

/** Asserts that no container, network or volume whose name starts with `prefix` is left. */
export async function expectNothingLeft(prefix: string): Promise<void> {
    const containers = await docker(["ps", "-a", "--format", "{{.Names}}"]);
    const networks = await docker(["network", "ls", "--format", "{{.Name}}"]);
    const volumes = await docker(["volume", "ls", "--format", "{{.Name}}"]);
    const left = [containers, networks, volumes].flatMap((list) => list.split("\n").filter((n) => n.startsWith(prefix)));
    expect(left, `left behind by ${prefix}`).toEqual([]);
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

/** The password of ACL user `user`, read from a node's auth.conf (it is in no stack output). */
export async function aclPassword(containerName: string, user: string): Promise<string> {
    const authConf = await docker(["exec", containerName, "cat", "/data/secrets/auth.conf"]);
    const match = authConf.match(new RegExp(`^user ${user} on >(\\S+)`, "m"));
    if (!match) throw new Error(`no "user ${user} on >…" line in ${containerName}'s auth.conf`);
    return match[1];
}

/**
 * Converge as users feel it: from the first container create to the post-deploy check's end (every
 * link up as declared and a fresh key read on every node).
 */
export function convergeMs(stack: DeployedStack): number {
    const events = stack.emulator.events;
    const firstContainer = events.find((e) => e.phase === "create-started" && e.type === "docker:index/container:Container");
    const checked = events.find((e) => e.phase === "created" && e.type.startsWith("pulumi-nodejs:dynamic"));
    if (!firstContainer || !checked) throw new Error("this run created no container or ran no check");
    return checked.at - firstContainer.at;
}
