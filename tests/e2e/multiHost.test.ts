// Nodes on two Docker engines: the machine's own, and a second one in a network namespace
// (tests/infra/second-docker-host.sh, at 10.200.0.2) standing in for another machine. Links that cross
// hosts go through published ports on the hosts' addresses, over TLS.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseInfo } from "../../lib/check/replicationStatus";
import { DeployedStack, StackConfig, deployStack, readStackConfig } from "../../testkit/harness/deployStack";
import { docker } from "../../testkit/harness/run";
import { removeLeftovers } from "../../testkit/dockerObjects";
import { clientFor } from "../../testkit/redisClient";
import { testStack } from "../../testkit/stacks";
import { TWO_HOSTS, host2, secondHost, secondHostUnavailable } from "../../testkit/secondDockerHost";
import { expectNothingLeft, infoReplication, redisCli, runVerify } from "./support";

const notRoot = secondHostUnavailable;
if (notRoot) console.warn("[multi-host] skipped: the second Docker host needs root (network namespace, dockerd)");
const log = (line: string) => console.log(`[deploy] ${line}`);
const stacks: DeployedStack[] = [];


async function deploy(config: StackConfig): Promise<DeployedStack> {
    const stack = await deployStack(config, log);
    stacks.push(stack);
    return stack;
}

beforeAll(async () => {
    await removeLeftovers("e2e-mh-");
    if (!notRoot) await secondHost("up");
}, 120_000);

afterAll(async () => {
    if (notRoot) return;
    try {
        for (const stack of stacks.reverse()) await stack.destroy();
    } finally {
        await secondHost("down");
    }
    await expectNothingLeft("e2e-mh");
}, 180_000);

describe.skipIf(notRoot)("the seed chain with C on a second Docker host", () => {
    let stack: DeployedStack;
    const PREFIX = "e2e-mh-seed-";
    const base = testStack(readStackConfig("dev"), PREFIX, 20000);

    beforeAll(async () => {
        const nodes = (base.nodes as any[]).map((n) => (n.name === "redis-c" ? { ...n, host: "host2" } : n));
        stack = await deploy({ ...base, nodes, hosts: TWO_HOSTS });
    }, 180_000);

    it("places C on the second engine and links it to B across hosts over TLS", async () => {
        const containersThere = await host2.docker(["ps", "--format", "{{.Names}}"]);
        expect(containersThere.trim().split("\n")).toEqual([`${PREFIX}redis-c`]);
        const bTlsPort = stack.outputs.nodes["redis-b"].tls.port;
        expect(stack.outputs.nodes["redis-c"]).toMatchObject({
            host: "host2",
            expectedMaster: { host: "10.200.0.1", port: bTlsPort },
            tls: { url: `rediss://10.200.0.2:${stack.outputs.nodes["redis-c"].tls.port}` },
        });
        const b = await infoReplication(stack.outputs, `${PREFIX}redis-b`, ["-p", "6379"]);
        // C announced the address and port it really answers on, not the NATed source.
        expect(b.slave0).toMatch(new RegExp(`^ip=10\\.200\\.0\\.2,port=${stack.outputs.nodes["redis-c"].tls.port},state=online`));
        // INFO as the check user: the application user may not read the topology.
        const c = clientFor(stack.outputs, "redis-c", "tls", "probe", {}, "check");
        try {
            const info = await c.info("replication");
            expect(info).toMatch(new RegExp(`master_host:10\\.200\\.0\\.1\\r?\\nmaster_port:${bTlsPort}`));
            expect(info).toMatch(/master_link_status:up/);
        } finally {
            c.disconnect();
        }
    });

    it("replicates A -> B -> C across hosts, with hostname verification on the second host's address", async () => {
        const a = clientFor(stack.outputs, "redis-a", "plain");
        const b = clientFor(stack.outputs, "redis-b", "tls");
        const c = clientFor(stack.outputs, "redis-c", "tls");
        try {
            await a.set("across", "hosts");
            await expect.poll(() => b.get("across"), { timeout: 5000 }).toBe("hosts");
            await expect.poll(() => c.get("across"), { timeout: 5000 }).toBe("hosts");
            await expect(c.set("x", "1")).rejects.toThrow(/READONLY/);
        } finally {
            await a.del("across");
            [a, b, c].forEach((client) => client.disconnect());
        }
    });

    it("publishes only the listeners another machine needs on the host addresses, the rest on 127.0.0.1", async () => {
        expect(stack.outputs.nodes["redis-a"].plain.host).toBe("127.0.0.1");
        expect(stack.outputs.nodes["redis-b"].plain.host).toBe("127.0.0.1");
        expect(stack.outputs.nodes["redis-b"].tls.host).toBe("10.200.0.1");
        expect(stack.outputs.nodes["redis-c"].tls.host).toBe("10.200.0.2");
        // What the engines bound: B's plain listener is not on the network.
        const bindings = async (engine: (args: string[]) => Promise<string>, container: string) =>
            (await engine(["port", container])).trim().split("\n").sort();
        const bTls = stack.outputs.nodes["redis-b"].tls.port;
        const bPlain = stack.outputs.nodes["redis-b"].plain.port;
        expect(await bindings(docker, `${PREFIX}redis-b`)).toEqual([`6379/tcp -> 127.0.0.1:${bPlain}`, `6380/tcp -> 10.200.0.1:${bTls}`]);
        expect(await bindings((args) => host2.docker(args), `${PREFIX}redis-c`)).toEqual([
            `6380/tcp -> 10.200.0.2:${stack.outputs.nodes["redis-c"].tls.port}`,
        ]);
        const verified = await runVerify(stack.outputs, 20);
        expect(verified.code, verified.output).toBe(0);
    }, 60_000);
});

describe.skipIf(notRoot)("a fan-out over both hosts when the second engine goes away", () => {
    let stack: DeployedStack;
    const PREFIX = "e2e-mh-fan-";

    beforeAll(async () => {
        stack = await deploy({
            namePrefix: PREFIX,
            image: testStack(readStackConfig("dev"), PREFIX, 0).image,
            hosts: TWO_HOSTS,
            nodes: [
                { name: "hub", plain: { hostPort: 45101 }, tls: { hostPort: 45102 } },
                { name: "near", replicaOf: "hub", link: "plain", plain: { hostPort: 45103 } },
                { name: "far-1", host: "host2", replicaOf: "hub", link: "tls", tls: { hostPort: 45104 } },
                // No TLS listener: the deploying machine reaches it in plain, by consent.
                { name: "far-2", host: "host2", replicaOf: "hub", link: "tls", plain: { hostPort: 45105 }, allowPlainOnNetwork: true },
            ],
        });
    }, 180_000);

    it("fails verify naming the links it broke, then recovers with partial resyncs", async () => {
        const stats = async () => parseInfo(await redisCli(stack.outputs, `${PREFIX}hub`, ["-p", "6379", "info", "stats"]));
        const statsBefore = await stats();
        await secondHost("stop-engine");
        try {
            const broken = await runVerify(stack.outputs, 3);
            expect(broken.code).toBe(1);
            expect(broken.output).toMatch(/link hub -> far-1 \(tls, 10\.200\.0\.1:45102\): far-1 unreachable/);
            expect(broken.output).toMatch(/link hub -> far-2 \(tls, 10\.200\.0\.1:45102\): far-2 unreachable/);
            expect(broken.output).not.toMatch(/link hub -> near/);
        } finally {
            await secondHost("up");
        }
        const recovered = await runVerify(stack.outputs, 60);
        expect(recovered.code, recovered.output).toBe(0);
        const statsAfter = await stats();
        const delta = (field: string) => Number(statsAfter[field]) - Number(statsBefore[field]);
        console.log(`[resync] after the second engine came back: partial +${delta("sync_partial_ok")}, full +${delta("sync_full")}`);
        expect({ partial: delta("sync_partial_ok"), full: delta("sync_full") }).toEqual({ partial: 2, full: 0 });
    }, 180_000);
});
