import { describe, expect, it } from "vitest";
import { NodeConnectionInfo, nodeConnectionInfo } from "../../lib/connectionInfo";
import {
    ReplicationObservation,
    describeLink,
    observe,
    parseInfo,
    replicationProblem,
} from "../../lib/check/replicationStatus";
import { parseTopology } from "../../lib/parseTopology";
import { nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

const crlf = (lines: string[]) => `${lines.join("\r\n")}\r\n`;

// What redis-server 7.0 answers to INFO replication, line endings included.
const MASTER_INFO = crlf([
    "# Replication",
    "role:master",
    "connected_slaves:1",
    "slave0:ip=172.18.0.3,port=6379,state=online,offset=1234,lag=0",
    "master_failover_state:no-failover",
    "master_replid:8c5f0e7b1b2d4a0f9e3c6d7a8b9c0d1e2f3a4b5c",
    "master_replid2:0000000000000000000000000000000000000000",
    "master_repl_offset:1234",
    "second_repl_offset:-1",
    "repl_backlog_active:1",
    "repl_backlog_size:67108864",
    "repl_backlog_first_byte_offset:1",
    "repl_backlog_histlen:1234",
]);
const REPLICA_INFO = crlf([
    "# Replication",
    "role:slave",
    "master_host:redis-b",
    "master_port:6380",
    "master_link_status:up",
    "master_last_io_seconds_ago:1",
    "master_sync_in_progress:0",
    "slave_read_repl_offset:1234",
    "slave_repl_offset:1234",
    "slave_priority:100",
    "slave_read_only:1",
    "replica_announced:1",
    "connected_slaves:0",
    "master_failover_state:no-failover",
    "master_replid:8c5f0e7b1b2d4a0f9e3c6d7a8b9c0d1e2f3a4b5c",
    "master_repl_offset:1234",
]);

describe("parseInfo", () => {
    it("reads the key:value lines of a CRLF reply, skipping the section header", () => {
        const fields = parseInfo(MASTER_INFO);
        expect(fields).toEqual({
            role: "master",
            connected_slaves: "1",
            slave0: "ip=172.18.0.3,port=6379,state=online,offset=1234,lag=0",
            master_failover_state: "no-failover",
            master_replid: "8c5f0e7b1b2d4a0f9e3c6d7a8b9c0d1e2f3a4b5c",
            master_replid2: "0000000000000000000000000000000000000000",
            master_repl_offset: "1234",
            second_repl_offset: "-1",
            repl_backlog_active: "1",
            repl_backlog_size: "67108864",
            repl_backlog_first_byte_offset: "1",
            repl_backlog_histlen: "1234",
        });
        for (const value of Object.values(fields)) expect(value).not.toMatch(/\r/);
    });

    it("splits at the first colon only, and accepts LF endings too", () => {
        expect(parseInfo("# Replication\nrole:slave\nmaster_host:fe80::1\n\n")).toEqual({ role: "slave", master_host: "fe80::1" });
    });

    it("ignores lines without a key", () => {
        expect(parseInfo(":novalue\r\njunk\r\n# Section:x\r\nrole:master\r\n")).toEqual({ role: "master" });
    });
});

describe("observe", () => {
    // Valkey 9.1 appends type= to each replica line and adds the rdb_transmitted state (the format
    // string of genValkeyInfoString in Valkey 9.1.2 src/server.c); the role and field names stay.
    it("a Valkey 9.1 master: replica lines with type=, only state=online counted", () => {
        const info = crlf([
            "# Replication",
            "role:master",
            "connected_slaves:2",
            "slave0:ip=172.18.0.3,port=6379,state=online,offset=1234,lag=0,type=replica",
            "slave1:ip=172.18.0.4,port=6379,state=rdb_transmitted,offset=0,lag=0,type=rdb-channel",
        ]);
        expect(observe(parseInfo(info))).toMatchObject({ role: "master", onlineReplicas: 1 });
    });

    it("a master: its role and online replicas, no master fields", () => {
        expect(observe(parseInfo(MASTER_INFO))).toEqual({
            role: "master",
            masterHost: undefined,
            masterPort: undefined,
            masterLinkStatus: undefined,
            onlineReplicas: 1,
        });
    });

    it("a replica: master host, numeric port and link status", () => {
        expect(observe(parseInfo(REPLICA_INFO))).toEqual({
            role: "slave",
            masterHost: "redis-b",
            masterPort: 6380,
            masterLinkStatus: "up",
            onlineReplicas: 0,
        });
    });

    it("counts only replicas with state=online", () => {
        const info = parseInfo(
            crlf([
                "role:master",
                "connected_slaves:4",
                "slave0:ip=172.18.0.3,port=6379,state=online,offset=10,lag=0",
                "slave1:ip=172.18.0.4,port=6379,state=wait_bgsave,offset=0,lag=0",
                "slave2:ip=172.18.0.5,port=6379,state=send_bulk,offset=0,lag=0",
                "slave3:ip=172.18.0.6,port=6379,state=online,offset=10,lag=1",
            ]),
        );
        expect(observe(info).onlineReplicas).toBe(2);
    });

    it("does not count a state that merely starts with online", () => {
        expect(observe({ connected_slaves: "1", slave0: "ip=a,port=1,state=onlineish,offset=0" }).onlineReplicas).toBe(0);
        expect(observe({ connected_slaves: "1", slave0: "state=online" }).onlineReplicas).toBe(1);
    });

    it("looks only at as many slaveN lines as connected_slaves says", () => {
        expect(observe({ connected_slaves: "1", slave0: "state=online", slave1: "state=online" }).onlineReplicas).toBe(1);
        expect(observe({ slave0: "state=online" }).onlineReplicas).toBe(0);
    });
});

const seed = parseTopology(seedNodes());
const conn = (name: string): NodeConnectionInfo => nodeConnectionInfo(nodeByName(seed, name));
const seen = (fields: Partial<ReplicationObservation>): ReplicationObservation => ({ onlineReplicas: 0, ...fields });
const LINK_BC = "link redis-b -> redis-c (tls, redis-b:6380)";
const LINK_AB = "link redis-a -> redis-b (plain, redis-a:6379)";

describe("describeLink", () => {
    it.each([
        ["redis-a", "redis-a (master)"],
        ["redis-b", LINK_AB],
        ["redis-c", LINK_BC],
    ])("%s: %s", (name, text) => {
        expect(describeLink(conn(name))).toBe(text);
    });
});

describe("replicationProblem", () => {
    it.each<[string, string, ReplicationObservation, string | undefined]>([
        ["master ok", "redis-a", seen({ role: "master", onlineReplicas: 1 }), undefined],
        ["master with more online replicas than declared", "redis-a", seen({ role: "master", onlineReplicas: 2 }), undefined],
        ["master reporting slave", "redis-a", seen({ role: "slave", onlineReplicas: 1 }), "redis-a: expected role:master, got role:slave"],
        ["master with no role", "redis-a", seen({ onlineReplicas: 1 }), "redis-a: expected role:master, got role:?"],
        ["master missing its replica", "redis-a", seen({ role: "master" }), "redis-a: 0 of its 1 replicas (redis-b) online"],
        [
            "middle replica ok",
            "redis-b",
            seen({ role: "slave", masterHost: "redis-a", masterPort: 6379, masterLinkStatus: "up", onlineReplicas: 1 }),
            undefined,
        ],
        [
            "middle replica missing its replica",
            "redis-b",
            seen({ role: "slave", masterHost: "redis-a", masterPort: 6379, masterLinkStatus: "up", onlineReplicas: 0 }),
            "redis-b: 0 of its 1 replicas (redis-c) online",
        ],
        ["leaf ok", "redis-c", seen({ role: "slave", masterHost: "redis-b", masterPort: 6380, masterLinkStatus: "up" }), undefined],
        ["replica reporting master", "redis-c", seen({ role: "master" }), `${LINK_BC}: redis-c reports role:master, expected role:slave`],
        ["replica with no role", "redis-c", seen({}), `${LINK_BC}: redis-c reports role:?, expected role:slave`],
        [
            "replica of the wrong host",
            "redis-c",
            seen({ role: "slave", masterHost: "redis-a", masterPort: 6380, masterLinkStatus: "up" }),
            `${LINK_BC}: redis-c replicates from redis-a:6380, expected redis-b:6380`,
        ],
        [
            "replica on the wrong port (plain instead of TLS)",
            "redis-c",
            seen({ role: "slave", masterHost: "redis-b", masterPort: 6379, masterLinkStatus: "up" }),
            `${LINK_BC}: redis-c replicates from redis-b:6379, expected redis-b:6380`,
        ],
        [
            "replica of an IP instead of the alias",
            "redis-b",
            seen({ role: "slave", masterHost: "172.18.0.2", masterPort: 6379, masterLinkStatus: "up", onlineReplicas: 1 }),
            `${LINK_AB}: redis-b replicates from 172.18.0.2:6379, expected redis-a:6379`,
        ],
        [
            "link down",
            "redis-c",
            seen({ role: "slave", masterHost: "redis-b", masterPort: 6380, masterLinkStatus: "down" }),
            `${LINK_BC}: master_link_status:down`,
        ],
        [
            "link status missing",
            "redis-c",
            seen({ role: "slave", masterHost: "redis-b", masterPort: 6380 }),
            `${LINK_BC}: master_link_status:?`,
        ],
        [
            "link down wins over missing replicas",
            "redis-b",
            seen({ role: "slave", masterHost: "redis-a", masterPort: 6379, masterLinkStatus: "down" }),
            `${LINK_AB}: master_link_status:down`,
        ],
    ])("%s", (_case, name, observation, problem) => {
        expect(replicationProblem(conn(name), observation)).toBe(problem);
    });

    it("judges a parsed real reply: a healthy leaf has no problem, the same reply with link down has one", () => {
        expect(replicationProblem(conn("redis-c"), observe(parseInfo(REPLICA_INFO)))).toBeUndefined();
        const down = REPLICA_INFO.replace("master_link_status:up", "master_link_status:down");
        expect(replicationProblem(conn("redis-c"), observe(parseInfo(down)))).toBe(`${LINK_BC}: master_link_status:down`);
    });

    it("names every missing replica of a fan-out", () => {
        const topology = parseTopology([
            { name: "redis-a", plain: { hostPort: 6379 }, tls: { hostPort: 6380 } },
            { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 16379 } },
            { name: "redis-c", replicaOf: "redis-a", link: "tls", tls: { hostPort: 26380 } },
        ]);
        const a = nodeConnectionInfo(nodeByName(topology, "redis-a"));
        expect(replicationProblem(a, seen({ role: "master", onlineReplicas: 1 }))).toBe(
            "redis-a: 1 of its 2 replicas (redis-b, redis-c) online",
        );
    });
});
