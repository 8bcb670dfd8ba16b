import { describe, expect, it } from "vitest";
import { certificateIpAddresses, clientHost, nodeConnectionInfo } from "../../lib/connectionInfo";
import { parseTopology } from "../../lib/parseTopology";
import { nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

const info = (name: string, publishAddress = "127.0.0.1", namePrefix?: string) => {
    const nodes = seedNodes().map((n) => ({ ...n, allowPlainOnNetwork: true }));
    const topology = parseTopology(nodes, { namePrefix, publishAddress });
    return nodeConnectionInfo(nodeByName(topology, name));
};

const TWO_HOSTS = new Map([
    ["local", { address: "10.200.0.1", publishAddress: "127.0.0.1" }],
    ["host2", { address: "10.200.0.2", publishAddress: "127.0.0.1" }],
]);

describe("nodeConnectionInfo: the seed on 127.0.0.1", () => {
    it("redis-a: a plain master, null link fields", () => {
        expect(info("redis-a")).toEqual({
            name: "redis-a",
            containerName: "redis-a",
            host: "local",
            role: "master",
            upstream: null,
            link: null,
            expectedMaster: null,
            replicas: ["redis-b"],
            plain: { host: "127.0.0.1", port: 6379, url: "redis://127.0.0.1:6379" },
            tls: null,
        });
    });

    it("redis-b: plain link to redis-a:6379, both listeners published", () => {
        expect(info("redis-b")).toEqual({
            name: "redis-b",
            containerName: "redis-b",
            host: "local",
            role: "replica",
            upstream: "redis-a",
            link: "plain",
            expectedMaster: { host: "redis-a", port: 6379 },
            replicas: ["redis-c"],
            plain: { host: "127.0.0.1", port: 16379, url: "redis://127.0.0.1:16379" },
            tls: { host: "127.0.0.1", port: 16380, url: "rediss://127.0.0.1:16380" },
        });
    });

    it("redis-c: TLS link to redis-b:6380, TLS listener only", () => {
        expect(info("redis-c")).toEqual({
            name: "redis-c",
            containerName: "redis-c",
            host: "local",
            role: "replica",
            upstream: "redis-b",
            link: "tls",
            expectedMaster: { host: "redis-b", port: 6380 },
            replicas: [],
            plain: null,
            tls: { host: "127.0.0.1", port: 26380, url: "rediss://127.0.0.1:26380" },
        });
    });

    it("null (not undefined) for absent fields, so they survive JSON in the stack outputs", () => {
        const json = JSON.parse(JSON.stringify(info("redis-a")));
        expect(json.upstream).toBeNull();
        expect(json.link).toBeNull();
        expect(json.expectedMaster).toBeNull();
        expect(json.tls).toBeNull();
        expect(JSON.parse(JSON.stringify(info("redis-c"))).plain).toBeNull();
    });
});

describe("nodeConnectionInfo: addresses and names", () => {
    it("publishAddress 0.0.0.0: clients dial 127.0.0.1", () => {
        expect(info("redis-b", "0.0.0.0").plain).toEqual({ host: "127.0.0.1", port: 16379, url: "redis://127.0.0.1:16379" });
        expect(info("redis-b", "0.0.0.0").tls).toEqual({ host: "127.0.0.1", port: 16380, url: "rediss://127.0.0.1:16380" });
    });

    it("a host address is used as is", () => {
        expect(info("redis-c", "192.168.1.10").tls).toEqual({
            host: "192.168.1.10",
            port: 26380,
            url: "rediss://192.168.1.10:26380",
        });
    });

    it("a prefix changes the container name, not the expected master (an alias) or the upstream", () => {
        const c = info("redis-c", "127.0.0.1", "e2e-");
        expect(c.containerName).toBe("e2e-redis-c");
        expect(c.upstream).toBe("redis-b");
        expect(c.expectedMaster).toEqual({ host: "redis-b", port: 6380 });
    });

    it("expectedMaster follows a custom upstream container port", () => {
        const topology = parseTopology([
            { name: "redis-a", plain: { hostPort: 7000, port: 7001 } },
            { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 17000 } },
        ]);
        expect(nodeConnectionInfo(nodeByName(topology, "redis-b")).expectedMaster).toEqual({
            host: "redis-a",
            port: 7001,
        });
    });

    it("across hosts: the replica expects its upstream's host address and published port; URLs use each host's address", () => {
        const nodes = seedNodes().map((n) => (n.name === "redis-c" ? { ...n, host: "host2" } : n));
        const topology = parseTopology(nodes, { hosts: TWO_HOSTS });
        expect(nodeConnectionInfo(nodeByName(topology, "redis-c"))).toMatchObject({
            host: "host2",
            expectedMaster: { host: "10.200.0.1", port: 16380 },
            tls: { host: "10.200.0.2", port: 26380, url: "rediss://10.200.0.2:26380" },
        });
        // B's TLS listener carries C's link; its plain one stays on loopback, where the deploying machine dials it.
        expect(nodeConnectionInfo(nodeByName(topology, "redis-b")).plain?.url).toBe("redis://127.0.0.1:16379");
        expect(nodeConnectionInfo(nodeByName(topology, "redis-b")).tls?.url).toBe("rediss://10.200.0.1:16380");
        expect(nodeConnectionInfo(nodeByName(topology, "redis-a")).plain?.url).toBe("redis://127.0.0.1:6379");
    });

    it("a node on another host lists only its TLS endpoint: its plain listener is on that host's loopback", () => {
        const nodes = seedNodes().map((n) => (n.name === "redis-b" ? { ...n, host: "host2", link: "tls" } : n));
        nodes[0] = { ...nodes[0], tls: { hostPort: 6380 } };
        const b = nodeConnectionInfo(nodeByName(parseTopology(nodes, { hosts: TWO_HOSTS }), "redis-b"));
        expect([b.plain, b.tls?.url]).toEqual([null, "rediss://10.200.0.2:16380"]);
    });

    it("even with its plain listener on the network too, across hosts the check gets the TLS endpoint only", () => {
        const nodes = seedNodes().map((n) => (n.name === "redis-b" ? { ...n, host: "host2", link: "tls", allowPlainOnNetwork: true } : n));
        nodes[0] = { ...nodes[0], tls: { hostPort: 6380 } };
        const hosts = new Map([...TWO_HOSTS, ["host2", { address: "10.200.0.2", publishAddress: "0.0.0.0" }]]);
        const b = nodeByName(parseTopology(nodes, { hosts }), "redis-b");
        expect(b.listeners.plain?.publishAddress).toBe("0.0.0.0");
        expect([nodeConnectionInfo(b).plain, nodeConnectionInfo(b).tls?.url]).toEqual([null, "rediss://10.200.0.2:16380"]);
    });

    it("a plain-only node on another host, with consent, is dialed in plain at its host's address", () => {
        const nodes = [
            { name: "redis-a", tls: { hostPort: 6380 } },
            { name: "redis-b", replicaOf: "redis-a", link: "tls", plain: { hostPort: 16379 }, host: "host2", allowPlainOnNetwork: true },
        ];
        const b = nodeConnectionInfo(nodeByName(parseTopology(nodes, { hosts: TWO_HOSTS }), "redis-b"));
        expect(b.plain?.url).toBe("redis://10.200.0.2:16379");
    });

    it.each<[string, Record<string, unknown>[], string, string[]]>([
        ["the seed on loopback", seedNodes(), "redis-b", ["127.0.0.1"]],
        ["B serving C on host2", seedNodes().map((n) => (n.name === "redis-c" ? { ...n, host: "host2" } : n)), "redis-b", ["127.0.0.1", "10.200.0.1"]],
        ["C on host2", seedNodes().map((n) => (n.name === "redis-c" ? { ...n, host: "host2" } : n)), "redis-c", ["127.0.0.1", "10.200.0.2"]],
    ])("certificate addresses: %s", (_case, nodes, name, addresses) => {
        expect(certificateIpAddresses(nodeByName(parseTopology(nodes, { hosts: TWO_HOSTS }), name))).toEqual(addresses);
    });

    it.each([
        ["0.0.0.0", "127.0.0.1"],
        ["127.0.0.1", "127.0.0.1"],
        ["10.1.2.3", "10.1.2.3"],
    ])("clientHost(%s) is %s", (publishAddress, host) => {
        expect(clientHost(publishAddress)).toBe(host);
    });
});
