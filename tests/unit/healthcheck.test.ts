import { describe, expect, it } from "vitest";
import { healthcheckCommand } from "../../lib/healthcheck";
import { parseTopology } from "../../lib/parseTopology";
import { nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

const TLS_CLI = "redis-cli --tls --cacert /data/tls/ca.crt";
const MTLS_CLI = "redis-cli --tls --cacert /data/tls/ca.crt --cert /data/tls/redis.crt --key /data/tls/redis.key";
const AUTH_ENV = 'REDISCLI_AUTH="$(cat /data/secrets/healthcheck.pass)"';

describe("healthcheckCommand without authentication", () => {
    it.each([
        // A master answers PING on its plain listener.
        ["redis-a", "redis-cli -p 6379 ping | grep -q PONG"],
        // A replica with a plain listener is checked there, and only healthy with its link up.
        ["redis-b", "redis-cli -p 6379 info replication | grep -q master_link_status:up"],
        // A TLS-only replica is checked over TLS against the CA; no client cert is asked for.
        ["redis-c", `${TLS_CLI} -p 6380 info replication | grep -q master_link_status:up`],
    ])("seed node %s: %s", (name, command) => {
        const topology = parseTopology(seedNodes());
        expect(healthcheckCommand(nodeByName(topology, name), false)).toBe(command);
    });

    it.each([
        ["no", `${TLS_CLI} -p 6380 ping | grep -q PONG`],
        ["optional", `${TLS_CLI} -p 6380 ping | grep -q PONG`],
        // With tls-auth-clients yes the server refuses a client without a certificate.
        ["yes", `${MTLS_CLI} -p 6380 ping | grep -q PONG`],
    ] as const)("a TLS-only master with tlsAuthClients %s: %s", (tlsAuthClients, command) => {
        const topology = parseTopology([{ name: "redis-a", tls: { hostPort: 6380 }, tlsAuthClients }]);
        expect(healthcheckCommand(topology.nodes[0], false)).toBe(command);
    });

    it("uses the container port, not the host port", () => {
        const topology = parseTopology([
            { name: "redis-a", plain: { hostPort: 16000, port: 7001 } },
            { name: "redis-b", replicaOf: "redis-a", link: "plain", tls: { hostPort: 17000, port: 7443 } },
        ]);
        expect(healthcheckCommand(nodeByName(topology, "redis-a"), false)).toBe("redis-cli -p 7001 ping | grep -q PONG");
        expect(healthcheckCommand(nodeByName(topology, "redis-b"), false)).toBe(
            `${TLS_CLI} -p 7443 info replication | grep -q master_link_status:up`,
        );
    });

    it("prefers the plain listener when a node has both, whatever tlsAuthClients says", () => {
        const topology = parseTopology([{ name: "redis-a", plain: { hostPort: 6379 }, tls: { hostPort: 6380 }, tlsAuthClients: "yes" }]);
        expect(healthcheckCommand(topology.nodes[0], false)).toBe("redis-cli -p 6379 ping | grep -q PONG");
    });
});

describe("healthcheckCommand with authentication", () => {
    it.each([
        ["redis-a", `${AUTH_ENV} redis-cli -p 6379 --user healthcheck ping | grep -q PONG`],
        ["redis-b", `${AUTH_ENV} redis-cli -p 6379 --user healthcheck info replication | grep -q master_link_status:up`],
        ["redis-c", `${AUTH_ENV} ${TLS_CLI} -p 6380 --user healthcheck info replication | grep -q master_link_status:up`],
    ])("seed node %s logs in as the healthcheck user: %s", (name, command) => {
        const topology = parseTopology(seedNodes());
        expect(healthcheckCommand(nodeByName(topology, name), true)).toBe(command);
    });

    it("keeps the password off the command line (read from the file at run time)", () => {
        const topology = parseTopology(seedNodes());
        for (const node of topology.nodes) {
            const command = healthcheckCommand(node, true);
            expect(command).not.toMatch(/ -a /);
            expect(command).toContain("$(cat /data/secrets/healthcheck.pass)");
        }
    });

    it("an mTLS-only master presents its certificate and logs in", () => {
        const topology = parseTopology([{ name: "redis-a", tls: { hostPort: 6380 }, tlsAuthClients: "yes" }]);
        expect(healthcheckCommand(topology.nodes[0], true)).toBe(`${AUTH_ENV} ${MTLS_CLI} -p 6380 --user healthcheck ping | grep -q PONG`);
    });
});

describe("healthcheckCommand by server kind", () => {
    it("a Valkey node is checked with valkey-cli, its password in REDISCLI_AUTH (which valkey-cli reads)", () => {
        const topology = parseTopology(seedNodes(), { image: "valkey/valkey:8.1.1" });
        expect(healthcheckCommand(nodeByName(topology, "redis-a"), true)).toBe(
            'REDISCLI_AUTH="$(cat /data/secrets/healthcheck.pass)" ' +
                "valkey-cli -p 6379 --user healthcheck ping | grep -q PONG",
        );
        expect(healthcheckCommand(nodeByName(topology, "redis-c"), false)).toBe(
            "valkey-cli --tls --cacert /data/tls/ca.crt -p 6380 info replication | grep -q master_link_status:up",
        );
    });
});
