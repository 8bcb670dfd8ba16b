import { describe, expect, it } from "vitest";
import { exporterPasswordFile, exporterPlan } from "../../lib/exporterConfig";
import { parseTopology } from "../../lib/parseTopology";
import { nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

const seed = parseTopology(seedNodes(), { namePrefix: "p-", metrics: { enabled: true, baseHostPort: 9121 } });
const plan = (name: string, auth = true) => exporterPlan(nodeByName(seed, name), auth)!;

describe("exporterPlan", () => {
    it.each([
        [
            "redis-a",
            "redis://redis-a:6379",
            ["--redis.addr=redis://redis-a:6379", "--web.listen-address=:9121", "--config-command=-", "--redis.user=exporter", "--redis.password-file=/redis-exporter/password.json"],
        ],
        // B has both listeners: the plain one, on the node's own network.
        [
            "redis-b",
            "redis://redis-b:6379",
            ["--redis.addr=redis://redis-b:6379", "--web.listen-address=:9121", "--config-command=-", "--redis.user=exporter", "--redis.password-file=/redis-exporter/password.json"],
        ],
        [
            "redis-c",
            "rediss://redis-c:6380",
            [
                "--redis.addr=rediss://redis-c:6380",
                "--web.listen-address=:9121",
                "--config-command=-",
                "--redis.user=exporter",
                "--redis.password-file=/redis-exporter/password.json",
                "--tls-ca-cert-file=/redis-exporter/ca.crt",
            ],
        ],
    ])("%s dials %s", (name, addr, command) => {
        expect(plan(name)).toMatchObject({ containerName: `p-${name}-exporter`, redisAddr: addr, command });
    });

    it("a TLS-only node that asks for client certificates gets the chain's client certificate", () => {
        const nodes = seedNodes().map((n) => (n.name === "redis-c" ? { ...n, tlsAuthClients: "yes" } : n));
        const c = exporterPlan(nodeByName(parseTopology(nodes, { metrics: { enabled: true, baseHostPort: 9121 } }), "redis-c"), true)!;
        expect(c.clientCertificate).toBe(true);
        expect(c.command.slice(-2)).toEqual(["--tls-client-cert-file=/redis-exporter/client.crt", "--tls-client-key-file=/redis-exporter/client.key"]);
    });

    it("without authentication there is no user and no password file", () => {
        expect(plan("redis-a", false).command).toEqual(["--redis.addr=redis://redis-a:6379", "--web.listen-address=:9121", "--config-command=-"]);
    });

    it("no exporter for a node without metrics", () => {
        expect(exporterPlan(nodeByName(parseTopology(seedNodes()), "redis-a"), true)).toBeUndefined();
    });

    it("publishes the node's metrics host port", () => {
        expect([plan("redis-a"), plan("redis-b"), plan("redis-c")].map((p) => [p.publishAddress, p.hostPort])).toEqual([
            ["127.0.0.1", 9121],
            ["127.0.0.1", 9122],
            ["127.0.0.1", 9123],
        ]);
    });
});

describe("exporterPasswordFile", () => {
    it.each([
        ["redis-a", '{"redis://exporter@redis-a:6379":"pw123"}\n'],
        ["redis-c", '{"rediss://exporter@redis-c:6380":"pw123"}\n'],
    ])("%s: keyed by the address with the user, as redis_exporter looks it up", (name, text) => {
        expect(exporterPasswordFile(plan(name), "pw123")).toBe(text);
    });
});
