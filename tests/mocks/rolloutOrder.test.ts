// The order the engine replaces containers in when the image changes, on the seed chain A -> B -> C:
// the real program under the provider emulator (the harness e2e tests use), with stand-in providers
// that only record and wait, so no Docker is needed. A stand-in gate returns once its replica's
// container has been replaced in this run, as the real gate returns once the replica runs the new
// release. The release guard's check is the real one, run in a provider-host process.
import { afterAll, describe, expect, it } from "vitest";
import { releaseLabel } from "../../lib/check/serverIdentity";
import { checkDynamicResource } from "../../testkit/harness/dynamicEmulation";
import { DeployFailure, DeployedStack, PROJECT_DIR, deployStack } from "../../testkit/harness/deployStack";
import { ProviderBackend, ResourceEvent, isDynamic } from "../../testkit/harness/providerEmulator";
import { sleep } from "../../testkit/sleep";
import { seedNodes } from "../support/seed";

// No failOnUnhandledRejections here: the refused deploy's echoes in the SDK are expected (see
// vitest.config.mts, which lets only those through).

const CONTAINER = "docker:index/container:Container";
const NODES = ["redis-a", "redis-b", "redis-c"] as const;
/** How long a stand-in container create or delete takes, ms: long enough for overlaps to show. */
const DOCKER_MS = 150;

/** Providers that record and wait; `events` collects every run's create/delete events. */
function standInProviders() {
    const events: ResourceEvent[] = [];
    let containerCount = 0;
    const replacedThisRun = (node: string, since: number) =>
        events.some((e) => e.phase === "created" && e.type === CONTAINER && e.name === `redis-chain-${node}-container` && e.at >= since);
    let runStarted = 0;
    const backend: ProviderBackend = {
        async check(type, olds, news) {
            if (type.endsWith(":ServerReleaseGuard")) return checkDynamicResource(olds, news, PROJECT_DIR);
            return { inputs: news, failures: [] };
        },
        async create(type, name, inputs) {
            if (type === CONTAINER) await sleep(DOCKER_MS);
            const fake: Record<string, unknown> | undefined = ({
                "tls:index/privateKey:PrivateKey": { privateKeyPem: `KEY ${name}` },
                "tls:index/selfSignedCert:SelfSignedCert": { certPem: `CERT ${name}` },
                "tls:index/locallySignedCert:LocallySignedCert": { certPem: `CERT ${name}` },
                "tls:index/certRequest:CertRequest": { certRequestPem: `CSR ${name}` },
                "random:index/randomPassword:RandomPassword": { result: `pw-${name}` },
                "docker:index/remoteImage:RemoteImage": { imageId: `sha256:${inputs.name}` },
            } as Record<string, Record<string, unknown>>)[type];
            const outs = isDynamic(type) ? { elapsedMs: 1, linksUpMs: 1, nodesChecked: 3, waitedMs: 0 } : {};
            const id = type === CONTAINER ? `${name}-${++containerCount}` : `${name}-id`;
            return { id, state: { ...inputs, ...(fake ?? {}), ...outs } };
        },
        async update(old, inputs) {
            if (old.type.endsWith(":RolloutGate") && releaseLabel(old.state.release as never) !== releaseLabel(inputs.release)) {
                const node = inputs.node.name as string;
                const deadline = Date.now() + 10_000;
                while (!replacedThisRun(node, runStarted)) {
                    if (Date.now() > deadline) throw new Error(`stand-in gate: ${node} was not replaced`);
                    await sleep(10);
                }
            }
            return { id: old.id, state: { ...old.state, ...inputs } };
        },
        async delete(resource) {
            if (resource.type === CONTAINER) await sleep(DOCKER_MS);
        },
    };
    return { backend, events, startRun: () => (runStarted = Date.now()) };
}

/** When `phase` happened to `node`'s container in the events since `since`. */
function at(events: readonly ResourceEvent[], since: number, node: string, phase: ResourceEvent["phase"]): number {
    const event = events.find((e) => e.at >= since && e.type === CONTAINER && e.name === `redis-chain-${node}-container` && e.phase === phase);
    if (!event) throw new Error(`no ${phase} of ${node}'s container`);
    return event.at;
}

describe.each(["rolling", "parallel"] as const)("an image change on the seed stack, rollout %s", (rollout) => {
    const providers = standInProviders();
    const deploy = (image: string, previous?: DeployedStack) => {
        providers.startRun();
        return deployStack({ nodes: seedNodes(), image, rollout }, () => undefined, previous, (e) => providers.events.push(e), {
            backend: providers.backend,
            keepStateOnFailure: previous !== undefined,
        });
    };
    let first: DeployedStack;
    let upgraded: DeployedStack;
    let upgradeStarted = 0;

    afterAll(async () => {
        await first?.destroy();
    });

    it("replaces every container and keeps every volume", async () => {
        first = await deploy("redis:7.0.15");
        upgradeStarted = Date.now();
        upgraded = await deploy("redis:8.0.2", first);
        const stepsOf = (type: string) => upgraded.steps.filter((s) => s.type === type).map((s) => `${s.op} ${s.name}`).sort();
        expect(stepsOf(CONTAINER)).toEqual(NODES.map((n) => `replace redis-chain-${n}-container`));
        expect(stepsOf("docker:index/volume:Volume")).toEqual(NODES.map((n) => `same redis-chain-${n}-data`));
    }, 60_000);

    if (rollout === "rolling") {
        it("replaces C's container before B's is deleted, and B's before A's", () => {
            const e = providers.events;
            expect(at(e, upgradeStarted, "redis-c", "created")).toBeLessThanOrEqual(at(e, upgradeStarted, "redis-b", "delete-started"));
            expect(at(e, upgradeStarted, "redis-b", "created")).toBeLessThanOrEqual(at(e, upgradeStarted, "redis-a", "delete-started"));
        });
    } else {
        it("deletes all three containers before any replacement is created", () => {
            const e = providers.events;
            const lastDelete = Math.max(...NODES.map((n) => at(e, upgradeStarted, n, "delete-started")));
            const firstCreate = Math.min(...NODES.map((n) => at(e, upgradeStarted, n, "created")));
            expect(lastDelete).toBeLessThan(firstCreate);
        });
    }

    it("refuses the downgrade to 7.0 in the guard's check: no step but same, every container id kept", async () => {
        const ids = Object.fromEntries([...upgraded.state.values()].filter((r) => r.type === CONTAINER).map((r) => [r.name, r.id]));
        const failure = await deploy("redis:7.0.15", upgraded).then(
            () => undefined,
            (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(DeployFailure);
        const { message, steps } = failure as DeployFailure;
        expect(message).toContain(
            "pulumi-nodejs:dynamic/redis-chain:ServerReleaseGuard resource 'redis-chain-server-releases' has a problem: " +
                "image: node redis-a would change from Redis 8.0.2 (redis:8.0.2) to Redis 7.0.15 (redis:7.0.15) on its existing volume",
        );
        expect(steps.filter((s) => s.op !== "same")).toEqual([]);
        expect(steps.filter((s) => [CONTAINER, "docker:index/volume:Volume", "docker:index/remoteImage:RemoteImage"].includes(s.type))).toEqual([]);
        expect(Object.fromEntries([...upgraded.state.values()].filter((r) => r.type === CONTAINER).map((r) => [r.name, r.id]))).toEqual(ids);
    }, 60_000);
});
