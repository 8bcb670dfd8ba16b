import { describe, expect, it } from "vitest";
import { nodeConnectionInfo } from "../../lib/connectionInfo";
import { failoverOutputs } from "../../lib/failoverOutputs";
import { SentinelAnswer, chainFromMaster, judgeGroup, nodeForAddress, reportedAddress } from "../../lib/check/failoverView";
import { parseTopology } from "../../lib/parseTopology";
import { seedNodes } from "../support/seed";

const topology = parseTopology(seedNodes().map((n) => (n.name === "redis-a" ? { ...n, failover: {} } : n)));
const nodes = topology.nodes.map(nodeConnectionInfo);
const group = failoverOutputs(topology)["redis-a"];
const chain = { nodes, caCertPem: "", failover: { "redis-a": group } };
const OK = "OK 3 usable Sentinels. Quorum and failover authorization can be reached";
const answer = (n: number, master: string | undefined, extra: Partial<SentinelAnswer> = {}): SentinelAnswer => ({
    sentinel: `redis-a-sentinel-${n}`,
    master,
    ckquorum: OK,
    replicasUp: 1,
    configEpoch: 0,
    ...extra,
});

describe("judging a group's sentinels", () => {
    it("maps Sentinel's addresses to nodes through natMap and back", () => {
        expect(nodeForAddress(group, nodes, "redis-b:6379")).toBe("redis-b");
        expect(nodeForAddress(group, nodes, "redis-x:6379")).toBeUndefined();
        expect(reportedAddress(group, nodes, "redis-c")).toEqual({ host: "redis-c", port: 6380 });
    });

    it.each<[string, SentinelAnswer[], string | undefined, string[], string[]]>([
        ["all agree on the declared master", [1, 2, 3].map((n) => answer(n, "redis-a:6379")), "redis-a", [], []],
        [
            "all agree on redis-b after a failover",
            [1, 2, 3].map((n) => answer(n, "redis-b:6379", { configEpoch: n === 2 ? 1 : 0 })),
            "redis-b",
            [],
            ["failover redis-a: master is redis-b, declared redis-a: failover at config epoch 1 (Sentinel keeps no time for it)"],
        ],
        [
            "they disagree",
            [answer(1, "redis-a:6379"), answer(2, "redis-b:6379"), answer(3, "redis-b:6379")],
            undefined,
            ["failover redis-a: the sentinels disagree on the master: redis-a-sentinel-1 says redis-a, redis-a-sentinel-2 says redis-b, redis-a-sentinel-3 says redis-b"],
            [],
        ],
        [
            "quorum lost on one",
            [answer(1, "redis-a:6379"), answer(2, "redis-a:6379", { ckquorum: "NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master" }), answer(3, "redis-a:6379")],
            "redis-a",
            ["failover redis-a: redis-a-sentinel-2 CKQUORUM: NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master"],
            [],
        ],
        [
            "one unreachable",
            [answer(1, "redis-a:6379"), { sentinel: "redis-a-sentinel-2", error: "connect ECONNREFUSED 127.0.0.1:26480" }, answer(3, "redis-a:6379")],
            "redis-a",
            ["failover redis-a: redis-a-sentinel-2 unreachable: connect ECONNREFUSED 127.0.0.1:26480"],
            [],
        ],
        [
            "no sentinel knows a replica yet",
            [1, 2, 3].map((n) => answer(n, "redis-a:6379", { replicasUp: 0 })),
            "redis-a",
            ["failover redis-a: no sentinel knows a live replica of the master yet, so a failover could promote none"],
            [],
        ],
        [
            "an address no node has",
            [1, 2, 3].map((n) => answer(n, "10.9.9.9:6379")),
            undefined,
            ["failover redis-a: the sentinels name 10.9.9.9:6379 master, which is no node of the group (natMap has no entry for it)"],
            [],
        ],
    ])("%s", (_case, answers, master, problems, notes) => {
        const verdict = judgeGroup("redis-a", group, nodes, answers);
        expect(verdict).toEqual({ group: "redis-a", currentMaster: master, problems, notes });
    });
});

describe("the chain from the current master", () => {
    const address = (node: string) => reportedAddress(group, nodes, node);

    it("is the declared chain while the declared master is master", () => {
        expect(chainFromMaster(chain, group, "redis-a", address)).toBe(chain);
    });

    it("after a failover to redis-b: B master of C and of A, A a replica of B by B's reported address", () => {
        const after = chainFromMaster(chain, group, "redis-b", address);
        expect(after.nodes.map((n) => [n.name, n.role, n.upstream, n.link, n.expectedMaster, n.replicas])).toEqual([
            ["redis-b", "master", null, null, null, ["redis-c", "redis-a"]],
            ["redis-a", "replica", "redis-b", "plain", { host: "redis-b", port: 6379 }, []],
            ["redis-c", "replica", "redis-b", "tls", { host: "redis-b", port: 6380 }, []],
        ]);
        expect(after.caCertPem).toBe(chain.caCertPem);
    });

    it("other direct replicas of the old master follow the new one", () => {
        const fan = parseTopology([
            { name: "m", plain: { hostPort: 7000 }, failover: {} },
            { name: "r1", replicaOf: "m", link: "plain", plain: { hostPort: 7001 } },
            { name: "r2", replicaOf: "m", link: "plain", plain: { hostPort: 7002 } },
        ]);
        const fanNodes = fan.nodes.map(nodeConnectionInfo);
        const fanGroup = failoverOutputs(fan).m;
        const after = chainFromMaster({ nodes: fanNodes, caCertPem: "" }, fanGroup, "r2", (n) => reportedAddress(fanGroup, fanNodes, n));
        expect(after.nodes.map((n) => [n.name, n.upstream, n.expectedMaster])).toEqual([
            ["r2", null, null],
            ["m", "r2", { host: "r2", port: 6379 }],
            ["r1", "r2", { host: "r2", port: 6379 }],
        ]);
    });
});
