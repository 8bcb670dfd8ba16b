// Two runs of the program with the same config must register every resource with identical inputs:
// otherwise a second `pulumi up` would update or replace something for no reason. Keys, certificates
// and passwords come from provider resources (fixed per name by the mocks), never from the program.
import { describe, expect, it, vi } from "vitest";
import { drainRpcs, failOnUnhandledRejections, installMocks, resolveDeep, setStackConfig } from "../support/pulumiMocks";
import { seedNodes } from "../support/seed";

failOnUnhandledRejections();

async function registeredInputs(config: Record<string, unknown>): Promise<Record<string, unknown>> {
    const registrations = await installMocks((type) => (type.startsWith("pulumi-nodejs:dynamic") ? { elapsedMs: 1 } : {}));
    setStackConfig(config);
    vi.resetModules();
    const program = await import("../../index");
    await resolveDeep(Object.fromEntries(Object.entries(program)));
    await drainRpcs();
    // Keyed like URNs; the inputs as the SDK serialized them, secrets where the program put them.
    return Object.fromEntries(registrations.map((r) => [`${r.type}::${r.name}`, r.rawInputs ?? r.inputs]));
}

const FAN_OUT_ON_TWO_HOSTS = {
    hosts: { local: { address: "10.1.0.1" }, far: { docker: "ssh://ops@10.1.0.2", address: "10.1.0.2" } },
    nodes: [
        { name: "hub", plain: { hostPort: 6379 }, tls: { hostPort: 6380 }, tlsAuthClients: "yes" },
        { name: "leaf-1", replicaOf: "hub", link: "tls", host: "far", tls: { hostPort: 6380 } },
        { name: "leaf-2", replicaOf: "hub", link: "plain", plain: { hostPort: 16379 }, persistence: "aof" },
    ],
};

describe("the same config registers the same inputs", () => {
    it.each([
        ["the seed stack", { nodes: seedNodes() }],
        ["a fan-out over two hosts with mTLS", FAN_OUT_ON_TWO_HOSTS],
    ])("%s", async (_, config) => {
        const first = await registeredInputs(config);
        const second = await registeredInputs(config);
        expect(Object.keys(first).length).toBeGreaterThan(10);
        expect(second).toEqual(first);
        // The serialized check provider is an input too; it must not vary between runs.
        const check = Object.keys(first).find((k) => k.startsWith("pulumi-nodejs:dynamic"))!;
        const provider = (first[check] as Record<string, unknown>).__provider;
        expect(provider).toMatch(/exports\.handler/);
        expect((second[check] as Record<string, unknown>).__provider).toBe(provider);
    }, 60_000);
});
