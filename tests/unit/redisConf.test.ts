import { describe, expect, it } from "vitest";
import { parseTopology } from "../../lib/parseTopology";
import { DEFAULT_MEMORY, containerMemoryLimitMb } from "../../lib/memoryLimits";
import { DEFAULT_CONF_OPTIONS, DEFAULT_TUNING, RedisConfOptions, nodeMemory, renderRedisConf, understoodLines } from "../../lib/redisConf";
import { Topology, nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

const seed = () => parseTopology(seedNodes());
const render = (topology: Topology, name: string, options?: RedisConfOptions) => renderRedisConf(nodeByName(topology, name), options);
const AUTH_OFF: RedisConfOptions = { tuning: DEFAULT_TUNING, authEnabled: false, memory: DEFAULT_MEMORY };
/** The directives of a rendered file: comments and blank lines dropped. */
const directives = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

const TLS_FILE_LINES = [
    "tls-cert-file /data/tls/redis.crt",
    "tls-key-file /data/tls/redis.key",
    "tls-ca-cert-file /data/tls/ca.crt",
];
// With authentication on (the default) every node carries these.
const COMMON_LINES = [
    "bind 0.0.0.0",
    "protected-mode yes",
    "repl-diskless-sync yes",
    "repl-diskless-sync-delay 0",
    "repl-backlog-size 64mb",
    "client-output-buffer-limit replica 256mb 64mb 60",
    "repl-disable-tcp-nodelay no",
    "dir /data",
    "dbfilename dump.rdb",
    "save 3600 1 300 100 60 10000",
    "appendonly no",
    "maxmemory 256mb",
    "maxmemory-policy noeviction",
    "enable-debug-command no",
    "enable-module-command no",
    "enable-protected-configs no",
    "include /data/secrets/auth.conf",
];

describe("renderRedisConf: the seed, whole files", () => {
    // Reviewed by eye when generated; any change to a rendered file shows up as a diff here.
    it.each(["redis-a", "redis-b", "redis-c"])("%s matches its file in tests/unit/expected/", async (name) => {
        await expect(render(seed(), name)).toMatchFileSnapshot(`./expected/${name}.conf`);
    });
});

describe("renderRedisConf: the seed, line by line", () => {
    it.each(["redis-a", "redis-b", "redis-c"])("%s has the settings every node needs", (name) => {
        const lines = directives(render(seed(), name));
        for (const line of COMMON_LINES) expect(lines).toContain(line);
    });

    it("redis-a: plain master on 6379, no TLS, no replicaof", () => {
        const text = render(seed(), "redis-a");
        const lines = directives(text);
        expect(lines).toContain("port 6379");
        expect(lines.filter((l) => l.startsWith("tls-"))).toEqual([]);
        expect(lines.filter((l) => /^(replicaof|slaveof|replica-|masteruser|masterauth)/.test(l))).toEqual([]);
        expect(text.startsWith("# redis-a: ")).toBe(true);
        // auth.conf comes last, so its settings win over anything above.
        expect(text.endsWith("\ninclude /data/secrets/auth.conf\n")).toBe(true);
    });

    it("redis-b: plain and TLS listeners, plain link to redis-a:6379", () => {
        const lines = directives(render(seed(), "redis-b"));
        expect(lines).toEqual(
            expect.arrayContaining([
                "port 6379",
                "tls-port 6380",
                ...TLS_FILE_LINES,
                "tls-auth-clients no",
                'tls-protocols "TLSv1.2 TLSv1.3"',
                "replicaof redis-a 6379",
                "tls-replication no",
                "replica-read-only yes",
                "masteruser replicator",
            ]),
        );
    });

    it("redis-c: TLS only (port 0), TLS link to redis-b:6380", () => {
        const lines = directives(render(seed(), "redis-c"));
        expect(lines).toEqual(
            expect.arrayContaining([
                "port 0",
                "tls-port 6380",
                ...TLS_FILE_LINES,
                "tls-auth-clients no",
                'tls-protocols "TLSv1.2 TLSv1.3"',
                "replicaof redis-b 6380",
                "tls-replication yes",
                "replica-read-only yes",
                "masteruser replicator",
            ]),
        );
        expect(lines).not.toContain("port 6379");
    });

    it("holds no secret: passwords stay in auth.conf", () => {
        for (const name of ["redis-a", "redis-b", "redis-c"]) {
            const keys = directives(render(seed(), name)).map((l) => l.split(" ")[0]);
            expect(keys.filter((k) => ["requirepass", "masterauth", "user"].includes(k)), name).toEqual([]);
        }
    });

    it("each directive appears once per file", () => {
        for (const name of ["redis-a", "redis-b", "redis-c"]) {
            const keys = directives(render(seed(), name)).map((l) => l.split(" ")[0]);
            expect(keys.filter((k, i) => keys.indexOf(k) !== i), name).toEqual([]);
        }
    });
});

describe("renderRedisConf: derived cases", () => {
    it("a replica in a prefixed topology names its upstream by alias, not container name", () => {
        const topology = parseTopology(seedNodes(), { namePrefix: "e2e-" });
        expect(nodeByName(topology, "redis-b").containerName).toBe("e2e-redis-b");
        expect(directives(render(topology, "redis-b"))).toContain("replicaof redis-a 6379");
        expect(directives(render(topology, "redis-c"))).toContain("replicaof redis-b 6380");
        expect(render(topology, "redis-c")).not.toContain("e2e-");
    });

    it("a replica across hosts dials the upstream's host address and published port, and announces itself", () => {
        const nodes = seedNodes().map((n) => (n.name === "redis-c" ? { ...n, host: "host2" } : n));
        const hosts = new Map([
            ["local", { address: "10.200.0.1", publishAddress: "127.0.0.1" }],
            ["host2", { address: "10.200.0.2", publishAddress: "10.200.0.2" }],
        ]);
        const lines = directives(render(parseTopology(nodes, { hosts }), "redis-c"));
        expect(lines).toEqual(
            expect.arrayContaining([
                "replicaof 10.200.0.1 16380",
                "tls-replication yes",
                "replica-announce-ip 10.200.0.2",
                "replica-announce-port 26380",
            ]),
        );
        expect(lines).not.toContain("replicaof redis-b 6380");
        // Nodes that stay on one host announce nothing.
        for (const name of ["redis-a", "redis-b"]) {
            expect(directives(render(parseTopology(nodes, { hosts }), name)).filter((l) => l.startsWith("replica-announce"))).toEqual([]);
        }
    });

    it("a plain-only node with a TLS upstream link gets the TLS files and tls-replication yes, but no tls-port", () => {
        const topology = parseTopology([
            { name: "redis-a", tls: { hostPort: 6380 } },
            { name: "redis-b", replicaOf: "redis-a", link: "tls", plain: { hostPort: 16379 } },
        ]);
        const lines = directives(render(topology, "redis-b"));
        expect(lines).toEqual(
            expect.arrayContaining(["port 6379", ...TLS_FILE_LINES, "replicaof redis-a 6380", "tls-replication yes"]),
        );
        expect(lines.filter((l) => l.startsWith("tls-port"))).toEqual([]);
    });

    it("a TLS-only master has port 0 and tls-port, and no replication target", () => {
        const topology = parseTopology([{ name: "redis-a", tls: { hostPort: 6380 }, tlsAuthClients: "yes" }]);
        const lines = directives(render(topology, "redis-a"));
        expect(lines).toEqual(expect.arrayContaining(["port 0", "tls-port 6380", ...TLS_FILE_LINES, "tls-auth-clients yes"]));
        expect(lines.filter((l) => /^(replicaof|tls-replication|replica-read-only)/.test(l))).toEqual([]);
    });

    it("custom container ports reach port, tls-port and the replica's replicaof", () => {
        const topology = parseTopology([
            { name: "redis-a", plain: { hostPort: 7000, port: 7001 }, tls: { hostPort: 7002, port: 7003 } },
            { name: "redis-b", replicaOf: "redis-a", link: "tls", plain: { hostPort: 17000, port: 7101 } },
        ]);
        expect(directives(render(topology, "redis-a"))).toEqual(expect.arrayContaining(["port 7001", "tls-port 7003"]));
        expect(directives(render(topology, "redis-b"))).toEqual(expect.arrayContaining(["port 7101", "replicaof redis-a 7003"]));
    });

    it.each([
        ["optional", "tls-auth-clients optional"],
        ["yes", "tls-auth-clients yes"],
    ] as const)("tlsAuthClients %s is written as %j", (value, line) => {
        const topology = parseTopology([{ name: "redis-a", plain: { hostPort: 6379 }, tls: { hostPort: 6380 }, tlsAuthClients: value }]);
        expect(directives(render(topology, "redis-a"))).toContain(line);
    });

    it("tuning values appear in every node's file", () => {
        const topology = seed();
        for (const node of topology.nodes) {
            const options = { ...DEFAULT_CONF_OPTIONS, tuning: { disklessSyncDelaySeconds: 7, backlogSizeMb: 256 } };
            const lines = directives(renderRedisConf(node, options));
            expect(lines).toEqual(expect.arrayContaining(["repl-diskless-sync-delay 7", "repl-backlog-size 256mb"]));
            expect(lines).not.toContain("repl-diskless-sync-delay 0");
            expect(lines).not.toContain("repl-backlog-size 64mb");
        }
    });

    it.each([
        [1, "client-output-buffer-limit replica 256mb 64mb 60"],
        [128, "client-output-buffer-limit replica 256mb 128mb 60"],
        [1024, "client-output-buffer-limit replica 1024mb 1024mb 60"],
    ])("with a %i MB backlog the replica output buffer limit is %j (never below the backlog)", (backlogSizeMb, line) => {
        const options = { ...DEFAULT_CONF_OPTIONS, tuning: { disklessSyncDelaySeconds: 0, backlogSizeMb } };
        expect(directives(render(seed(), "redis-a", options))).toContain(line);
    });

    it("with auth off: protected-mode no, no include, no masteruser; the rest unchanged", () => {
        for (const name of ["redis-a", "redis-b", "redis-c"]) {
            const on = directives(render(seed(), name));
            const off = directives(render(seed(), name, AUTH_OFF));
            expect(off).toContain("protected-mode no");
            expect(off.filter((l) => /^(include|masteruser|protected-mode yes)/.test(l)), name).toEqual([]);
            const authLines = ["protected-mode yes", "include /data/secrets/auth.conf", "masteruser replicator"];
            expect(on.filter((l) => !authLines.includes(l))).toEqual(off.filter((l) => l !== "protected-mode no"));
        }
    });

    it.each([
        ["rdb", ["save 3600 1 300 100 60 10000", "appendonly no"], ["appendfsync"]],
        ["aof", ["save 3600 1 300 100 60 10000", "appendonly yes", "appendfsync everysec"], []],
        ["none", ['save ""', "appendonly no"], ["save 3600", "appendfsync"]],
    ] as const)("persistence %s renders its lines", (persistence, present, absent) => {
        const nodes = seedNodes();
        nodes[2] = { ...nodes[2], persistence };
        const text = render(parseTopology(nodes), "redis-c");
        const lines = directives(text);
        expect(lines).toEqual(expect.arrayContaining([...present, "dir /data", "dbfilename dump.rdb"]));
        for (const prefix of absent) expect(lines.filter((l) => l.startsWith(prefix))).toEqual([]);
        expect(text).toContain(`# Persistence: ${persistence}, in the node's own volume.`);
    });

    it("is deterministic: the same input renders the same text, also from a fresh parse", () => {
        for (const name of ["redis-a", "redis-b", "redis-c"]) {
            const first = render(seed(), name);
            expect(render(seed(), name)).toBe(first);
            const topology = seed();
            expect(render(topology, name)).toBe(render(topology, name));
        }
    });

    it("nodes get different files (the name is in the header)", () => {
        const topology = seed();
        const texts = topology.nodes.map((n) => renderRedisConf(n));
        expect(new Set(texts).size).toBe(3);
        expect(texts.map((t) => t.split("\n")[0])).toEqual([
            "# redis-a: rendered by redis-chain from the stack config; redeploy instead of editing.",
            "# redis-b: rendered by redis-chain from the stack config; redeploy instead of editing.",
            "# redis-c: rendered by redis-chain from the stack config; redeploy instead of editing.",
        ]);
    });
});

describe("renderRedisConf by server release", () => {
    it("a Valkey 8.1 chain renders the same text as Redis: every directive is understood by both", () => {
        const valkey = parseTopology(seedNodes(), { image: "valkey/valkey:8.1.1" });
        for (const name of ["redis-a", "redis-b", "redis-c"]) expect(render(valkey, name)).toBe(render(seed(), name));
        expect(directives(render(valkey, "redis-b"))).toContain("masteruser replicator");
    });

    it("drops a directive the release does not understand and keeps the ones it does", () => {
        const lines = ["# comment", "", "hide-user-data-from-log yes", "port 6379"];
        expect(understoodLines(lines, { kind: "redis", major: 7, minor: 0, patch: 15 })).toEqual(["# comment", "", "port 6379"]);
        expect(understoodLines(lines, { kind: "valkey", major: 8, minor: 1 })).toEqual(lines);
    });

    it("refuses a directive missing from the directive table", () => {
        expect(() => understoodLines(["no-such-directive yes"], { kind: "redis", major: 8, minor: 0 })).toThrow(/no row in DIRECTIVES/);
    });
});

describe("renderRedisConf: server hardening and memory", () => {
    const HARDENING = ["enable-debug-command no", "enable-module-command no", "enable-protected-configs no"];

    it.each([
        ["redis:7.0.15", "redis 7.0"],
        ["redis:8.0.3", "redis 8.0"],
        ["valkey/valkey:7.2.5", "valkey 7.2"],
        ["valkey/valkey:8.1.1", "valkey 8.1"],
    ])("%s (%s) closes DEBUG, MODULE and the protected configs, with auth on and off", (image) => {
        const topology = parseTopology(seedNodes(), { image });
        for (const name of ["redis-a", "redis-b", "redis-c"]) {
            for (const options of [DEFAULT_CONF_OPTIONS, AUTH_OFF]) {
                expect(directives(render(topology, name, options)).filter((l) => l.startsWith("enable-"))).toEqual(HARDENING);
            }
        }
    });

    it.each([
        [{ maxmemoryMb: 256, policy: "noeviction" }, ["maxmemory 256mb", "maxmemory-policy noeviction"]],
        [{ maxmemoryMb: 4096, policy: "allkeys-lru" }, ["maxmemory 4096mb", "maxmemory-policy allkeys-lru"]],
    ] as const)("memory %j is written as %j on every node", (memory, lines) => {
        for (const name of ["redis-a", "redis-b", "redis-c"]) {
            const found = directives(render(seed(), name, { ...DEFAULT_CONF_OPTIONS, memory })).filter((l) => l.startsWith("maxmemory"));
            expect(found).toEqual(lines);
        }
    });

    it("the include of the users file stays last, after hardening and memory, so nothing above can undo a user", () => {
        const lines = directives(render(seed(), "redis-b"));
        expect(lines.at(-1)).toBe("include /data/secrets/auth.conf");
    });

    it.each([
        // 2 x maxmemory + backlog + replicas x max(256, backlog) + 64
        ["redis-a", DEFAULT_CONF_OPTIONS, 2 * 256 + 64 + 1 * 256 + 64],
        ["redis-c", DEFAULT_CONF_OPTIONS, 2 * 256 + 64 + 0 + 64],
        ["redis-a", { ...DEFAULT_CONF_OPTIONS, tuning: { disklessSyncDelaySeconds: 0, backlogSizeMb: 512 } }, 2 * 256 + 512 + 512 + 64],
        ["redis-a", { ...DEFAULT_CONF_OPTIONS, memory: { maxmemoryMb: 1024, policy: "noeviction" as const } }, 2048 + 64 + 256 + 64],
    ])("%s's container limit follows from the same numbers as its maxmemory (%#)", (name, options, limitMb) => {
        expect(containerMemoryLimitMb(nodeMemory(nodeByName(seed(), name), options))).toBe(limitMb);
    });

    it("a fan-out master counts each directly attached replica", () => {
        const topology = parseTopology([
            { name: "hub", plain: { hostPort: 6379 } },
            ...["r1", "r2", "r3"].map((name, i) => ({ name, replicaOf: "hub", link: "plain", plain: { hostPort: 6400 + i } })),
        ]);
        expect(nodeMemory(nodeByName(topology, "hub"), DEFAULT_CONF_OPTIONS)).toEqual({
            maxmemoryMb: 256,
            policy: "noeviction",
            backlogSizeMb: 64,
            replicaCount: 3,
        });
    });
});
