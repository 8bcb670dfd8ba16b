import { describe, expect, it } from "vitest";
import { ConfigError } from "../../lib/configError";
import { ParseOptions, parseTopology } from "../../lib/parseTopology";
import { HostAddresses, NodeSpec, Topology, nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

/** Runs parseTopology on input that must be rejected, and returns the error. */
function rejection(raw: unknown, options?: ParseOptions): ConfigError {
    let thrown: unknown;
    try {
        parseTopology(raw, options);
    } catch (error) {
        thrown = error;
    }
    expect(thrown, "parseTopology accepted invalid config").toBeInstanceOf(ConfigError);
    return thrown as ConfigError;
}

const names = (topology: Topology) => topology.nodes.map((n) => n.name);
const A_NODE = { name: "redis-a", plain: { hostPort: 6379 } };
// Two Docker hosts as parseStackSettings hands them over by default: what no other machine needs
// stays on loopback.
const TWO_HOSTS: ReadonlyMap<string, HostAddresses> = new Map([
    ["local", { address: "10.200.0.1", publishAddress: "127.0.0.1" }],
    ["host2", { address: "10.200.0.2", publishAddress: "127.0.0.1" }],
]);
/** The seed with redis-c on host2. */
const seedAcrossHosts = () => seedNodes().map((n) => (n.name === "redis-c" ? { ...n, host: "host2" } : n));

/** The image and release every node runs when the config names neither. */
const SEED_SERVER = { image: "redis:8.6.7", release: { kind: "redis", major: 8, minor: 6, patch: 7 }, releaseField: "image" } as const;

// The seed model, written out by hand: what every later layer (conf, ports, outputs) relies on.
const SEED_A: NodeSpec = {
    name: "redis-a",
    containerName: "redis-a",
    alias: "redis-a",
    role: "master",
    link: undefined,
    listeners: { plain: { port: 6379, hostPort: 6379, publishAddress: "127.0.0.1" }, tls: undefined },
    tlsAuthClients: "no",
    persistence: "rdb",
    host: "local",
    hostAddress: "127.0.0.1",
    announce: undefined,
    speaksTls: false,
    replicas: ["redis-b"],
    ...SEED_SERVER,
};
const SEED_B: NodeSpec = {
    name: "redis-b",
    containerName: "redis-b",
    alias: "redis-b",
    role: "replica",
    link: { upstream: "redis-a", transport: "plain", upstreamPort: 6379, crossHost: false, target: { host: "redis-a", port: 6379 } },
    listeners: { plain: { port: 6379, hostPort: 16379, publishAddress: "127.0.0.1" }, tls: { port: 6380, hostPort: 16380, publishAddress: "127.0.0.1" } },
    tlsAuthClients: "no",
    persistence: "rdb",
    host: "local",
    hostAddress: "127.0.0.1",
    announce: undefined,
    speaksTls: true,
    replicas: ["redis-c"],
    ...SEED_SERVER,
};
const SEED_C: NodeSpec = {
    name: "redis-c",
    containerName: "redis-c",
    alias: "redis-c",
    role: "replica",
    link: { upstream: "redis-b", transport: "tls", upstreamPort: 6380, crossHost: false, target: { host: "redis-b", port: 6380 } },
    listeners: { plain: undefined, tls: { port: 6380, hostPort: 26380, publishAddress: "127.0.0.1" } },
    tlsAuthClients: "no",
    persistence: "rdb",
    host: "local",
    hostAddress: "127.0.0.1",
    announce: undefined,
    speaksTls: true,
    replicas: [],
    ...SEED_SERVER,
};

describe("parseTopology: the seed", () => {
    it("parses into the exact model, masters first", () => {
        const topology = parseTopology(seedNodes());
        expect(topology).toEqual({ nodes: [SEED_A, SEED_B, SEED_C] });
        // toEqual treats a missing key like undefined; say it for the fields where absence matters.
        expect(topology.nodes[0].link).toBeUndefined();
        expect(topology.nodes[0].listeners.tls).toBeUndefined();
        expect(topology.nodes[2].listeners.plain).toBeUndefined();
    });

    it("derives the link ports from the upstream's container ports: B -> 6379 (plain), C -> 6380 (TLS)", () => {
        const topology = parseTopology(seedNodes());
        expect(nodeByName(topology, "redis-b").link).toEqual(SEED_B.link);
        expect(nodeByName(topology, "redis-c").link).toEqual(SEED_C.link);
        // On one host, replicaof names the upstream's alias and container port.
        expect(nodeByName(topology, "redis-c").link?.target).toEqual({ host: "redis-b", port: 6380 });
    });

    it("prefixes container names only; names, aliases and links stay unprefixed", () => {
        const topology = parseTopology(seedNodes(), { namePrefix: "e2e-" });
        expect(topology.nodes.map((n) => [n.name, n.containerName, n.alias])).toEqual([
            ["redis-a", "e2e-redis-a", "redis-a"],
            ["redis-b", "e2e-redis-b", "redis-b"],
            ["redis-c", "e2e-redis-c", "redis-c"],
        ]);
        expect(topology.nodes.map((n) => n.link?.upstream)).toEqual([undefined, "redis-a", "redis-b"]);
        expect(topology).toEqual({
            nodes: [
                { ...SEED_A, containerName: "e2e-redis-a" },
                { ...SEED_B, containerName: "e2e-redis-b" },
                { ...SEED_C, containerName: "e2e-redis-c" },
            ],
        });
    });

    it("an empty namePrefix is the same as none", () => {
        expect(parseTopology(seedNodes(), { namePrefix: "" })).toEqual(parseTopology(seedNodes()));
    });

    it("orders masters first when the config lists replicas first", () => {
        const reversed = seedNodes().reverse();
        expect(reversed.map((n) => n.name)).toEqual(["redis-c", "redis-b", "redis-a"]);
        expect(parseTopology(reversed)).toEqual({ nodes: [SEED_A, SEED_B, SEED_C] });
    });

    it("orders masters first when the master sits in the middle of the list", () => {
        const [a, b, c] = seedNodes();
        expect(names(parseTopology([b, a, c]))).toEqual(["redis-a", "redis-b", "redis-c"]);
        expect(names(parseTopology([c, a, b]))).toEqual(["redis-a", "redis-b", "redis-c"]);
    });

    it("does not modify the config it is given", () => {
        const raw = seedNodes();
        const before = JSON.stringify(raw);
        parseTopology(raw, { namePrefix: "e2e-" });
        expect(JSON.stringify(raw)).toBe(before);
    });

    it("speaksTls per node: A no, B (TLS listener) yes, C (TLS link and listener) yes", () => {
        expect(parseTopology(seedNodes()).nodes.map((n) => [n.name, n.speaksTls])).toEqual([
            ["redis-a", false],
            ["redis-b", true],
            ["redis-c", true],
        ]);
    });
});

describe("parseTopology: other shapes", () => {
    it("a fan-out: A with a plain and a TLS replica", () => {
        const topology = parseTopology([
            { name: "redis-a", plain: { hostPort: 6379 }, tls: { hostPort: 6380 }, tlsAuthClients: "yes" },
            { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 16379 } },
            { name: "redis-c", replicaOf: "redis-a", link: "tls", tls: { hostPort: 26380 } },
        ]);
        expect(topology.nodes).toEqual([
            {
                name: "redis-a",
                containerName: "redis-a",
                alias: "redis-a",
                role: "master",
                link: undefined,
                listeners: { plain: { port: 6379, hostPort: 6379, publishAddress: "127.0.0.1" }, tls: { port: 6380, hostPort: 6380, publishAddress: "127.0.0.1" } },
                tlsAuthClients: "yes",
                persistence: "rdb",
                host: "local",
                hostAddress: "127.0.0.1",
                announce: undefined,
                speaksTls: true,
                replicas: ["redis-b", "redis-c"],
                ...SEED_SERVER,
            },
            {
                name: "redis-b",
                containerName: "redis-b",
                alias: "redis-b",
                role: "replica",
                link: { upstream: "redis-a", transport: "plain", upstreamPort: 6379, crossHost: false, target: { host: "redis-a", port: 6379 } },
                listeners: { plain: { port: 6379, hostPort: 16379, publishAddress: "127.0.0.1" }, tls: undefined },
                tlsAuthClients: "no",
                persistence: "rdb",
                host: "local",
                hostAddress: "127.0.0.1",
                announce: undefined,
                speaksTls: false,
                replicas: [],
                ...SEED_SERVER,
            },
            {
                name: "redis-c",
                containerName: "redis-c",
                alias: "redis-c",
                role: "replica",
                link: { upstream: "redis-a", transport: "tls", upstreamPort: 6380, crossHost: false, target: { host: "redis-a", port: 6380 } },
                listeners: { plain: undefined, tls: { port: 6380, hostPort: 26380, publishAddress: "127.0.0.1" } },
                tlsAuthClients: "no",
                persistence: "rdb",
                host: "local",
                hostAddress: "127.0.0.1",
                announce: undefined,
                speaksTls: true,
                replicas: [],
                ...SEED_SERVER,
            },
        ]);
    });

    it("a plain-only replica with a TLS upstream link speaks TLS", () => {
        const topology = parseTopology([
            { name: "redis-a", tls: { hostPort: 6380 } },
            { name: "redis-b", replicaOf: "redis-a", link: "tls", plain: { hostPort: 16379 } },
        ]);
        const b = nodeByName(topology, "redis-b");
        expect(b.speaksTls).toBe(true);
        expect(b.listeners).toEqual({ plain: { port: 6379, hostPort: 16379, publishAddress: "127.0.0.1" }, tls: undefined });
        expect(b.link).toEqual({ upstream: "redis-a", transport: "tls", upstreamPort: 6380, crossHost: false, target: { host: "redis-a", port: 6380 } });
    });

    it("a 4-node chain listed leaf first parses in chain order", () => {
        const topology = parseTopology([
            { name: "redis-d", replicaOf: "redis-c", link: "tls", tls: { hostPort: 36380 } },
            { name: "redis-c", replicaOf: "redis-b", link: "tls", tls: { hostPort: 26380 } },
            { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 16379 }, tls: { hostPort: 16380 } },
            { name: "redis-a", plain: { hostPort: 6379 } },
        ]);
        expect(names(topology)).toEqual(["redis-a", "redis-b", "redis-c", "redis-d"]);
        expect(topology.nodes.map((n) => n.role)).toEqual(["master", "replica", "replica", "replica"]);
        expect(topology.nodes.map((n) => n.link && [n.link.upstream, n.link.transport, n.link.upstreamPort, n.link.target])).toEqual([
            undefined,
            ["redis-a", "plain", 6379, { host: "redis-a", port: 6379 }],
            ["redis-b", "tls", 6380, { host: "redis-b", port: 6380 }],
            ["redis-c", "tls", 6380, { host: "redis-c", port: 6380 }],
        ]);
        expect(topology.nodes.map((n) => n.replicas)).toEqual([["redis-b"], ["redis-c"], ["redis-d"], []]);
    });

    it("custom container ports: listeners keep them and links use the upstream's", () => {
        const topology = parseTopology([
            { name: "redis-a", plain: { hostPort: 7000, port: 7001 }, tls: { hostPort: 7002, port: 7003 } },
            { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 17000 } },
            { name: "redis-c", replicaOf: "redis-a", link: "tls", tls: { hostPort: 27000, port: 6379 } },
        ]);
        expect(nodeByName(topology, "redis-a").listeners).toEqual({
            plain: { port: 7001, hostPort: 7000, publishAddress: "127.0.0.1" },
            tls: { port: 7003, hostPort: 7002, publishAddress: "127.0.0.1" },
        });
        expect(nodeByName(topology, "redis-b").link?.upstreamPort).toBe(7001);
        expect(nodeByName(topology, "redis-b").link?.target).toEqual({ host: "redis-a", port: 7001 });
        expect(nodeByName(topology, "redis-c").link?.upstreamPort).toBe(7003);
        // A TLS listener on 6379 is allowed when there is no plain listener to collide with.
        expect(nodeByName(topology, "redis-c").listeners.tls).toEqual({ port: 6379, hostPort: 27000, publishAddress: "127.0.0.1" });
    });

    it("two independent masters each get their own tree", () => {
        const topology = parseTopology([
            { name: "left-b", replicaOf: "left-a", link: "plain", plain: { hostPort: 16379 } },
            { name: "left-a", plain: { hostPort: 6379 } },
            { name: "right-a", plain: { hostPort: 7379 } },
            { name: "right-b", replicaOf: "right-a", link: "plain", plain: { hostPort: 17379 } },
        ]);
        expect(names(topology)).toEqual(["left-a", "left-b", "right-a", "right-b"]);
        expect(topology.nodes.filter((n) => n.role === "master").map((n) => n.name)).toEqual(["left-a", "right-a"]);
    });

    it.each([
        ["a single character", "a"],
        ["digits only", "123"],
        ["63 characters", `r${"e".repeat(61)}d`],
        ["inner dashes", "redis--a"],
    ])("accepts a node name with %s", (_label, name) => {
        const topology = parseTopology([{ name, plain: { hostPort: 6379 } }]);
        expect(topology.nodes[0].name).toBe(name);
        expect(topology.nodes[0].alias).toBe(name);
    });

    it.each(["no", "optional", "yes"] as const)("accepts tlsAuthClients %s on a TLS listener", (value) => {
        const topology = parseTopology([{ name: "redis-a", tls: { hostPort: 6380 }, tlsAuthClients: value }]);
        expect(topology.nodes[0].tlsAuthClients).toBe(value);
    });

    it.each(["rdb", "aof", "none"] as const)("a replica may use persistence %s", (persistence) => {
        const nodes = seedNodes();
        nodes[2] = { ...nodes[2], persistence };
        expect(nodeByName(parseTopology(nodes), "redis-c").persistence).toBe(persistence);
    });

    it.each(["rdb", "aof"] as const)("a master may use persistence %s under any restart policy", (persistence) => {
        const topology = parseTopology([{ ...A_NODE, persistence }], { restartPolicy: "always" });
        expect(topology.nodes[0].persistence).toBe(persistence);
    });

    it("a master without persistence is accepted with restartPolicy no", () => {
        expect(parseTopology([{ ...A_NODE, persistence: "none" }], { restartPolicy: "no" }).nodes[0].persistence).toBe("none");
    });

    it("a master without persistence is accepted when allowAutoRestartWithoutPersistence is true", () => {
        const topology = parseTopology([{ ...A_NODE, persistence: "none", allowAutoRestartWithoutPersistence: true }]);
        expect(topology.nodes[0].persistence).toBe("none");
    });

    it.each(["e2e-", "ci42-", "x"])("accepts the namePrefix %j", (namePrefix) => {
        expect(parseTopology(seedNodes(), { namePrefix }).nodes[0].containerName).toBe(`${namePrefix}redis-a`);
    });
});

describe("parseTopology: publish address and Docker hosts", () => {
    const onLoopback = (n: NodeSpec) => [n.listeners.plain?.publishAddress, n.listeners.tls?.publishAddress];

    it("without hosts every node is on host local and publishes on the publish address", () => {
        const nodes = seedNodes().map((n) => ({ ...n, allowPlainOnNetwork: true }));
        const topology = parseTopology(nodes, { publishAddress: "0.0.0.0" });
        expect(topology.nodes.map((n) => [n.host, ...onLoopback(n), n.announce, n.link?.crossHost])).toEqual([
            ["local", "0.0.0.0", undefined, undefined, undefined],
            ["local", "0.0.0.0", "0.0.0.0", undefined, false],
            ["local", undefined, "0.0.0.0", undefined, false],
        ]);
    });

    it("a TLS link across hosts targets the upstream's host address and published port, and announces the replica", () => {
        const topology = parseTopology(seedAcrossHosts(), { hosts: TWO_HOSTS });
        expect(nodeByName(topology, "redis-c")).toEqual({
            ...SEED_C,
            link: { upstream: "redis-b", transport: "tls", upstreamPort: 6380, crossHost: true, target: { host: "10.200.0.1", port: 16380 } },
            listeners: { plain: undefined, tls: { port: 6380, hostPort: 26380, publishAddress: "10.200.0.2" } },
            host: "host2",
            hostAddress: "10.200.0.2",
            announce: { ip: "10.200.0.2", port: 26380 },
        });
        // Only the listener C's link uses leaves loopback: B's TLS one. B's plain one and A stay on loopback.
        expect(nodeByName(topology, "redis-b")).toEqual({
            ...SEED_B,
            listeners: { plain: { port: 6379, hostPort: 16379, publishAddress: "127.0.0.1" }, tls: { port: 6380, hostPort: 16380, publishAddress: "10.200.0.1" } },
            hostAddress: "10.200.0.1",
        });
        expect(nodeByName(topology, "redis-a")).toEqual({ ...SEED_A, hostAddress: "10.200.0.1" });
    });

    it("a node on another host publishes its TLS listener there for the deploying machine, its plain one on loopback", () => {
        const nodes = seedNodes().map((n) => (n.name === "redis-b" ? { ...n, host: "host2", allowPlainAcrossHosts: true } : n));
        nodes[0] = { ...nodes[0], allowPlainOnNetwork: true };
        const topology = parseTopology(nodes, { hosts: TWO_HOSTS });
        expect(onLoopback(nodeByName(topology, "redis-b"))).toEqual(["127.0.0.1", "10.200.0.2"]);
        // A's plain listener carries B's plain link, so it is on local's address.
        expect(onLoopback(nodeByName(topology, "redis-a"))).toEqual(["10.200.0.1", undefined]);
    });

    it("a replica announces the listener published on its host's address", () => {
        const nodes = seedNodes().map((n) => (n.name === "redis-b" ? { ...n, host: "host2", link: "tls" } : n));
        nodes[0] = { ...nodes[0], tls: { hostPort: 6380 } };
        const b = nodeByName(parseTopology(nodes, { hosts: TWO_HOSTS }), "redis-b");
        expect(b.announce).toEqual({ ip: "10.200.0.2", port: 16380 });
        expect(b.link?.target).toEqual({ host: "10.200.0.1", port: 6380 });
    });

    it("host ports are per host: two hosts may publish the same port", () => {
        const nodes = seedAcrossHosts().map((n) => (n.name === "redis-c" ? { ...n, tls: { hostPort: 16380 } } : n));
        expect(nodeByName(parseTopology(nodes, { hosts: TWO_HOSTS }), "redis-c").listeners.tls).toEqual({
            port: 6380,
            hostPort: 16380,
            publishAddress: "10.200.0.2",
        });
    });

    it("a plain link across hosts is accepted only with allowPlainAcrossHosts, and the upstream's consent to plain on the network", () => {
        const nodes = seedNodes().map((n) => (n.name === "redis-b" ? { ...n, host: "host2", allowPlainAcrossHosts: true } : n));
        nodes[0] = { ...nodes[0], allowPlainOnNetwork: true };
        const b = nodeByName(parseTopology(nodes, { hosts: TWO_HOSTS }), "redis-b");
        expect(b.link).toEqual({ upstream: "redis-a", transport: "plain", upstreamPort: 6379, crossHost: true, target: { host: "10.200.0.1", port: 6379 } });
    });
});

describe("parseTopology: plain listeners on the network", () => {
    const plainProblem = (index: number, node: string, port: number, address: string, reason: string) =>
        `nodes[${index}] (${node}).plain: host port ${port} would be published on ${address} (${reason}), unencrypted to anyone ` +
        "on that network; use TLS for what crosses machines, publish on 127.0.0.1, or set allowPlainOnNetwork: true";

    it.each<[string, unknown[], ParseOptions, string[]]>([
        [
            "a publish address other than loopback",
            seedNodes(),
            { publishAddress: "0.0.0.0" },
            [
                plainProblem(0, "redis-a", 6379, "0.0.0.0", "the publish address of host local"),
                plainProblem(1, "redis-b", 16379, "0.0.0.0", "the publish address of host local"),
            ],
        ],
        [
            "a plain link from another host",
            seedNodes().map((n) => (n.name === "redis-b" ? { ...n, host: "host2", allowPlainAcrossHosts: true } : n)),
            { hosts: TWO_HOSTS },
            [plainProblem(0, "redis-a", 6379, "10.200.0.1", "the plain link of redis-b on host host2 uses it")],
        ],
        [
            "a node on another host with no TLS listener",
            [A, { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 16379 }, host: "host2", allowPlainAcrossHosts: true, allowPlainOnNetwork: false }],
            { hosts: TWO_HOSTS },
            [
                plainProblem(0, "redis-a", 6379, "10.200.0.1", "the plain link of redis-b on host host2 uses it"),
                plainProblem(1, "redis-b", 16379, "10.200.0.2", "the deploying machine reaches host host2 through it"),
            ],
        ],
    ])("refused: %s", (_case, raw, options, problems) => {
        expect(rejection(raw, options).problems).toEqual(problems);
    });

    it("accepted with allowPlainOnNetwork: true on the node", () => {
        const nodes = seedNodes().map((n) => ({ ...n, allowPlainOnNetwork: true }));
        expect(parseTopology(nodes, { publishAddress: "10.0.0.7" }).nodes.map((n) => n.listeners.plain?.publishAddress)).toEqual([
            "10.0.0.7",
            "10.0.0.7",
            undefined,
        ]);
    });

    it("TLS listeners on the network need no consent", () => {
        const nodes = [{ name: "redis-a", tls: { hostPort: 6380 } }];
        expect(parseTopology(nodes, { publishAddress: "0.0.0.0" }).nodes[0].listeners.tls?.publishAddress).toBe("0.0.0.0");
    });
});

// Each row breaks exactly one rule of an otherwise valid config; `problem` is the complete line the
// user sees: where (node and field), what is wrong, and how to fix it.
const A = { name: "redis-a", plain: { hostPort: 6379 } };
const NAME_FIX = "is not a valid container/DNS name; use 1-63 lowercase letters, digits or '-', not starting or ending with '-'";
const NODE_FIELDS =
    "known fields are name, replicaOf, link, plain, tls, tlsAuthClients, persistence, allowAutoRestartWithoutPersistence, host, " +
    "allowPlainAcrossHosts, allowPlainOnNetwork, image, server, metrics, metricsHostPort, failover";
const EMPTY_MASTER = (policy: string) =>
    `a master without persistence under restart policy "${policy}" comes back empty and its replicas wipe ` +
    "themselves to match; use persistence: rdb, restartPolicy: no, or set allowAutoRestartWithoutPersistence: true";
const NOT_A_LIST = "nodes: expected a non-empty list of nodes, e.g. [{ name: redis-a, plain: { hostPort: 6379 } }]";

interface InvalidCase {
    readonly rule: string;
    readonly raw: unknown;
    readonly options?: ParseOptions;
    readonly problem: string;
}

const invalid: InvalidCase[] = [
    { rule: "nodes missing", raw: undefined, problem: NOT_A_LIST },
    { rule: "nodes is an object", raw: { name: "redis-a", plain: { hostPort: 6379 } }, problem: NOT_A_LIST },
    { rule: "nodes is a string", raw: "redis-a", problem: NOT_A_LIST },
    { rule: "nodes is empty", raw: [], problem: NOT_A_LIST },
    { rule: "entry is a string", raw: [A, "redis-b"], problem: "nodes[1]: expected an object with at least a name and one listener" },
    { rule: "entry is null", raw: [null], problem: "nodes[0]: expected an object with at least a name and one listener" },
    { rule: "entry is a list", raw: [[A]], problem: "nodes[0]: expected an object with at least a name and one listener" },
    { rule: "name with uppercase", raw: [{ ...A, name: "Redis-A" }], problem: `nodes[0].name: "Redis-A" ${NAME_FIX}` },
    { rule: "name with underscore", raw: [{ ...A, name: "redis_a" }], problem: `nodes[0].name: "redis_a" ${NAME_FIX}` },
    { rule: "name with a leading '-'", raw: [{ ...A, name: "-redis" }], problem: `nodes[0].name: "-redis" ${NAME_FIX}` },
    { rule: "name with a trailing '-'", raw: [{ ...A, name: "redis-" }], problem: `nodes[0].name: "redis-" ${NAME_FIX}` },
    { rule: "name of 64 characters", raw: [{ ...A, name: "a".repeat(64) }], problem: `nodes[0].name: "${"a".repeat(64)}" ${NAME_FIX}` },
    { rule: "name is a number", raw: [{ ...A, name: 42 }], problem: `nodes[0].name: 42 ${NAME_FIX}` },
    { rule: "name is empty", raw: [{ ...A, name: "" }], problem: `nodes[0].name: "" ${NAME_FIX}` },
    { rule: "name missing", raw: [{ plain: { hostPort: 6379 } }], problem: `nodes[0].name: undefined ${NAME_FIX}` },
    {
        rule: "duplicate names",
        raw: [A, { name: "redis-a", plain: { hostPort: 6389 } }],
        problem: "nodes[1] (redis-a).name: duplicate node name; give each node its own name",
    },
    {
        rule: "unknown node field (replicaof)",
        raw: [A, { name: "redis-b", replicaof: "redis-a", plain: { hostPort: 16379 } }],
        problem: `nodes[1] (redis-b).replicaof: unknown field; ${NODE_FIELDS}`,
    },
    {
        rule: "unknown listener field",
        raw: [{ name: "redis-a", plain: { hostPort: 6379, host: "0.0.0.0" } }],
        problem: "nodes[0] (redis-a).plain.host: unknown field; known fields are hostPort, port",
    },
    {
        rule: "listener is not an object",
        raw: [{ name: "redis-a", plain: 6379 }],
        problem: "nodes[0] (redis-a).plain: expected { hostPort: <1-65535>, port: <optional container port> }",
    },
    {
        rule: "replicaOf is not a string",
        raw: [A, { name: "redis-b", replicaOf: 1, link: "plain", plain: { hostPort: 16379 } }],
        problem: "nodes[1] (redis-b).replicaOf: expected the name of another node",
    },
    {
        rule: "unknown upstream",
        raw: [A, { name: "redis-b", replicaOf: "redis-x", link: "plain", plain: { hostPort: 16379 } }],
        problem: 'nodes[1] (redis-b).replicaOf: no node named "redis-x"; use one of redis-a, redis-b',
    },
    {
        rule: "self-replication",
        raw: [A, { name: "redis-b", replicaOf: "redis-b", link: "plain", plain: { hostPort: 16379 } }],
        problem: "nodes[1] (redis-b).replicaOf: replication cycle redis-b -> redis-b; one node of it must be a master (no replicaOf)",
    },
    {
        rule: "2-node cycle",
        raw: [
            A,
            { name: "redis-b", replicaOf: "redis-c", link: "plain", plain: { hostPort: 16379 } },
            { name: "redis-c", replicaOf: "redis-b", link: "plain", plain: { hostPort: 26379 } },
        ],
        problem:
            "nodes[1] (redis-b).replicaOf: replication cycle redis-b -> redis-c -> redis-b; one node of it must be a master (no replicaOf)",
    },
    {
        rule: "3-node cycle",
        raw: [
            A,
            { name: "redis-b", replicaOf: "redis-d", link: "plain", plain: { hostPort: 16379 } },
            { name: "redis-c", replicaOf: "redis-b", link: "plain", plain: { hostPort: 26379 } },
            { name: "redis-d", replicaOf: "redis-c", link: "plain", plain: { hostPort: 36379 } },
        ],
        problem:
            "nodes[1] (redis-b).replicaOf: replication cycle redis-b -> redis-d -> redis-c -> redis-b; one node of it must be a master (no replicaOf)",
    },
    {
        rule: "no master",
        raw: [
            { name: "redis-a", replicaOf: "redis-b", link: "plain", plain: { hostPort: 6379 } },
            { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 16379 } },
        ],
        problem: "nodes: no master; leave replicaOf off the node that takes writes",
    },
    {
        rule: "replica without link",
        raw: [A, { name: "redis-b", replicaOf: "redis-a", plain: { hostPort: 16379 } }],
        problem: "nodes[1] (redis-b).link: a replica needs link: plain or link: tls for its link to redis-a",
    },
    {
        rule: "link without replicaOf",
        raw: [{ ...A, link: "plain" }],
        problem: "nodes[0] (redis-a).link: set only on replicas; add replicaOf or remove link",
    },
    {
        rule: "bad link value",
        raw: [A, { name: "redis-b", replicaOf: "redis-a", link: "ssl", plain: { hostPort: 16379 } }],
        problem: 'nodes[1] (redis-b).link: "ssl" is not a transport; use "plain" or "tls"',
    },
    {
        rule: "no listener",
        raw: [{ name: "redis-a" }],
        problem: "nodes[0] (redis-a): no listener; add plain: { hostPort: ... } and/or tls: { hostPort: ... }",
    },
    {
        rule: "hostPort 0",
        raw: [{ name: "redis-a", plain: { hostPort: 0 } }],
        problem: "nodes[0] (redis-a).plain.hostPort: 0 is not a port; use an integer from 1 to 65535",
    },
    {
        rule: "hostPort 65536",
        raw: [{ name: "redis-a", tls: { hostPort: 65536 } }],
        problem: "nodes[0] (redis-a).tls.hostPort: 65536 is not a port; use an integer from 1 to 65535",
    },
    {
        rule: "hostPort 1.5",
        raw: [{ name: "redis-a", plain: { hostPort: 1.5 } }],
        problem: "nodes[0] (redis-a).plain.hostPort: 1.5 is not a port; use an integer from 1 to 65535",
    },
    {
        rule: 'hostPort "6379" (a string)',
        raw: [{ name: "redis-a", plain: { hostPort: "6379" } }],
        problem: 'nodes[0] (redis-a).plain.hostPort: "6379" is not a port; use an integer from 1 to 65535',
    },
    {
        rule: "hostPort missing",
        raw: [{ name: "redis-a", plain: {} }],
        problem: "nodes[0] (redis-a).plain.hostPort: undefined is not a port; use an integer from 1 to 65535",
    },
    {
        rule: "container port 0",
        raw: [{ name: "redis-a", plain: { hostPort: 6379, port: 0 } }],
        problem: "nodes[0] (redis-a).plain.port: 0 is not a port; use an integer from 1 to 65535",
    },
    {
        rule: "container port 70000",
        raw: [{ name: "redis-a", tls: { hostPort: 6380, port: 70000 } }],
        problem: "nodes[0] (redis-a).tls.port: 70000 is not a port; use an integer from 1 to 65535",
    },
    {
        rule: "same container port for plain and TLS (explicit TLS port)",
        raw: [{ name: "redis-a", plain: { hostPort: 6379 }, tls: { hostPort: 6380, port: 6379 } }],
        problem:
            "nodes[0] (redis-a).tls.port: the plain and TLS listeners both use container port 6379; give them different ports",
    },
    {
        rule: "same container port for plain and TLS (explicit plain port)",
        raw: [{ name: "redis-a", plain: { hostPort: 6379, port: 6380 }, tls: { hostPort: 6380 } }],
        problem:
            "nodes[0] (redis-a).tls.port: the plain and TLS listeners both use container port 6380; give them different ports",
    },
    {
        rule: "duplicate host port across nodes",
        raw: [A, { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 6379 } }],
        problem: "nodes[1] (redis-b).plain.hostPort: host port 6379 on host local is already used by redis-a.plain; pick a free port",
    },
    {
        rule: "duplicate host port across nodes and transports",
        raw: [A, { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 16379 }, tls: { hostPort: 6379 } }],
        problem: "nodes[1] (redis-b).tls.hostPort: host port 6379 on host local is already used by redis-a.plain; pick a free port",
    },
    {
        rule: "duplicate host port within one node",
        raw: [{ name: "redis-a", plain: { hostPort: 7000 }, tls: { hostPort: 7000 } }],
        problem: "nodes[0] (redis-a).tls.hostPort: host port 7000 on host local is already used by redis-a.plain; pick a free port",
    },
    {
        rule: "TLS link into a node without TLS listener",
        raw: [A, { name: "redis-b", replicaOf: "redis-a", link: "tls", tls: { hostPort: 16380 } }],
        problem:
            "nodes[1] (redis-b).link: TLS link to redis-a, which has no TLS listener; add tls to redis-a or use link: plain",
    },
    {
        rule: "plain link into a TLS-only node",
        raw: [
            { name: "redis-a", tls: { hostPort: 6380 } },
            { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 16379 } },
        ],
        problem: "nodes[1] (redis-b).link: plain link to redis-a, which is TLS-only (port 0); use link: tls",
    },
    {
        rule: "bad tlsAuthClients",
        raw: [{ name: "redis-a", tls: { hostPort: 6380 }, tlsAuthClients: "required" }],
        problem: "nodes[0] (redis-a).tlsAuthClients: use one of no, optional, yes",
    },
    {
        rule: "tlsAuthClients without TLS listener",
        raw: [{ ...A, tlsAuthClients: "yes" }],
        problem: "nodes[0] (redis-a).tlsAuthClients: the node has no TLS listener; add tls: { hostPort: ... } or remove it",
    },
    {
        rule: "bad persistence",
        raw: [{ ...A, persistence: "always" }],
        problem: "nodes[0] (redis-a).persistence: use one of rdb, aof, none",
    },
    {
        rule: "allowAutoRestartWithoutPersistence not a boolean",
        raw: [{ ...A, persistence: "none", allowAutoRestartWithoutPersistence: "true" }],
        problem: "nodes[0] (redis-a).allowAutoRestartWithoutPersistence: use true or false",
    },
    {
        rule: "master without persistence under the default restart policy",
        raw: [{ ...A, persistence: "none" }],
        problem: `nodes[0] (redis-a).persistence: ${EMPTY_MASTER("unless-stopped")}`,
    },
    {
        rule: "master without persistence under restart policy always",
        raw: [A, { name: "redis-m", persistence: "none", plain: { hostPort: 7379 } }],
        options: { restartPolicy: "always" },
        problem: `nodes[1] (redis-m).persistence: ${EMPTY_MASTER("always")}`,
    },
    {
        rule: "master without persistence under restart policy on-failure",
        raw: [{ ...A, persistence: "none" }],
        options: { restartPolicy: "on-failure" },
        problem: `nodes[0] (redis-a).persistence: ${EMPTY_MASTER("on-failure")}`,
    },
    {
        rule: "host is not a string",
        raw: [{ ...A, host: 2 }],
        problem: "nodes[0] (redis-a).host: expected a host name",
    },
    {
        rule: "allowPlainAcrossHosts not a boolean",
        raw: [{ ...A, allowPlainAcrossHosts: "yes" }],
        problem: "nodes[0] (redis-a).allowPlainAcrossHosts: use true or false",
    },
    {
        rule: "unknown host (no hosts configured)",
        raw: [{ ...A, host: "host2" }],
        problem: 'nodes[0] (redis-a).host: no host named "host2"; use one of local or add it to redis-chain:hosts',
    },
    {
        rule: "unknown host (two hosts configured)",
        raw: seedNodes().map((n) => (n.name === "redis-c" ? { ...n, host: "host3" } : n)),
        options: { hosts: TWO_HOSTS },
        problem: 'nodes[2] (redis-c).host: no host named "host3"; use one of local, host2 or add it to redis-chain:hosts',
    },
    {
        rule: "plain link across hosts",
        raw: seedNodes().map((n) => (n.name === "redis-b" ? { ...n, host: "host2" } : n)),
        options: { hosts: TWO_HOSTS },
        problem:
            "nodes[1] (redis-b).link: plain link from redis-a on host local to host host2 would cross machines unencrypted; " +
            "use link: tls, or set allowPlainAcrossHosts: true",
    },
    {
        rule: "duplicate host port on the second host",
        raw: [
            ...seedAcrossHosts(),
            { name: "redis-d", replicaOf: "redis-c", link: "tls", host: "host2", tls: { hostPort: 26380 } },
        ],
        options: { hosts: TWO_HOSTS },
        problem: "nodes[3] (redis-d).tls.hostPort: host port 26380 on host host2 is already used by redis-c.tls; pick a free port",
    },
    {
        rule: "namePrefix with uppercase",
        raw: [A],
        options: { namePrefix: "E2E-" },
        problem: `namePrefix "E2E-": use lowercase letters, digits and '-', starting with a letter or digit`,
    },
    {
        rule: "namePrefix starting with '-'",
        raw: [A],
        options: { namePrefix: "-e2e" },
        problem: `namePrefix "-e2e": use lowercase letters, digits and '-', starting with a letter or digit`,
    },
    {
        rule: "namePrefix with a space",
        raw: [A],
        options: { namePrefix: "e2e " },
        problem: `namePrefix "e2e ": use lowercase letters, digits and '-', starting with a letter or digit`,
    },
];

describe("parseTopology: one broken rule at a time", () => {
    it.each(invalid)("$rule", ({ raw, options, problem }) => {
        const error = rejection(raw, options);
        expect(error.name).toBe("ConfigError");
        expect(error.problems).toContain(problem);
        expect(error.message).toContain(`  - ${problem}`);
        expect(error.message.startsWith("invalid redis-chain config:\n  - ")).toBe(true);
    });

    it("the table's base config is itself valid (so each row fails for its own rule only)", () => {
        expect(names(parseTopology([A]))).toEqual(["redis-a"]);
        expect(names(parseTopology([A, { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 16379 } }]))).toEqual([
            "redis-a",
            "redis-b",
        ]);
    });

    it.each(["2-node cycle", "3-node cycle"])("a %s is reported once, not once per member", (rule) => {
        const row = invalid.find((c) => c.rule === rule)!;
        expect(rejection(row.raw).problems).toEqual([row.problem]);
    });

    it("a replica hanging off a cycle does not report the cycle again", () => {
        const error = rejection([
            A,
            { name: "redis-e", replicaOf: "redis-b", link: "plain", plain: { hostPort: 46379 } },
            { name: "redis-b", replicaOf: "redis-c", link: "plain", plain: { hostPort: 16379 } },
            { name: "redis-c", replicaOf: "redis-b", link: "plain", plain: { hostPort: 26379 } },
        ]);
        expect(error.problems).toEqual([
            "nodes[2] (redis-b).replicaOf: replication cycle redis-b -> redis-c -> redis-b; one node of it must be a master (no replicaOf)",
        ]);
    });
});

describe("parseTopology: several problems at once", () => {
    it("reports every shape problem of every node in one error, in config order", () => {
        const error = rejection([
            { name: "Redis-A", plain: { hostPort: 6379 } },
            { name: "redis-b", replicaOf: "redis-a", link: "ssl", plain: { hostPort: 0 } },
            { name: "redis-c", replicaOf: "redis-b", link: "tls", tls: { hostPort: 26380 }, tlsAuthClients: "maybe", extra: true },
        ]);
        expect(error.problems).toEqual([
            `nodes[0].name: "Redis-A" ${NAME_FIX}`,
            'nodes[1] (redis-b).link: "ssl" is not a transport; use "plain" or "tls"',
            "nodes[1] (redis-b).plain.hostPort: 0 is not a port; use an integer from 1 to 65535",
            `nodes[2] (redis-c).extra: unknown field; ${NODE_FIELDS}`,
            "nodes[2] (redis-c).tlsAuthClients: use one of no, optional, yes",
        ]);
        expect(error.message).toBe(`invalid redis-chain config:\n  - ${error.problems.join("\n  - ")}`);
    });

    it("reports every link, graph and port problem in one error", () => {
        const error = rejection([
            { name: "redis-a", plain: { hostPort: 6379 } },
            { name: "redis-b", replicaOf: "redis-a", link: "tls", plain: { hostPort: 6379 } },
            { name: "redis-c", replicaOf: "redis-x", link: "plain", plain: { hostPort: 26379 } },
            { name: "redis-d", replicaOf: "redis-d", link: "plain", plain: { hostPort: 36379 } },
        ]);
        expect(error.problems).toEqual([
            "nodes[1] (redis-b).link: TLS link to redis-a, which has no TLS listener; add tls to redis-a or use link: plain",
            'nodes[2] (redis-c).replicaOf: no node named "redis-x"; use one of redis-a, redis-b, redis-c, redis-d',
            "nodes[3] (redis-d).replicaOf: replication cycle redis-d -> redis-d; one node of it must be a master (no replicaOf)",
            "nodes[1] (redis-b).plain.hostPort: host port 6379 on host local is already used by redis-a.plain; pick a free port",
        ]);
    });

    it("reports a bad namePrefix together with a bad node list", () => {
        expect(rejection(undefined, { namePrefix: "E2E" }).problems).toEqual([
            `namePrefix "E2E": use lowercase letters, digits and '-', starting with a letter or digit`,
            NOT_A_LIST,
        ]);
        expect(rejection([{ name: "redis-a" }], { namePrefix: "E2E" }).problems).toEqual([
            `namePrefix "E2E": use lowercase letters, digits and '-', starting with a letter or digit`,
            "nodes[0] (redis-a): no listener; add plain: { hostPort: ... } and/or tls: { hostPort: ... }",
        ]);
    });
});

// Which server each node runs: its own image/server over the stack's, and what a replica may replicate from.
describe("parseTopology: server releases", () => {
    const seedWith = (name: string, extra: object) => seedNodes().map((n) => (n.name === name ? { ...n, ...extra } : n));
    const R8 = { kind: "redis", major: 8, minor: 0, patch: 2 };
    const R7 = { kind: "redis", major: 7, minor: 0, patch: 15 };

    it("a node's own image overrides the stack's, and the others keep the stack's", () => {
        const topology = parseTopology(seedWith("redis-c", { image: "redis:8.0.2" }), { image: "redis:7.0.15" });
        expect(topology.nodes.map((n) => [n.name, n.image, n.release])).toEqual([
            ["redis-a", "redis:7.0.15", R7],
            ["redis-b", "redis:7.0.15", R7],
            ["redis-c", "redis:8.0.2", R8],
        ]);
    });

    it("a digest-only node image takes its release from the node's server block", () => {
        const image = "valkey/valkey@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        const nodes = seedNodes().map((n) => ({ ...n, image, server: { kind: "valkey", version: "8.1.1" } }));
        expect(parseTopology(nodes).nodes.map((n) => n.release)).toEqual(Array(3).fill({ kind: "valkey", major: 8, minor: 1, patch: 1 }));
    });

    it("the stack's server block applies to nodes without their own", () => {
        const topology = parseTopology(seedNodes(), { image: "registry.local:5000/cache:1", server: { kind: "valkey", version: "8.0.2" } });
        expect(topology.nodes.map((n) => n.release)).toEqual(Array(3).fill({ kind: "valkey", major: 8, minor: 0, patch: 2 }));
    });

    it.each<[string, unknown, ParseOptions | undefined, string[]]>([
        [
            "a node image of an unsupported release",
            seedWith("redis-b", { image: "redis:6.2.14" }),
            undefined,
            ['nodes[1] (redis-b).image: image "redis:6.2.14": Redis 6.2.14 is older than the oldest supported Redis 7.0; use Redis 7.0, 7.2, 7.4, 8.0, 8.6'],
        ],
        [
            "a node image whose server cannot be told",
            seedWith("redis-c", { image: "example/cache:1.0" }),
            undefined,
            [
                'nodes[2] (redis-c).image: image "example/cache:1.0": cannot tell the server from the image name (its last path segment "cache" is neither redis nor valkey); set server: { kind: redis, version: "8.6.7" }',
            ],
        ],
        [
            "a node image that is not pinned",
            seedWith("redis-a", { image: "redis:latest" }),
            undefined,
            ['nodes[0] (redis-a).image: "redis:latest" is not pinned; name a version tag (e.g. redis:8.6.7) or a digest'],
        ],
        [
            "a node server block that is not a version",
            seedWith("redis-a", { image: "example/cache:1.0", server: { kind: "redis", version: "eight" } }),
            undefined,
            ['nodes[0] (redis-a).server.version "eight": not a version; write X.Y.Z, e.g. server: { kind: redis, version: "8.6.7" }'],
        ],
        [
            "a node server block of an unknown kind",
            seedWith("redis-a", { server: { kind: "keydb", version: "6.3.4" } }),
            undefined,
            ['nodes[0] (redis-a).server.kind: "keydb" is not a server kind; use redis or valkey'],
        ],
        [
            "a node server block that contradicts its image",
            seedWith("redis-b", { image: "redis:8.0.2", server: { kind: "valkey", version: "8.1.1" } }),
            undefined,
            ['nodes[1] (redis-b).server: { kind: valkey, version: "8.1.1" } contradicts image "redis:8.0.2" (Redis 8.0.2); fix one of them or drop server:'],
        ],
        [
            "a stack image whose server cannot be told",
            seedNodes(),
            { image: "redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
            [
                'image: image "redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": cannot tell the server from an image pinned by digest only; set server: { kind: redis, version: "8.6.7" }',
            ],
        ],
        [
            "a stack server block of a release newer than the table",
            seedNodes(),
            { image: "example/cache:1.0", server: { kind: "valkey", version: "9.2.0" } },
            [
                'server: { kind: valkey, version: "9.2.0" }: Valkey 9.2.0 is newer than the newest supported Valkey 9.1 (its data format and directives are not known to this program); use Valkey 7.2, 8.0, 8.1, 9.1',
            ],
        ],
        [
            "a replica on an older server than its upstream",
            seedWith("redis-b", { image: "redis:8.0.2" }),
            { image: "redis:7.0.15" },
            [
                "nodes[2] (redis-c).image: a Redis 7.0.15 replica cannot replicate from Redis 8.0.2: the upstream sends RDB version 12 on a full sync and Redis 7.0.15 loads RDB versions up to 10; " +
                    "run the replica on a release that reads RDB 12, or upgrade replicas before their upstream; a replica may run a newer server than its upstream, never an older one",
            ],
        ],
    ])("%s", (_rule, raw, options, problems) => {
        expect(rejection(raw, options).problems).toEqual(problems);
    });
});
