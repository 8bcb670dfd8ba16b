import { describe, expect, it } from "vitest";
import { ConfigError } from "../../lib/configError";
import { parseTopology } from "../../lib/parseTopology";
import { seedNodes } from "../support/seed";

const ON = { metrics: { enabled: true, baseHostPort: 9121 } };

function ports(nodes: Record<string, unknown>[], options = ON): Record<string, number | undefined> {
    return Object.fromEntries(parseTopology(nodes, options).nodes.map((n) => [n.name, n.metrics?.hostPort]));
}

function problems(nodes: Record<string, unknown>[], options = ON): string[] {
    try {
        parseTopology(nodes, options);
    } catch (error) {
        if (error instanceof ConfigError) return [...error.problems];
        throw error;
    }
    throw new Error("parseTopology accepted the config");
}

describe("metrics host ports", () => {
    it.each([
        ["off by default", seedNodes(), { metrics: { enabled: false, baseHostPort: 9121 } }, { "redis-a": undefined, "redis-b": undefined, "redis-c": undefined }],
        ["counted from the base port in config order", seedNodes(), ON, { "redis-a": 9121, "redis-b": 9122, "redis-c": 9123 }],
        [
            "a node's own port wins and is skipped by the counting",
            seedNodes().map((n) => (n.name === "redis-c" ? { ...n, metricsHostPort: 9121 } : n)),
            ON,
            { "redis-a": 9122, "redis-b": 9123, "redis-c": 9121 },
        ],
        [
            "metrics: false on a node leaves it out",
            seedNodes().map((n) => (n.name === "redis-b" ? { ...n, metrics: false } : n)),
            ON,
            { "redis-a": 9121, "redis-b": undefined, "redis-c": 9122 },
        ],
        [
            "metrics: true on a node with the stack's off",
            seedNodes().map((n) => (n.name === "redis-b" ? { ...n, metrics: true } : n)),
            { metrics: { enabled: false, baseHostPort: 9121 } },
            { "redis-a": undefined, "redis-b": 9121, "redis-c": undefined },
        ],
        [
            "counting steps over the nodes' own listeners",
            seedNodes(),
            { metrics: { enabled: true, baseHostPort: 16379 } },
            { "redis-a": 16381, "redis-b": 16382, "redis-c": 16383 },
        ],
    ])("%s", (_, nodes, options, expected) => {
        expect(ports(nodes, options)).toEqual(expected);
    });

    it("publishes on the host's publish address", () => {
        // Plain listeners off loopback need the nodes' consent.
        const nodes = seedNodes().map((n) => ({ ...n, allowPlainOnNetwork: true }));
        const topology = parseTopology(nodes, { ...ON, publishAddress: "0.0.0.0" });
        expect(topology.nodes.map((n) => n.metrics?.publishAddress)).toEqual(["0.0.0.0", "0.0.0.0", "0.0.0.0"]);
    });

    it.each([
        [
            "a port a node listens on",
            seedNodes().map((n) => (n.name === "redis-c" ? { ...n, metricsHostPort: 16379 } : n)),
            "nodes[2] (redis-c).metricsHostPort: host port 16379 on host local is already used by redis-b.plain; pick a free port",
        ],
        [
            "two exporters on one port",
            seedNodes().map((n) => (n.name === "redis-a" || n.name === "redis-c" ? { ...n, metricsHostPort: 9200 } : n)),
            "nodes[2] (redis-c).metricsHostPort: host port 9200 on host local is already used by redis-a.metricsHostPort; pick a free port",
        ],
        [
            "a port on a node without metrics",
            seedNodes().map((n) => (n.name === "redis-a" ? { ...n, metrics: false, metricsHostPort: 9200 } : n)),
            "nodes[0] (redis-a).metricsHostPort: the node has metrics: false; remove metricsHostPort or set metrics: true",
        ],
        [
            "no free port left",
            [{ name: "redis-a", plain: { hostPort: 65535 } }],
            "nodes[0] (redis-a).metricsHostPort: no free host port from 65535 up; set metricsHostPort",
        ],
    ])("refuses %s", (_, nodes, problem) => {
        const base = nodes.length === 1 ? { metrics: { enabled: true, baseHostPort: 65535 } } : ON;
        expect(problems(nodes, base)).toEqual([problem]);
    });

    it("refuses a metricsHostPort that is not a port", () => {
        expect(problems([{ name: "redis-a", plain: { hostPort: 6379 }, metricsHostPort: 70000 }])).toEqual([
            'nodes[0] (redis-a).metricsHostPort: 70000 is not a port; use an integer from 1 to 65535',
        ]);
    });
});
