import { describe, expect, it } from "vitest";
import { serverBinaries } from "../../lib/serverBinaries";
import { DIRECTIVES, directiveSupported, upstreamAuthDirectives } from "../../lib/serverDirectives";
import { SUPPORTED_LINES, ServerRelease } from "../../lib/serverRelease";

const r = (kind: "redis" | "valkey", version: string): ServerRelease => {
    const [major, minor, patch] = version.split(".").map(Number);
    return { kind, major, minor, patch };
};

// What the renderer writes today, from lib/redisConf.ts and lib/aclUsers.ts, and what it is about to.
const RENDERED = [
    "bind", "protected-mode", "port", "tls-port", "tls-cert-file", "tls-key-file", "tls-ca-cert-file", "tls-auth-clients",
    "tls-protocols", "repl-diskless-sync", "repl-diskless-sync-delay", "repl-backlog-size", "client-output-buffer-limit",
    "repl-disable-tcp-nodelay", "replicaof", "tls-replication", "replica-read-only", "masteruser", "replica-announce-ip",
    "replica-announce-port", "dir", "dbfilename", "shutdown-timeout", "save", "appendonly", "appendfsync", "include",
    "requirepass", "user", "masterauth",
    "enable-debug-command", "enable-module-command", "enable-protected-configs", "maxmemory", "maxmemory-policy",
    "hide-user-data-from-log", "primaryuser", "primaryauth", "repl-diskless-sync-max-replicas",
];

describe("directiveSupported", () => {
    it.each(RENDERED)("%s has a row", (name) => expect(DIRECTIVES[name]).toBeDefined());

    it("the common directives are in every supported line", () => {
        for (const line of SUPPORTED_LINES) {
            for (const name of ["replicaof", "masteruser", "masterauth", "shutdown-timeout", "repl-diskless-sync-max-replicas", "enable-protected-configs", "tls-replication"]) {
                expect(directiveSupported(name, line), `${name} on ${line.kind} ${line.major}.${line.minor}`).toBe(true);
            }
        }
    });

    it.each([
        ["hide-user-data-from-log", "redis", "7.2.5", false],
        ["hide-user-data-from-log", "redis", "7.4.0", true],
        ["hide-user-data-from-log", "redis", "8.0.2", true],
        ["hide-user-data-from-log", "valkey", "7.2.5", false],
        ["hide-user-data-from-log", "valkey", "8.0.0", true],
        ["primaryuser", "redis", "8.0.2", false],
        ["primaryauth", "valkey", "7.2.5", false],
        ["primaryauth", "valkey", "8.0.0", true],
        ["rdb-version-check", "valkey", "8.0.1", false],
        ["rdb-version-check", "valkey", "8.1.1", true],
        ["rdb-version-check", "redis", "8.0.2", false],
        ["hide-user-data-from-log", "redis", "8.6.7", true],
        ["hide-user-data-from-log", "valkey", "9.1.4", true],
        ["primaryuser", "redis", "8.6.7", false],
        ["primaryuser", "valkey", "9.1.4", true],
        ["rdb-version-check", "valkey", "9.1.4", true],
        ["rdb-version-check", "redis", "8.6.7", false],
    ] as const)("%s on %s %s: %s", (name, kind, version, expected) => {
        expect(directiveSupported(name, r(kind, version))).toBe(expected);
    });

    it("throws for a directive without a row", () => {
        expect(() => directiveSupported("io-threads", r("redis", "8.0.2"))).toThrow('directive "io-threads" has no row');
        expect(() => directiveSupported("toString", r("redis", "8.0.2"))).toThrow("has no row");
    });
});

describe("upstreamAuthDirectives", () => {
    it.each([
        ["redis", "7.0.15", "masteruser", "masterauth"],
        ["redis", "8.0.2", "masteruser", "masterauth"],
        ["valkey", "7.2.5", "masteruser", "masterauth"],
        ["valkey", "8.1.1", "primaryuser", "primaryauth"],
        ["redis", "8.6.7", "masteruser", "masterauth"],
        ["valkey", "9.1.4", "primaryuser", "primaryauth"],
    ] as const)("%s %s: %s / %s", (kind, version, user, password) => {
        expect(upstreamAuthDirectives(r(kind, version))).toEqual({ user, password });
    });
});

describe("serverBinaries", () => {
    it.each([
        ["redis", { server: "redis-server", sentinel: "redis-sentinel", cli: "redis-cli" }],
        ["valkey", { server: "valkey-server", sentinel: "valkey-sentinel", cli: "valkey-cli" }],
    ] as const)("%s", (kind, binaries) => expect(serverBinaries(kind)).toEqual(binaries));
});
