// Failover configs Sentinel could not work with, deployed through the harness as `pulumi up` would
// run them: each deploy must be refused with the field and the fix named, before any resource is
// registered, so no container, network or volume of the stack exists afterwards (nothing half-made).
// The two-host case names a second engine that need not run: the refusal comes before any provider.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leftoversNamed, removeLeftovers } from "../../testkit/dockerObjects";
import { DeployFailure, PROJECT_DIR, StackConfig, deployStack, readStackConfig } from "../../testkit/harness/deployStack";
import { ProviderBackend, providerHosts } from "../../testkit/harness/providerEmulator";
import { testStack } from "../../testkit/stacks";
import { TWO_HOSTS } from "../../testkit/secondDockerHost";

const PREFIX = "e2e-fo-refused-";

/** The ha stack (failover on redis-a, three sentinels) with its master's failover block and nodes edited. */
function haStack(failover: Record<string, unknown>, editNode: (node: any) => any = (n) => n): StackConfig {
    // Host ports are never bound: the deploy is refused before any container exists.
    const config = testStack(readStackConfig("ha"), PREFIX, 0);
    const nodes = (config.nodes as any[]).map((n) => editNode(n.failover ? { ...n, failover: { ...n.failover, ...failover } } : n));
    return { ...config, nodes };
}

/** The real providers, with every call they get recorded: a refused deploy must make none. */
function recordingBackend(calls: string[]): ProviderBackend {
    const real = providerHosts(PROJECT_DIR);
    return {
        check: (type, olds, news) => (calls.push(`check ${type}`), real.check(type, olds, news)),
        create: (type, name, inputs, dockerHost) => (calls.push(`create ${type} ${name} on ${dockerHost ?? "local"}`), real.create(type, name, inputs, dockerHost)),
        update: (old, inputs) => (calls.push(`update ${old.type} ${old.name}`), real.update(old, inputs)),
        delete: (resource) => (calls.push(`delete ${resource.type} ${resource.name}`), real.delete(resource)),
    };
}

const CASES: readonly { readonly title: string; readonly config: () => StackConfig; readonly problem: string }[] = [
    {
        title: "a quorum larger than the sentinel count",
        config: () => haStack({ quorum: 4 }),
        problem: "nodes[0] (redis-a).failover.quorum: 4 is more than the 3 sentinels; use at most 3 (default: a majority, 2)",
    },
    {
        // B keeps only its TLS listener: Sentinel would need plain for A and TLS for B.
        title: "promotion candidates Sentinel cannot all reach over one transport",
        config: () => haStack({}, (n) => (n.name === "redis-b" ? { ...n, plain: undefined } : n)),
        problem:
            "nodes[0] (redis-a).failover: Sentinel reaches every promotion candidate (the master and its direct replicas) over one transport, " +
            "and redis-b has no plain listener, redis-a has no tls listener; give them all a plain listener or all a TLS listener",
    },
    {
        // B on the second host (its plain link across hosts by consent), all three sentinels on the
        // local host: losing that host leaves no sentinel to fail over to B.
        title: "every sentinel on one host of a two-host stack",
        config: () => ({
            ...haStack({ hosts: ["local", "local", "local"] }, (n) =>
                n.name === "redis-b" ? { ...n, host: "host2", allowPlainAcrossHosts: true, allowPlainOnNetwork: true } : n.name === "redis-a" ? { ...n, allowPlainOnNetwork: true } : n,
            ),
            hosts: TWO_HOSTS,
        }),
        problem:
            "nodes[0] (redis-a).failover.hosts: losing host local leaves 0 of 3 sentinels, fewer than the quorum (2) or the majority (2) a failover needs; " +
            "spread the sentinels over more hosts with failover.hosts, or set allowQuorumOnOneHost: true",
    },
];

describe("failover configs Sentinel cannot work with are refused before anything is created", () => {
    beforeAll(async () => {
        await removeLeftovers(PREFIX);
    });

    afterAll(async () => {
        // A safety net only: the tests assert there was nothing to remove.
        await removeLeftovers(PREFIX);
    });

    it.each(CASES)("$title", async ({ config, problem }) => {
        const calls: string[] = [];
        const logged: string[] = [];
        const error = await deployStack(config(), (line) => logged.push(line), undefined, undefined, { backend: recordingBackend(calls), keepStateOnFailure: true }).then(
            // Accepted after all: the test fails below; take the stack down first.
            (stack) => stack.destroy(),
            (e: unknown) => e,
        );
        expect(error, "the deploy was not refused").toBeInstanceOf(DeployFailure);
        const failure = error as DeployFailure;
        // The one problem, as `pulumi up` prints it: field, what is wrong, and the fix.
        expect(failure.message).toBe(`invalid redis-chain config:\n  - ${problem}`);
        expect(failure.cause.name).toBe("ConfigError");
        expect(failure.steps).toEqual([]);
        expect(calls).toEqual([]);
        expect(logged).toEqual([]);
        expect(await leftoversNamed(PREFIX)).toEqual([]);
    });
});
