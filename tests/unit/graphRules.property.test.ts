// Property tests for the rules a table cannot cover: the space of graphs and placements is too large
// to list, so fast-check generates them and each property says what must hold for all of them.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../lib/configError";
import { parseTopology } from "../../lib/parseTopology";
import { parseStackSettings } from "../../lib/stackSettings";
import { HostAddresses } from "../../lib/topology";

const nodeName = (i: number) => `redis-${i}`;

/** The problems parseTopology reports, or undefined when it accepts the nodes. */
function problemsOf(run: () => unknown): readonly string[] | undefined {
    try {
        run();
        return undefined;
    } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
    }
}

describe("masters first", () => {
    // A random forest: node i replicates from one of the nodes before it, or is a master; then the
    // list is shuffled, so upstreams appear anywhere in the config.
    const forest = fc
        .integer({ min: 1, max: 12 })
        .chain((n) =>
            fc.tuple(
                fc.tuple(...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant(-1) : fc.integer({ min: -1, max: i - 1 })))),
                fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
            ),
        );

    it("lists every node once, each after its upstream", () => {
        fc.assert(
            fc.property(forest, ([parents, order]) => {
                const nodes = order.map((i) => ({
                    name: nodeName(i),
                    plain: { hostPort: 10000 + i },
                    ...(parents[i] >= 0 ? { replicaOf: nodeName(parents[i]), link: "plain" } : {}),
                }));
                const ordered = parseTopology(nodes).nodes.map((n) => n.name);
                expect([...ordered].sort()).toEqual(nodes.map((n) => n.name).sort());
                parents.forEach((parent, i) => {
                    if (parent >= 0) expect(ordered.indexOf(nodeName(parent))).toBeLessThan(ordered.indexOf(nodeName(i)));
                });
            }),
        );
    });
});

describe("replication cycles", () => {
    /** The cycles of a functional graph (every node has exactly one upstream), as sets of members. */
    function cyclesOf(upstream: readonly number[]): number {
        const state = upstream.map(() => 0); // 0 unseen, 1 on the current walk, 2 done
        let cycles = 0;
        upstream.forEach((_, start) => {
            const walk: number[] = [];
            let i = start;
            while (state[i] === 0) {
                state[i] = 1;
                walk.push(i);
                i = upstream[i];
            }
            if (state[i] === 1) cycles += 1;
            walk.forEach((w) => (state[w] = 2));
        });
        return cycles;
    }

    // Every node of a functional graph has an upstream, so every walk ends in a cycle; one extra
    // master keeps the "no master" problem out of the way.
    const functionalGraph = fc
        .integer({ min: 1, max: 10 })
        .chain((n) => fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: n, maxLength: n }));

    it("reports each cycle exactly once, and nothing else", () => {
        fc.assert(
            fc.property(functionalGraph, (upstream) => {
                const nodes = [
                    { name: "master", plain: { hostPort: 9999 } },
                    ...upstream.map((u, i) => ({ name: nodeName(i), replicaOf: nodeName(u), link: "plain", plain: { hostPort: 10000 + i } })),
                ];
                const problems = problemsOf(() => parseTopology(nodes));
                expect(problems).toBeDefined();
                const cycleLines = problems!.filter((p) => p.includes(".replicaOf: replication cycle "));
                expect(cycleLines).toHaveLength(cyclesOf(upstream));
                expect(problems).toEqual(cycleLines);
            }),
        );
    });
});

describe("host ports", () => {
    const HOSTS: ReadonlyMap<string, HostAddresses> = new Map([
        ["local", { address: "10.200.0.1", publishAddress: "127.0.0.1" }],
        ["host2", { address: "10.200.0.2", publishAddress: "127.0.0.1" }],
    ]);
    // Independent masters placed at random on two hosts, with host ports from a small range so that
    // collisions are common.
    const placement = fc.array(
        fc.record({
            host: fc.constantFrom("local", "host2"),
            plain: fc.option(fc.integer({ min: 7000, max: 7005 }), { nil: undefined }),
            tls: fc.option(fc.integer({ min: 7000, max: 7005 }), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 8 },
    );

    it("each (host, port) is published once; every further use is reported", () => {
        fc.assert(
            fc.property(placement, (placed) => {
                const nodes = placed
                    .map((p, i) => ({
                        name: nodeName(i),
                        host: p.host,
                        // A node on host2 without TLS publishes its plain listener there.
                        allowPlainOnNetwork: true,
                        ...(p.plain === undefined ? {} : { plain: { hostPort: p.plain } }),
                        ...(p.tls === undefined ? {} : { tls: { hostPort: p.tls } }),
                    }))
                    .filter((n) => n.plain || n.tls);
                fc.pre(nodes.length > 0);
                const uses = nodes.flatMap((n) => [n.plain, n.tls].filter((l) => l !== undefined).map((l) => `${n.host}:${l.hostPort}`));
                const duplicates = uses.length - new Set(uses).size;
                const problems = problemsOf(() => parseTopology(nodes, { hosts: HOSTS }));
                if (duplicates === 0) {
                    expect(problems).toBeUndefined();
                } else {
                    expect(problems).toHaveLength(duplicates);
                    problems!.forEach((p) => expect(p).toMatch(/\.hostPort: host port \d+ on host \w+ is already used by /));
                }
            }),
        );
    });
});

describe("arbitrary input", () => {
    // Nodes that use the real field names with any JSON values get past the first checks more often
    // than fully random JSON does.
    const nodeLike = fc.dictionary(
        fc.constantFrom("name", "replicaOf", "link", "plain", "tls", "tlsAuthClients", "persistence", "host", "allowPlainAcrossHosts", "allowPlainOnNetwork", "other"),
        fc.oneof(fc.jsonValue(), fc.constantFrom("redis-a", "redis-b", "plain", "tls", "local"), fc.record({ hostPort: fc.jsonValue() })),
    );
    const nodesInput = fc.oneof(fc.jsonValue(), fc.array(nodeLike, { maxLength: 5 }));
    const isValidationResult = (run: () => unknown) => problemsOf(run); // rethrows anything but ConfigError

    it("parseTopology either accepts or throws ConfigError", () => {
        fc.assert(fc.property(nodesInput, (raw) => void isValidationResult(() => parseTopology(raw))), { numRuns: 1000 });
    });

    it("parseStackSettings either accepts or throws ConfigError, for JSON text as Pulumi stores it too", () => {
        const scalar = fc.option(fc.oneof(fc.string(), fc.constantFrom("true", "false", "0", "60", "no", "redis:7.0.15")), { nil: undefined });
        fc.assert(
            fc.property(nodesInput, fc.jsonValue(), scalar, scalar, scalar, fc.boolean(), (nodes, hosts, image, auth, timeout, asText) => {
                void isValidationResult(() =>
                    parseStackSettings({
                        nodes: asText ? JSON.stringify(nodes) : nodes,
                        hosts: asText ? JSON.stringify(hosts) : hosts,
                        image,
                        auth,
                        checkTimeoutSeconds: timeout,
                        restartPolicy: timeout,
                        publishAddress: image,
                    }),
                );
            }),
            { numRuns: 1000 },
        );
    });
});
