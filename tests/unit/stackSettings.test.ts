import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../lib/configSchema";
import { ConfigError } from "../../lib/configError";
import { parseTopology } from "../../lib/parseTopology";
import { RawStackConfig, parseStackSettings } from "../../lib/stackSettings";
import { seedNodes } from "../support/seed";

function rejection(raw: RawStackConfig): ConfigError {
    let thrown: unknown;
    try {
        parseStackSettings(raw);
    } catch (error) {
        thrown = error;
    }
    expect(thrown, "parseStackSettings accepted invalid config").toBeInstanceOf(ConfigError);
    return thrown as ConfigError;
}

describe("parseStackSettings: defaults", () => {
    it("fills every setting for the seed nodes alone", () => {
        expect(parseStackSettings({ nodes: seedNodes() })).toEqual({
            topology: parseTopology(seedNodes()),
            image: "redis:8.6.7",
            networkName: "redis-chain",
            publishAddress: "127.0.0.1",
            checkEnabled: true,
            checkTimeoutMs: 60_000,
            upstreamWaitSeconds: 30,
            tuning: { disklessSyncDelaySeconds: 0, backlogSizeMb: 64 },
            authEnabled: true,
            access: { allowScripting: false },
            memory: { maxmemoryMb: 256, policy: "noeviction" },
            restartPolicy: "unless-stopped",
            hosts: [{ name: "local", address: "127.0.0.1", publishAddress: "127.0.0.1" }],
            metrics: {
                exporterImage: "oliver006/redis_exporter:v1.88.0",
                scrapeIntervalSeconds: 15,
                alerts: CONFIG_DEFAULTS.alerts,
                outageSeconds: 60,
            },
            rollout: "rolling",
        });
    });

    it("prefixes the default network name and the container names with namePrefix", () => {
        const settings = parseStackSettings({ nodes: seedNodes(), namePrefix: "e2e-" });
        expect(settings.networkName).toBe("e2e-redis-chain");
        expect(settings.topology.nodes.map((n) => n.containerName)).toEqual(["e2e-redis-a", "e2e-redis-b", "e2e-redis-c"]);
        expect(settings.topology.nodes.map((n) => n.alias)).toEqual(["redis-a", "redis-b", "redis-c"]);
    });

    it("an explicit networkName wins over the prefixed default", () => {
        expect(parseStackSettings({ nodes: seedNodes(), namePrefix: "e2e-", networkName: "shared_net.1" }).networkName).toBe("shared_net.1");
    });
});

describe("parseStackSettings: explicit valid values", () => {
    it("takes every setting as given", () => {
        const settings = parseStackSettings({
            nodes: seedNodes(),
            image: "redis:7.2.4",
            networkName: "chain-net",
            publishAddress: "127.0.0.2",
            postDeployCheck: "false",
            checkTimeoutSeconds: "90",
            upstreamWaitSeconds: "5",
            replDisklessSyncDelaySeconds: "5",
            replBacklogSizeMb: "128",
            auth: "false",
            allowScripting: "true",
            maxmemoryMb: "1024",
            maxmemoryPolicy: "allkeys-lru",
            restartPolicy: "on-failure",
            rollout: "parallel",
        });
        expect({ ...settings, topology: undefined }).toEqual({
            topology: undefined,
            hosts: [{ name: "local", address: "127.0.0.2", publishAddress: "127.0.0.2" }],
            image: "redis:7.2.4",
            networkName: "chain-net",
            publishAddress: "127.0.0.2",
            checkEnabled: false,
            checkTimeoutMs: 90_000,
            upstreamWaitSeconds: 5,
            tuning: { disklessSyncDelaySeconds: 5, backlogSizeMb: 128 },
            authEnabled: false,
            access: { allowScripting: true },
            memory: { maxmemoryMb: 1024, policy: "allkeys-lru" },
            restartPolicy: "on-failure",
            metrics: { exporterImage: CONFIG_DEFAULTS.metricsExporterImage, scrapeIntervalSeconds: 15, alerts: CONFIG_DEFAULTS.alerts, outageSeconds: 60 },
            rollout: "parallel",
        });
    });

    it("rollout defaults to rolling and refuses an unknown mode", () => {
        expect(parseStackSettings({ nodes: seedNodes() }).rollout).toBe("rolling");
        expect(rejection({ nodes: seedNodes(), rollout: "all-at-once" }).problems).toEqual([
            'rollout: "all-at-once" is not a rollout mode; use rolling or parallel',
        ]);
    });

    it.each(["no", "on-failure", "always", "unless-stopped"])("accepts restartPolicy %s", (restartPolicy) => {
        expect(parseStackSettings({ nodes: seedNodes(), restartPolicy }).restartPolicy).toBe(restartPolicy);
    });

    it("hands the restart policy to the topology rules: restartPolicy no allows a master without persistence", () => {
        const nodes = [{ name: "redis-a", plain: { hostPort: 6379 }, persistence: "none" }];
        expect(parseStackSettings({ nodes, restartPolicy: "no" }).topology.nodes[0].persistence).toBe("none");
        expect(rejection({ nodes, restartPolicy: "always" }).problems).toEqual([
            'nodes[0] (redis-a).persistence: a master without persistence under restart policy "always" comes back empty and ' +
                "its replicas wipe themselves to match; use persistence: rdb, restartPolicy: no, or set allowAutoRestartWithoutPersistence: true",
        ]);
    });

    it.each([
        "redis:7.0.15",
        "redis:7.2.4-alpine",
        "docker.io/library/redis:7.0.15",
        "registry.local:5000/redis:7.0.15",
    ])("accepts the pinned image %s", (image) => {
        expect(parseStackSettings({ nodes: seedNodes(), image }).image).toBe(image);
    });

    it.each([
        "redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "registry.local:5000/redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ])("accepts the digest-only image %s with a server block", (image) => {
        const settings = parseStackSettings({ nodes: seedNodes(), image, server: '{"kind":"redis","version":"7.0.15"}' });
        expect(settings.image).toBe(image);
        expect(settings.topology.nodes.map((n) => n.release)).toEqual(Array(3).fill({ kind: "redis", major: 7, minor: 0, patch: 15 }));
    });

    it.each(["127.0.0.1", "0.0.0.0", "192.168.1.10", "255.255.255.255"])("accepts publishAddress %s", (publishAddress) => {
        const nodes = seedNodes().map((n) => ({ ...n, allowPlainOnNetwork: true }));
        expect(parseStackSettings({ nodes, publishAddress }).publishAddress).toBe(publishAddress);
    });

    it.each([
        ["true", true],
        ["false", false],
    ])("postDeployCheck %s gives checkEnabled %s", (postDeployCheck, expected) => {
        expect(parseStackSettings({ nodes: seedNodes(), postDeployCheck }).checkEnabled).toBe(expected);
    });

    it.each([
        ["true", true],
        ["false", false],
    ])("auth %s gives authEnabled %s", (auth, expected) => {
        expect(parseStackSettings({ nodes: seedNodes(), auth }).authEnabled).toBe(expected);
    });

    it.each([
        ["checkTimeoutSeconds", "1", (s: ReturnType<typeof parseStackSettings>) => s.checkTimeoutMs, 1000],
        ["checkTimeoutSeconds", "3600", (s: ReturnType<typeof parseStackSettings>) => s.checkTimeoutMs, 3_600_000],
        ["upstreamWaitSeconds", "0", (s: ReturnType<typeof parseStackSettings>) => s.upstreamWaitSeconds, 0],
        ["upstreamWaitSeconds", "3600", (s: ReturnType<typeof parseStackSettings>) => s.upstreamWaitSeconds, 3600],
        ["replDisklessSyncDelaySeconds", "0", (s: ReturnType<typeof parseStackSettings>) => s.tuning.disklessSyncDelaySeconds, 0],
        ["replDisklessSyncDelaySeconds", "60", (s: ReturnType<typeof parseStackSettings>) => s.tuning.disklessSyncDelaySeconds, 60],
        ["replBacklogSizeMb", "1", (s: ReturnType<typeof parseStackSettings>) => s.tuning.backlogSizeMb, 1],
        ["replBacklogSizeMb", "65536", (s: ReturnType<typeof parseStackSettings>) => s.tuning.backlogSizeMb, 65536],
    ] as const)("accepts %s %s at the edge of its range", (key, value, pick, expected) => {
        expect(pick(parseStackSettings({ nodes: seedNodes(), [key]: value }))).toBe(expected);
    });
});

const NOT_PINNED = (image: string) =>
    `image: "${image}" is not pinned; name a version tag (e.g. redis:8.6.7) or a digest`;
const NOT_AN_IMAGE = (image: string) => `image: "${image}" is not an image reference; use e.g. redis:8.6.7`;
const NOT_IPV4 = (address: string) =>
    `publishAddress: "${address}" is not an IPv4 address; use 127.0.0.1 (default) or a host address`;
const NOT_A_NETWORK = (name: string) =>
    `networkName: "${name}" is not a Docker network name; use letters, digits, '_', '.', '-'`;

describe("parseStackSettings: one invalid setting at a time", () => {
    it.each<[string, Partial<RawStackConfig>, string]>([
        ["unpinned image (no tag)", { image: "redis" }, NOT_PINNED("redis")],
        ["image redis:latest", { image: "redis:latest" }, NOT_PINNED("redis:latest")],
        ["unpinned image with a registry port", { image: "registry.local:5000/redis" }, NOT_PINNED("registry.local:5000/redis")],
        ["image with a space", { image: "redis 7.0.15" }, NOT_AN_IMAGE("redis 7.0.15")],
        ["empty image", { image: "" }, NOT_AN_IMAGE("")],
        [
            "image of an unsupported release",
            { image: "redis:6.2.14" },
            'image: image "redis:6.2.14": Redis 6.2.14 is older than the oldest supported Redis 7.0; use Redis 7.0, 7.2, 7.4, 8.0, 8.6',
        ],
        ["server of an unknown kind", { server: '{"kind":"keydb","version":"6.3.4"}' }, 'server.kind: "keydb" is not a server kind; use redis or valkey'],
        ["server that is not an object", { server: "valkey" }, 'server: expected { kind: redis|valkey, version: "X.Y.Z" }'],
        [
            "server contradicting the image",
            { server: '{"kind":"valkey","version":"8.1.1"}' },
            'server: { kind: valkey, version: "8.1.1" } contradicts image "redis:8.6.7" (Redis 8.6.7); fix one of them or drop server:',
        ],
        ["publishAddress localhost", { publishAddress: "localhost" }, NOT_IPV4("localhost")],
        ["publishAddress 256.1.1.1", { publishAddress: "256.1.1.1" }, NOT_IPV4("256.1.1.1")],
        ["publishAddress with three octets", { publishAddress: "127.0.1" }, NOT_IPV4("127.0.1")],
        ["publishAddress IPv6", { publishAddress: "::1" }, NOT_IPV4("::1")],
        ["networkName with a space", { networkName: "redis chain" }, NOT_A_NETWORK("redis chain")],
        ["networkName starting with '-'", { networkName: "-redis" }, NOT_A_NETWORK("-redis")],
        ["networkName with a slash", { networkName: "a/b" }, NOT_A_NETWORK("a/b")],
        ["postDeployCheck yes", { postDeployCheck: "yes" }, 'postDeployCheck: "yes" is not a boolean; use true or false'],
        ["postDeployCheck True", { postDeployCheck: "True" }, 'postDeployCheck: "True" is not a boolean; use true or false'],
        ["auth off", { auth: "off" }, 'auth: "off" is not a boolean; use true or false'],
        ["allowScripting yes", { allowScripting: "yes" }, 'allowScripting: "yes" is not a boolean; use true or false'],
        ["maxmemoryMb 0", { maxmemoryMb: "0" }, 'maxmemoryMb: "0" is out of range; use an integer from 16 to 1048576'],
        ["maxmemoryMb 1g", { maxmemoryMb: "1g" }, 'maxmemoryMb: "1g" is out of range; use an integer from 16 to 1048576'],
        [
            "maxmemoryPolicy lru",
            { maxmemoryPolicy: "lru" },
            'maxmemoryPolicy: "lru" is not a maxmemory policy; use one of noeviction, allkeys-lru, allkeys-lfu, allkeys-random, ' +
                "volatile-lru, volatile-lfu, volatile-random, volatile-ttl",
        ],
        [
            "restartPolicy sometimes",
            { restartPolicy: "sometimes" },
            'restartPolicy: "sometimes" is not a Docker restart policy; use one of no, on-failure, always, unless-stopped',
        ],
        ["checkTimeoutSeconds 0", { checkTimeoutSeconds: "0" }, 'checkTimeoutSeconds: "0" is out of range; use an integer from 1 to 3600'],
        ["checkTimeoutSeconds abc", { checkTimeoutSeconds: "abc" }, 'checkTimeoutSeconds: "abc" is out of range; use an integer from 1 to 3600'],
        ["checkTimeoutSeconds 1.5", { checkTimeoutSeconds: "1.5" }, 'checkTimeoutSeconds: "1.5" is out of range; use an integer from 1 to 3600'],
        ["checkTimeoutSeconds 3601", { checkTimeoutSeconds: "3601" }, 'checkTimeoutSeconds: "3601" is out of range; use an integer from 1 to 3600'],
        ["upstreamWaitSeconds -1", { upstreamWaitSeconds: "-1" }, 'upstreamWaitSeconds: "-1" is out of range; use an integer from 0 to 3600'],
        ["upstreamWaitSeconds 3601", { upstreamWaitSeconds: "3601" }, 'upstreamWaitSeconds: "3601" is out of range; use an integer from 0 to 3600'],
        [
            "replDisklessSyncDelaySeconds -1",
            { replDisklessSyncDelaySeconds: "-1" },
            'replDisklessSyncDelaySeconds: "-1" is out of range; use an integer from 0 to 60',
        ],
        [
            "replDisklessSyncDelaySeconds 61",
            { replDisklessSyncDelaySeconds: "61" },
            'replDisklessSyncDelaySeconds: "61" is out of range; use an integer from 0 to 60',
        ],
        ["replBacklogSizeMb 0", { replBacklogSizeMb: "0" }, 'replBacklogSizeMb: "0" is out of range; use an integer from 1 to 65536'],
        [
            "replBacklogSizeMb 65537",
            { replBacklogSizeMb: "65537" },
            'replBacklogSizeMb: "65537" is out of range; use an integer from 1 to 65536',
        ],
    ])("%s", (_rule, settings, problem) => {
        const error = rejection({ nodes: seedNodes(), ...settings });
        expect(error.problems).toEqual([problem]);
        expect(error.message).toBe(`invalid redis-chain config:\n  - ${problem}`);
    });

    it("a namePrefix the topology rejects also spoils the default network name, and both are said", () => {
        expect(rejection({ nodes: seedNodes(), namePrefix: "-e2e" }).problems).toEqual([
            `namePrefix "-e2e": use lowercase letters, digits and '-', starting with a letter or digit`,
            NOT_A_NETWORK("-e2eredis-chain"),
        ]);
    });
});

describe("parseStackSettings: problems reported together", () => {
    it("node problems and every setting problem in one error", () => {
        const error = rejection({
            nodes: [...seedNodes(), { name: "redis-d", plain: { hostPort: 70000 } }],
            image: "redis",
            publishAddress: "localhost",
            postDeployCheck: "yes",
            checkTimeoutSeconds: "0",
            replBacklogSizeMb: "0",
        });
        expect(error.problems).toEqual([
            NOT_IPV4("localhost"),
            "nodes[3] (redis-d).plain.hostPort: 70000 is not a port; use an integer from 1 to 65535",
            NOT_PINNED("redis"),
            'postDeployCheck: "yes" is not a boolean; use true or false',
            'checkTimeoutSeconds: "0" is out of range; use an integer from 1 to 3600',
            'replBacklogSizeMb: "0" is out of range; use an integer from 1 to 65536',
        ]);
    });

    it("a graph problem in the nodes and a setting problem together", () => {
        const error = rejection({
            nodes: [
                { name: "redis-a", tls: { hostPort: 6380 } },
                { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 16379 } },
            ],
            networkName: "bad net",
        });
        expect(error.problems).toEqual([
            "nodes[1] (redis-b).link: plain link to redis-a, which is TLS-only (port 0); use link: tls",
            NOT_A_NETWORK("bad net"),
        ]);
    });

    it("missing nodes are a problem like any other", () => {
        expect(rejection({}).problems).toEqual([
            "nodes: expected a non-empty list of nodes, e.g. [{ name: redis-a, plain: { hostPort: 6379 } }]",
        ]);
    });
});

describe("parseStackSettings: Docker hosts", () => {
    const HOST2 = { docker: "tcp://10.200.0.2:2376", address: "10.200.0.2", allowInsecureEngine: true };
    const acrossHosts = () => seedNodes().map((n) => (n.name === "redis-c" ? { ...n, host: "host2" } : n));

    it("places nodes on the configured hosts, local first", () => {
        const settings = parseStackSettings({ nodes: acrossHosts(), hosts: { host2: HOST2, local: { address: "10.200.0.1" } } });
        expect(settings.hosts).toEqual([
            { name: "host2", docker: "tcp://10.200.0.2:2376", address: "10.200.0.2", publishAddress: "127.0.0.1", tls: undefined },
            { name: "local", docker: undefined, address: "10.200.0.1", publishAddress: "127.0.0.1", tls: undefined },
        ]);
        // Only B's TLS listener (C's link) and C's TLS listener (the deploying machine's way in) leave loopback.
        expect(settings.topology.nodes.map((n) => [n.name, n.host, n.listeners.plain?.publishAddress, n.listeners.tls?.publishAddress])).toEqual([
            ["redis-a", "local", "127.0.0.1", undefined],
            ["redis-b", "local", "127.0.0.1", "10.200.0.1"],
            ["redis-c", "host2", undefined, "10.200.0.2"],
        ]);
        expect(settings.topology.nodes[2].link?.target).toEqual({ host: "10.200.0.1", port: 16380 });
    });

    it("an engine key is accepted only when Pulumi stored the hosts key encrypted", () => {
        const hosts = { host2: { docker: "tcp://10.200.0.2:2376", address: "10.200.0.2", caCertPem: "ca", certPem: "cert", keyPem: "key" } };
        expect(rejection({ nodes: seedNodes(), hosts }).problems).toEqual([
            "hosts.host2.keyPem: stored as plain text in the stack config; store it encrypted: " +
                "pulumi config set --secret --path 'hosts.host2.keyPem' < key.pem",
        ]);
        expect(parseStackSettings({ nodes: seedNodes(), hosts }, { secretKeys: ["hosts"] }).hosts[1].tls?.keyPem).toBe("key");
        // Another key being secret does not make this one so.
        expect(() => parseStackSettings({ nodes: seedNodes(), hosts }, { secretKeys: ["nodes"] })).toThrow("hosts.host2.keyPem");
    });

    it("a node on an unconfigured host is reported with the nodes' problems", () => {
        expect(rejection({ nodes: acrossHosts() }).problems).toEqual([
            'nodes[2] (redis-c).host: no host named "host2"; use one of local or add it to redis-chain:hosts',
        ]);
    });

    it("host problems are reported with the rest", () => {
        expect(rejection({ nodes: seedNodes(), hosts: { host2: { address: "10.200.0.2" } }, image: "redis" }).problems).toEqual([
            "hosts.host2.docker: required; e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376 or ssh://user@host",
            NOT_PINNED("redis"),
        ]);
    });

    // A cross-host link dials the upstream's host address from the other machine. Loopback there is
    // the replica's own machine, so an upstream host whose address is 127.0.0.1 can never be reached.
    it.each([
        ["the local host is not listed in hosts", { host2: HOST2 }],
        ["the local host is listed without an address", { local: {}, host2: HOST2 }],
        ["the local host's address is loopback", { local: { address: "127.0.0.1" }, host2: HOST2 }],
    ])("a link across hosts from a host reachable only on loopback is refused: %s", (_case, hosts) => {
        const error = rejection({ nodes: acrossHosts(), hosts });
        expect(error.problems.some((p) => p.startsWith("hosts.local.address: "))).toBe(true);
    });
});

describe("parseStackSettings: auth false and the network", () => {
    const AUTH_OFF = (listeners: string) =>
        `auth: false with ${listeners} on the network lets anyone there read and write; keep auth on, publish on 127.0.0.1, ` +
        "or serve the network through TLS listeners with tlsAuthClients: yes";
    const tlsOnly = (tlsAuthClients: string) => [
        { name: "redis-a", tls: { hostPort: 6380 }, tlsAuthClients },
        { name: "redis-b", replicaOf: "redis-a", link: "tls", tls: { hostPort: 16380 }, tlsAuthClients },
    ];
    const HOSTS = { local: { address: "10.200.0.1" }, host2: { docker: "unix:///run/host2.sock", address: "10.200.0.2" } };

    it("is accepted while every listener is on loopback", () => {
        expect(parseStackSettings({ nodes: seedNodes(), auth: "false" }).authEnabled).toBe(false);
    });

    it.each<[string, RawStackConfig, string]>([
        [
            "a publish address on the network",
            { nodes: seedNodes().map((n) => ({ ...n, allowPlainOnNetwork: true })), publishAddress: "0.0.0.0" },
            AUTH_OFF("redis-a.plain (0.0.0.0:6379), redis-b.plain (0.0.0.0:16379), redis-b.tls (0.0.0.0:16380), redis-c.tls (0.0.0.0:26380)"),
        ],
        [
            "nodes on two hosts",
            { nodes: seedNodes().map((n) => (n.name === "redis-c" ? { ...n, host: "host2" } : n)), hosts: HOSTS },
            AUTH_OFF("redis-b.tls (10.200.0.1:16380), redis-c.tls (10.200.0.2:26380)"),
        ],
        [
            "TLS listeners that only ask for client certificates",
            { nodes: tlsOnly("optional"), publishAddress: "192.168.1.10" },
            AUTH_OFF("redis-a.tls (192.168.1.10:6380), redis-b.tls (192.168.1.10:16380)"),
        ],
    ])("is refused with %s", (_case, raw, problem) => {
        expect(rejection({ ...raw, auth: "false" }).problems).toEqual([problem]);
    });

    it("is accepted when every listener on the network requires a client certificate", () => {
        expect(parseStackSettings({ nodes: tlsOnly("yes"), publishAddress: "0.0.0.0", auth: "false" }).authEnabled).toBe(false);
    });
});

describe("backlog sizing from write rate and outage", () => {
    const nodes = [{ name: "redis-a", plain: { hostPort: 6379 } }];
    const backlog = (raw: Record<string, string>) => parseStackSettings({ nodes, ...raw }).tuning.backlogSizeMb;

    it.each([
        [{}, 64],
        [{ replBacklogSizeMb: "512" }, 512],
        [{ replWriteRateMbPerSecond: "4", replOutageSeconds: "30" }, 240],
        [{ replWriteRateMbPerSecond: "1", replOutageSeconds: "2" }, 16],
    ])("%j gives %i MB", (raw, expected) => {
        expect(backlog(raw)).toBe(expected);
    });

    it.each([
        [{ replWriteRateMbPerSecond: "4" }, "replWriteRateMbPerSecond: give it together with replOutageSeconds"],
        [{ replBacklogSizeMb: "64", replWriteRateMbPerSecond: "4", replOutageSeconds: "30" }, "replBacklogSizeMb: give either"],
        [{ replWriteRateMbPerSecond: "4096", replOutageSeconds: "86400" }, "replOutageSeconds: a 707788800 MB backlog is over 64 GB"],
    ])("%j is refused", (raw, message) => {
        expect(() => backlog(raw)).toThrow(message);
    });
});
