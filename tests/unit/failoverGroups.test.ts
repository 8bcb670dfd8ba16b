import { describe, expect, it } from "vitest";
import { SENTINEL_RULES, SENTINEL_USER, renderNodeUsersFile } from "../../lib/aclUsers";
import { ConfigError } from "../../lib/configError";
import { failoverOutputs } from "../../lib/failoverOutputs";
import { majority } from "../../lib/failoverGroups";
import { ParseOptions, parseTopology } from "../../lib/parseTopology";
import { renderRedisConf } from "../../lib/redisConf";
import { renderSentinelConf } from "../../lib/sentinelConf";
import { HostAddresses, nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

/** The seed with a failover block on redis-a. */
const haNodes = (failover: Record<string, unknown> = {}) => seedNodes().map((n) => (n.name === "redis-a" ? { ...n, failover } : n));

function problems(raw: unknown, options?: ParseOptions): readonly string[] {
    try {
        parseTopology(raw, options);
    } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
    }
    throw new Error("parseTopology accepted invalid config");
}

const TWO_HOSTS: ReadonlyMap<string, HostAddresses> = new Map([
    ["local", { address: "10.200.0.1", publishAddress: "127.0.0.1" }],
    ["host2", { address: "10.200.0.2", publishAddress: "127.0.0.1" }],
]);
const THREE_HOSTS: ReadonlyMap<string, HostAddresses> = new Map([...TWO_HOSTS, ["host3", { address: "10.200.0.3", publishAddress: "127.0.0.1" }]]);

describe("failover groups: the reference chain with failover on redis-a", () => {
    const topology = parseTopology(haNodes());
    const group = topology.failoverGroups![0];

    it("has the defaults: group named after the master, 3 sentinels, majority quorum, ports from 26479", () => {
        expect(group).toMatchObject({
            name: "redis-a",
            master: "redis-a",
            nodes: ["redis-a", "redis-b", "redis-c"],
            candidates: ["redis-a", "redis-b"],
            neverPromoted: ["redis-c"],
            transport: "plain",
            multiHost: false,
            monitor: { host: "redis-a", port: 6379 },
            quorum: 2,
            downAfterMs: 5000,
            failoverTimeoutMs: 60000,
            parallelSyncs: 1,
            image: "redis:8.6.7",
        });
        expect(group.sentinels).toEqual([1, 2, 3].map((n) => ({
            name: `redis-a-sentinel-${n}`,
            containerName: `redis-a-sentinel-${n}`,
            host: "local",
            hostAddress: "127.0.0.1",
            port: 26379,
            hostPort: 26478 + n,
            publishAddress: "127.0.0.1",
            announce: undefined,
        })));
    });

    it.each([
        // node, candidate, announce, announced listener, never promoted
        ["redis-a", true, { ip: "redis-a", port: 6379 }, "plain", false],
        ["redis-b", true, { ip: "redis-b", port: 6379 }, "plain", false],
        // C has no plain listener: Sentinel (plain) cannot reach it, so it is never promoted.
        ["redis-c", false, { ip: "redis-c", port: 6380 }, "tls", true],
    ] as const)("%s: candidate %s, announces %j (%s), never promoted %s", (name, candidate, announce, listener, neverPromote) => {
        expect(nodeByName(topology, name).failover).toEqual({
            group: "redis-a",
            transport: "plain",
            candidate,
            announce,
            announcedListener: listener,
            neverPromote,
            minReplicasToWrite: 1,
            minReplicasMaxLagS: 10,
        });
    });

    it("the stack without a failover block has no groups and no node part of one", () => {
        const plain = parseTopology(seedNodes());
        expect(plain.failoverGroups).toBeUndefined();
        expect(plain.nodes.every((n) => n.failover === undefined)).toBe(true);
        expect("failoverGroups" in plain).toBe(false);
    });

    it("a name prefix reaches the container names Sentinel dials and the sentinels' containers", () => {
        const prefixed = parseTopology(haNodes(), { namePrefix: "e2e-" });
        expect(prefixed.failoverGroups![0].monitor).toEqual({ host: "e2e-redis-a", port: 6379 });
        expect(prefixed.failoverGroups![0].sentinels.map((s) => [s.name, s.containerName])[0]).toEqual(["redis-a-sentinel-1", "e2e-redis-a-sentinel-1"]);
        expect(nodeByName(prefixed, "redis-b").failover!.announce).toEqual({ ip: "e2e-redis-b", port: 6379 });
        // replicaof names the upstream as Sentinel does, so INFO reads the same whoever set the link.
        expect(nodeByName(prefixed, "redis-b").link!.target).toEqual({ host: "e2e-redis-a", port: 6379 });
        expect(nodeByName(prefixed, "redis-c").link!.target).toEqual({ host: "e2e-redis-b", port: 6380 });
        expect(nodeByName(parseTopology(seedNodes(), { namePrefix: "e2e-" }), "redis-b").link!.target).toEqual({ host: "redis-a", port: 6379 });
    });

    it("explicit settings win", () => {
        const t = parseTopology(
            haNodes({ name: "cache", sentinels: 5, quorum: 3, hostPorts: [30001, 30002, 30003, 30004, 30005], downAfterMs: 2000, failoverTimeoutMs: 9000, parallelSyncs: 2, minReplicasToWrite: 0, minReplicasMaxLagS: 5 }),
        );
        const g = t.failoverGroups![0];
        expect([g.name, g.quorum, g.downAfterMs, g.failoverTimeoutMs, g.parallelSyncs]).toEqual(["cache", 3, 2000, 9000, 2]);
        expect(g.sentinels.map((s) => s.hostPort)).toEqual([30001, 30002, 30003, 30004, 30005]);
        expect(g.sentinels[4].name).toBe("cache-sentinel-5");
        expect(nodeByName(t, "redis-a").failover).toMatchObject({ group: "cache", minReplicasToWrite: 0, minReplicasMaxLagS: 5 });
    });

    it("default sentinel ports skip the ports nodes use", () => {
        const nodes = haNodes().map((n) => (n.name === "redis-b" ? { ...n, plain: { hostPort: 26479 } } : n));
        expect(parseTopology(nodes).failoverGroups![0].sentinels.map((s) => s.hostPort)).toEqual([26480, 26481, 26482]);
    });

    it("exporters' default ports skip the sentinels' ports", () => {
        const t = parseTopology(haNodes({ hostPorts: [9121, 9122, 9123] }), { metrics: { enabled: true, baseHostPort: 9121 } });
        expect(t.nodes.map((n) => n.metrics?.hostPort)).toEqual([9124, 9125, 9126]);
    });

    it.each([1, 2, 3, 4, 5, 7])("the majority of %i sentinels", (n) => {
        expect(majority(n)).toBe({ 1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 7: 4 }[n]);
    });
});

describe("failover groups: TLS transport", () => {
    // A TLS-only master, a direct replica with both listeners, and a plain-only node below it.
    const tlsNodes = () => [
        { name: "redis-a", tls: { hostPort: 7001 }, failover: {} },
        { name: "redis-b", replicaOf: "redis-a", link: "tls", tls: { hostPort: 7002 }, plain: { hostPort: 7004 } },
        { name: "redis-c", replicaOf: "redis-b", link: "plain", plain: { hostPort: 7003 } },
    ];

    it("uses TLS when every candidate has a TLS listener and not all a plain one; deeper nodes without TLS are never promoted", () => {
        const t = parseTopology(tlsNodes());
        const g = t.failoverGroups![0];
        expect([g.transport, g.monitor, g.neverPromoted]).toEqual(["tls", { host: "redis-a", port: 6380 }, ["redis-c"]]);
        expect(nodeByName(t, "redis-c").failover).toMatchObject({ announce: { ip: "redis-c", port: 6379 }, announcedListener: "plain", neverPromote: true });
    });

    it("the master's redis.conf sets tls-replication yes: demoted, it dials the new master over TLS", () => {
        const conf = renderRedisConf(nodeByName(parseTopology(tlsNodes()), "redis-a"));
        expect(conf).toContain("tls-replication yes\n");
    });
});

describe("failover groups: refused config", () => {
    it.each<[string, unknown, ParseOptions | undefined, string]>([
        [
            "failover on a replica",
            seedNodes().map((n) => (n.name === "redis-b" ? { ...n, failover: {} } : n)),
            undefined,
            "nodes[1] (redis-b).failover: set on a replica; put the failover block on the master of the tree (redis-a), it covers every node below it",
        ],
        ["quorum above the sentinel count", haNodes({ quorum: 4 }), undefined, "nodes[0] (redis-a).failover.quorum: 4 is more than the 3 sentinels; use at most 3 (default: a majority, 2)"],
        ["quorum 0", haNodes({ quorum: 0 }), undefined, "nodes[0] (redis-a).failover.quorum: use at least 1"],
        ["no sentinel", haNodes({ sentinels: 0 }), undefined, "nodes[0] (redis-a).failover.sentinels: use at least 1"],
        ["too few host ports", haNodes({ hostPorts: [30001] }), undefined, "nodes[0] (redis-a).failover.hostPorts: 1 ports for 3 sentinels; give one host port per sentinel"],
        [
            "a host port a node uses",
            haNodes({ hostPorts: [30001, 16379, 30003] }),
            undefined,
            "nodes[0] (redis-a).failover.hostPorts[1]: host port 16379 on host local is already used by redis-b.plain; pick a free port",
        ],
        [
            "two sentinels on one host port",
            haNodes({ hostPorts: [30001, 30001, 30003] }),
            undefined,
            "nodes[0] (redis-a).failover.hostPorts[1]: host port 30001 on host local is already used by sentinel redis-a-sentinel-1; pick a free port",
        ],
        [
            "an unknown host",
            haNodes({ hosts: ["local", "local", "nowhere"] }),
            undefined,
            'nodes[0] (redis-a).failover.hosts[2]: no host named "nowhere"; use one of local or add it to redis-chain:hosts',
        ],
        ["unknown field", haNodes({ sentinel: 3 }), undefined, "nodes[0] (redis-a).failover.sentinel: unknown field; known fields are name, sentinels, hostPorts, hosts, quorum, downAfterMs, failoverTimeoutMs, parallelSyncs, minReplicasToWrite, minReplicasMaxLagS, allowQuorumOnOneHost"],
        [
            "a master without replicas",
            [{ name: "solo", plain: { hostPort: 6379 }, failover: {} }],
            undefined,
            "nodes[0] (solo).failover: solo has no replica Sentinel could promote; add a node with replicaOf: solo, or remove failover",
        ],
        [
            "min-replicas-to-write above the master's replica count",
            haNodes({ minReplicasToWrite: 2 }),
            undefined,
            "nodes[0] (redis-a).failover.minReplicasToWrite: 2 is more than the 1 replicas of redis-a, which would then refuse every write; use at most 1, or 0",
        ],
        [
            "a master and one replica with minReplicasToWrite 1: the promoted replica would have no replica",
            [
                { name: "redis-a", plain: { hostPort: 6379 }, failover: {} },
                { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 16379 } },
            ],
            undefined,
            "nodes[0] (redis-a).failover.minReplicasToWrite: 1 would leave redis-b, promoted once redis-a is lost, with 0 replicas, refusing every write until redis-a returns; add a replica of redis-a or of redis-b, or set minReplicasToWrite: 0",
        ],
        [
            "no transport common to the candidates",
            [
                { name: "redis-a", plain: { hostPort: 6379 }, failover: {} },
                { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 6390 } },
                { name: "redis-x", replicaOf: "redis-a", link: "plain", plain: { hostPort: 6391 }, tls: { hostPort: 6392 } },
                { name: "redis-y", replicaOf: "redis-a", link: "plain", plain: { hostPort: 6393 } },
            ].map((n) => (n.name === "redis-b" ? { ...n, plain: undefined, tls: { hostPort: 6390 }, link: "plain" } : n)),
            undefined,
            "",
        ],
        [
            "a direct replica linked over another transport than the group's",
            [
                { name: "redis-a", plain: { hostPort: 6379 }, tls: { hostPort: 6380 }, failover: {} },
                { name: "redis-b", replicaOf: "redis-a", link: "tls", plain: { hostPort: 6390 } },
            ],
            undefined,
            "nodes[1] (redis-b).link: tls link to redis-a, whose failover group reaches its promotion candidates over plain (Sentinel uses one transport for a group); use link: plain",
        ],
        [
            "a sentinel container named like a node",
            [...haNodes(), { name: "redis-a-sentinel-2", replicaOf: "redis-c", link: "tls", tls: { hostPort: 7000 } }],
            undefined,
            "nodes: the sentinel container redis-a-sentinel-2 of group redis-a has a node's name; rename the node or set failover.name",
        ],
    ])("%s", (_case, raw, options, problem) => {
        const found = problems(raw, options);
        if (problem === "") {
            // No transport: the message names which node lacks which listener.
            expect(found.join("\n")).toMatch(/Sentinel reaches every promotion candidate .* over one transport, and redis-b has no plain listener, redis-a has no tls listener, redis-y has no tls listener; give them all a plain listener or all a TLS listener/);
        } else {
            expect(found).toContain(problem);
        }
    });
});

describe("failover groups: placement across hosts", () => {
    /** The seed with redis-b on host2, its link over TLS. */
    const spread = (failover: Record<string, unknown>) =>
        haNodes(failover).map((n) => (n.name === "redis-b" ? { ...n, host: "host2", link: "plain", allowPlainAcrossHosts: true, allowPlainOnNetwork: true } : n.name === "redis-a" ? { ...n, allowPlainOnNetwork: true } : n));

    it("refuses two hosts with the default round-robin: losing local leaves 1 of 3 sentinels", () => {
        expect(problems(spread({}), { hosts: TWO_HOSTS })).toContain(
            "nodes[0] (redis-a).failover.hosts: losing host local leaves 1 of 3 sentinels, fewer than the quorum (2) or the majority (2) a failover needs; " +
                "spread the sentinels over more hosts with failover.hosts, or set allowQuorumOnOneHost: true",
        );
    });

    it("accepts the same placement with allowQuorumOnOneHost", () => {
        expect(parseTopology(spread({ allowQuorumOnOneHost: true }), { hosts: TWO_HOSTS }).failoverGroups![0].multiHost).toBe(true);
    });

    it("accepts one sentinel per host on three hosts, announcing published addresses", () => {
        const t = parseTopology(spread({ hosts: ["local", "host2", "host3"] }), { hosts: THREE_HOSTS });
        const g = t.failoverGroups![0];
        expect(g.monitor).toEqual({ host: "10.200.0.1", port: 6379 });
        expect(g.sentinels.map((s) => [s.host, s.publishAddress, s.announce])).toEqual([
            ["local", "10.200.0.1", { ip: "10.200.0.1", port: 26479 }],
            ["host2", "10.200.0.2", { ip: "10.200.0.2", port: 26479 }],
            ["host3", "10.200.0.3", { ip: "10.200.0.3", port: 26479 }],
        ]);
        expect(nodeByName(t, "redis-b").failover!.announce).toEqual({ ip: "10.200.0.2", port: 16379 });
        // The listener Sentinel dials across hosts is published on the host's address.
        expect(nodeByName(t, "redis-a").listeners.plain!.publishAddress).toBe("10.200.0.1");
        expect(nodeByName(t, "redis-c").listeners.tls!.publishAddress).toBe("10.200.0.1");
    });

    it("refuses plain sentinels on the hosts' addresses without the master's allowPlainOnNetwork", () => {
        const withoutConsent = spread({ hosts: ["local", "host2", "host3"] }).map((n) => (n.name === "redis-a" ? { ...n, allowPlainOnNetwork: undefined } : n));
        expect(problems(withoutConsent, { hosts: THREE_HOSTS })).toContain(
            "nodes[0] (redis-a).failover: the sentinels of group redis-a span hosts and would listen in plain on 10.200.0.1, 10.200.0.2, 10.200.0.3, " +
                "unencrypted to anyone on that network; give the master and its direct replicas TLS listeners only (the group then speaks TLS), " +
                "or set allowPlainOnNetwork: true on the master",
        );
    });

    it("a group on one host of a two-host stack is not checked for host loss", () => {
        const t = parseTopology(haNodes(), { hosts: TWO_HOSTS });
        expect(t.failoverGroups![0].multiHost).toBe(false);
    });
});

describe("redis.conf of a group's nodes", () => {
    const topology = parseTopology(haNodes());

    it.each([
        ["redis-a", ["min-replicas-to-write 1", "min-replicas-max-lag 10", "replica-announce-ip redis-a", "replica-announce-port 6379", "tls-replication no", "masteruser replicator"], ["replica-priority 0"]],
        ["redis-b", ["min-replicas-to-write 1", "replica-announce-ip redis-b", "replica-announce-port 6379"], ["replica-priority 0"]],
        ["redis-c", ["min-replicas-to-write 1", "replica-announce-ip redis-c", "replica-announce-port 6380", "replica-priority 0"], []],
    ])("%s", (name, present, absent) => {
        const lines = renderRedisConf(nodeByName(topology, name)).split("\n");
        for (const line of present) expect(lines).toContain(line);
        for (const line of absent) expect(lines).not.toContain(line);
    });

    it("the same node outside a group renders none of it", () => {
        const conf = renderRedisConf(nodeByName(parseTopology(seedNodes()), "redis-a"));
        expect(conf).not.toMatch(/min-replicas|replica-announce|replica-priority|tls-replication/);
    });
});

describe("the sentinel user", () => {
    const PASSWORDS = { application: "app", admin: "adm", check: "chk", replication: "rep", healthcheck: "hc", sentinel: "sen" };

    it("has exactly the rules Redis's ACL docs list for Sentinel", () => {
        expect(SENTINEL_RULES.join(" ")).toBe(
            "allchannels +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill",
        );
    });

    it("the group's master carries masterauth: Sentinel may make it a replica", () => {
        const master = parseTopology(haNodes()).nodes[0];
        expect(renderNodeUsersFile(master, PASSWORDS)).toContain("\nmasterauth rep\n");
        expect(renderNodeUsersFile(parseTopology(seedNodes()).nodes[0], PASSWORDS)).not.toContain("masterauth");
    });

    it("is on every node of a group, and on no node outside one", () => {
        const inGroup = parseTopology(haNodes());
        for (const node of inGroup.nodes) expect(renderNodeUsersFile(node, PASSWORDS)).toContain(`user ${SENTINEL_USER} reset on #`);
        for (const node of parseTopology(seedNodes()).nodes) expect(renderNodeUsersFile(node, PASSWORDS)).not.toContain(`user ${SENTINEL_USER} `);
    });
});

describe("sentinel.conf", () => {
    const group = parseTopology(haNodes()).failoverGroups![0];

    it("renders the reference group's first sentinel exactly", () => {
        expect(renderSentinelConf(group, group.sentinels[0], { sentinelPassword: "spw", nodePassword: "npw" })).toBe(
            [
                "# redis-a-sentinel-1: Sentinel of group redis-a, rendered by redis-chain; Sentinel rewrites its copy in /data.",
                "",
                "# Listener. With tls-replication, Sentinel announces its tls-port to the other sentinels.",
                "port 26379",
                "dir /data",
                "",
                "# Docker names: the nodes announce their container names on one host (replica-announce-ip),",
                "# which Sentinel resolves and reports as names rather than container IPs that change on restart.",
                "sentinel resolve-hostnames yes",
                "sentinel announce-hostnames yes",
                "",
                "# Clients and the other sentinels log in with the group's sentinel password.",
                "requirepass spw",
                "sentinel sentinel-pass spw",
                "",
                "# The group: its master as declared; a failover rewrites this line in /data/sentinel.conf.",
                "sentinel monitor redis-a redis-a 6379 2",
                "sentinel down-after-milliseconds redis-a 5000",
                "sentinel failover-timeout redis-a 60000",
                "sentinel parallel-syncs redis-a 1",
                "sentinel auth-user redis-a sentinel",
                "sentinel auth-pass redis-a npw",
                "",
            ].join("\n"),
        );
    });

    it("without authentication on the nodes, no auth-user/auth-pass", () => {
        expect(renderSentinelConf(group, group.sentinels[0], { sentinelPassword: "spw" })).not.toMatch(/auth-(user|pass)/);
    });

    it("a TLS group listens on tls-port only and uses TLS everywhere", () => {
        const tls = parseTopology([
            { name: "redis-a", tls: { hostPort: 7001 }, failover: { minReplicasToWrite: 0 } },
            { name: "redis-b", replicaOf: "redis-a", link: "tls", tls: { hostPort: 7002 } },
        ]).failoverGroups![0];
        const lines = renderSentinelConf(tls, tls.sentinels[0], { sentinelPassword: "spw" }).split("\n");
        for (const line of ["port 0", "tls-port 26379", "tls-replication yes", "tls-cert-file /data/tls/redis.crt", "tls-key-file /data/tls/redis.key", "tls-ca-cert-file /data/tls/ca.crt", "sentinel monitor redis-a redis-a 6380 2"]) {
            expect(lines).toContain(line);
        }
    });

    it("refuses a password that is not one config token", () => {
        expect(() => renderSentinelConf(group, group.sentinels[0], { sentinelPassword: "a b" })).toThrow(/alphanumeric/);
    });
});

describe("the failover output", () => {
    it("lists the sentinels and maps every address Sentinel reports to the published one", () => {
        expect(failoverOutputs(parseTopology(haNodes()))).toEqual({
            "redis-a": {
                declaredMaster: "redis-a",
                quorum: 2,
                transport: "plain",
                sentinels: [
                    { name: "redis-a-sentinel-1", host: "127.0.0.1", port: 26479 },
                    { name: "redis-a-sentinel-2", host: "127.0.0.1", port: 26480 },
                    { name: "redis-a-sentinel-3", host: "127.0.0.1", port: 26481 },
                ],
                natMap: {
                    "redis-a:6379": { host: "127.0.0.1", port: 6379 },
                    "redis-b:6379": { host: "127.0.0.1", port: 16379 },
                    "redis-c:6380": { host: "127.0.0.1", port: 26380 },
                },
            },
        });
    });

    it("is empty without a failover block", () => {
        expect(failoverOutputs(parseTopology(seedNodes()))).toEqual({});
    });
});
