import { describe, expect, it } from "vitest";
import { releaseProblem } from "../../lib/check/awaitNodeRelease";
import { serverIdentity } from "../../lib/check/serverIdentity";
import { nodeConnectionInfo } from "../../lib/connectionInfo";
import { parseTopology } from "../../lib/parseTopology";
import { nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

// B of the seed: upstream redis-a over plain, one replica (redis-c).
const nodeB = nodeConnectionInfo(nodeByName(parseTopology(seedNodes()), "redis-b"));

// INFO server as each server answers it (the fields read here).
const REDIS_8 = { redis_version: "8.0.2", run_id: "r2" };
const VALKEY_8 = { redis_version: "7.2.4", server_name: "valkey", valkey_version: "8.1.1", run_id: "v1" };
const LINKED = {
    role: "slave",
    master_host: "redis-a",
    master_port: "6379",
    master_link_status: "up",
    master_sync_in_progress: "0",
    connected_slaves: "1",
    slave0: "ip=172.18.0.4,port=6380,state=online,offset=10,lag=0",
};

describe("serverIdentity", () => {
    it.each([
        ["redis", REDIS_8, { kind: "redis", version: "8.0.2", runId: "r2" }],
        ["valkey, whose redis_version stays 7.2.4", VALKEY_8, { kind: "valkey", version: "8.1.1", runId: "v1" }],
        ["no server section", { role: "master" }, undefined],
    ])("%s", (_, info, expected) => {
        expect(serverIdentity(info)).toEqual(expected);
    });
});

describe("releaseProblem: when a replaced replica counts as back", () => {
    const target = { node: nodeB, caCertPem: "", credentials: {}, release: { kind: "valkey" as const, version: "8.1.1" }, previousRunId: "r1" };

    it.each([
        ["the old release still answers", { ...REDIS_8, ...LINKED }, "redis-b runs redis 8.0.2, waiting for valkey 8.1.1"],
        ["the same process as before the change", { ...VALKEY_8, run_id: "r1", ...LINKED }, "redis-b: still the process from before the change"],
        ["its sync still runs", { ...VALKEY_8, ...LINKED, master_sync_in_progress: "1" }, "redis-b: sync from its upstream in progress"],
        ["its link is down", { ...VALKEY_8, ...LINKED, master_link_status: "down" }, "link redis-a -> redis-b (plain, redis-a:6379): master_link_status:down"],
        ["its replica is not back", { ...VALKEY_8, ...LINKED, connected_slaves: "0", slave0: "" }, "redis-b: 0 of its 1 replicas (redis-c) online"],
        ["new release, new process, linked, replica online", { ...VALKEY_8, ...LINKED }, undefined],
    ])("%s", (_, info, expected) => {
        expect(releaseProblem(target, info)).toBe(expected);
    });
});

describe("releaseProblem: a release declared without its patch", () => {
    const target = { node: nodeB, caCertPem: "", credentials: {}, release: { kind: "redis" as const, version: "8.0" } };

    it.each([
        ["any patch of the line meets it", { ...REDIS_8, ...LINKED }, undefined],
        ["another line does not", { ...REDIS_8, redis_version: "8.1.0", ...LINKED }, "redis-b runs redis 8.1.0, waiting for redis 8.0"],
        ["nor a version that only starts with the same digits", { ...REDIS_8, redis_version: "8.01.0", ...LINKED }, "redis-b runs redis 8.01.0, waiting for redis 8.0"],
    ])("%s", (_, info, expected) => {
        expect(releaseProblem(target, info)).toBe(expected);
    });
});
