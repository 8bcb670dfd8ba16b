import { describe, expect, it } from "vitest";
import { clientHost, nodeConnectionInfo } from "../../lib/connectionInfo";
import { parseTopology } from "../../lib/parseTopology";
import { nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

const info = (name: string, publishAddress = "127.0.0.1", namePrefix?: string) => {
    const topology = parseTopology(seedNodes(), { namePrefix, publishAddress });
    return nodeConnectionInfo(nodeByName(topology, name));
};

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
        const hosts = new Map([
            ["local", { address: "10.200.0.1", publishAddress: "127.0.0.1" }],
            ["host2", { address: "10.200.0.2", publishAddress: "10.200.0.2" }],
        ]);
        const topology = parseTopology(nodes, { hosts });
        expect(nodeConnectionInfo(nodeByName(topology, "redis-c"))).toMatchObject({
            host: "host2",
            expectedMaster: { host: "10.200.0.1", port: 16380 },
            tls: { host: "10.200.0.2", port: 26380, url: "rediss://10.200.0.2:26380" },
        });
        expect(nodeConnectionInfo(nodeByName(topology, "redis-b")).plain?.url).toBe("redis://10.200.0.1:16379");
        expect(nodeConnectionInfo(nodeByName(topology, "redis-a")).plain?.url).toBe("redis://127.0.0.1:6379");
    });

    it.each([
        ["0.0.0.0", "127.0.0.1"],
        ["127.0.0.1", "127.0.0.1"],
        ["10.1.2.3", "10.1.2.3"],
    ])("clientHost(%s) is %s", (publishAddress, host) => {
        expect(clientHost(publishAddress)).toBe(host);
    });
});
