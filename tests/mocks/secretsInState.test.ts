// Runs the real program (index.ts) under mocks and looks at every output the engine would store,
// marked secret by the engine's own rules, for any secret value in plain text. The mocks apply none
// of those rules, so this file applies them to what was registered:
//   - outputs named in the request's additionalSecretOutputs (the generated SDKs' lists and the program's),
//   - outputs whose same-named input is secret as a whole (the engine's step executor does this for
//     every provider; nested secrets in a list do not count).
// The secret values are read from the registrations: every generated password and private key, and
// the remote engine's key from the config.
import { beforeAll, describe, expect, it } from "vitest";
import { checkState } from "../../components/replicationCheck";
import { Registration, failOnUnhandledRejections, isSecretInput } from "../support/pulumiMocks";
import { REPLICATION_CHECK_TYPE } from "../../testkit/stacks";
import { FAKE_CHECK_OUTPUTS, runProgram } from "../support/programRun";
import { seedNodes } from "../support/seed";

failOnUnhandledRejections();

const ENGINE_KEY = "-----BEGIN RSA PRIVATE KEY-----engine-client-key";
const SETUP_TIMEOUT = 60_000;

/** What the check's provider returns: its own state function, so the mock echoes no more than it does. */
function checkProviderOutputs(type: string, _name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (!type.startsWith("pulumi-nodejs:dynamic")) return {};
    const state = checkState(inputs, FAKE_CHECK_OUTPUTS);
    return { ...Object.fromEntries(Object.keys(inputs).map((k) => [k, undefined])), ...state };
}

/** Every string in `value` that is not under a secret marker. */
function plainStrings(value: unknown, found: string[] = []): string[] {
    if (isSecretInput(value)) return found;
    if (typeof value === "string") found.push(value);
    else if (Array.isArray(value)) value.forEach((v) => plainStrings(v, found));
    else if (typeof value === "object" && value !== null) Object.values(value).forEach((v) => plainStrings(v, found));
    return found;
}

/**
 * The value without secret markers. The mocks hand inputs back marked as the SDK sent them; a
 * provider's own returned state carries no marking this program can count on.
 */
function unmarked(value: unknown): unknown {
    if (isSecretInput(value)) return unmarked(value.value);
    if (Array.isArray(value)) return value.map(unmarked);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unmarked(v)]));
    return value;
}

/** The output names the engine would store secret for this registration. */
function secretOutputNames(reg: Registration, additional = reg.additionalSecretOutputs ?? []): Set<string> {
    const fromInputs = Object.entries(reg.rawInputs ?? {}).filter(([, v]) => isSecretInput(v)).map(([k]) => k);
    return new Set([...additional, ...fromInputs]);
}

/** Secret values generated or configured in this run. */
function secretValues(registrations: readonly Registration[]): string[] {
    const generated = registrations.flatMap((r) => {
        if (r.type === "random:index/randomPassword:RandomPassword") return [r.outputs!.result as string];
        if (r.type === "tls:index/privateKey:PrivateKey") return [r.outputs!.privateKeyPem as string];
        return [];
    });
    return [...generated, ENGINE_KEY];
}

/** `<type> <name>.<output>` for each stored plain output (or component output) holding a secret value. */
function leaks(registrations: readonly Registration[], secretsOf = (r: Registration) => secretOutputNames(r)): string[] {
    const secrets = secretValues(registrations);
    const found: string[] = [];
    for (const reg of registrations) {
        const secret = secretsOf(reg);
        const stored = reg.custom ? reg.outputs ?? {} : reg.rawComponentOutputs ?? {};
        for (const [key, value] of Object.entries(stored)) {
            if (reg.custom && secret.has(key)) continue;
            const texts = plainStrings(reg.custom ? unmarked(value) : value);
            if (secrets.some((s) => texts.some((t) => t.includes(s)))) found.push(`${reg.type} ${reg.name}.${key}`);
        }
    }
    return found;
}

describe.each([
    ["the seed stack", { nodes: seedNodes() }, []],
    ["the reference chain with Sentinel failover on redis-a", { nodes: seedNodes().map((n) => (n.name === "redis-a" ? { ...n, failover: {} } : n)) }, []],
    ["a node asking for client certificates", { nodes: seedNodes().map((n) => (n.name === "redis-c" ? { ...n, tlsAuthClients: "yes" } : n)) }, []],
    [
        "redis-c on a second host reached over TLS with a client key",
        {
            nodes: seedNodes().map((n) => (n.name === "redis-c" ? { ...n, host: "host2" } : n)),
            hosts: {
                local: { address: "10.200.0.1" },
                host2: { docker: "tcp://10.200.0.2:2376", address: "10.200.0.2", caCertPem: "engine-ca", certPem: "engine-cert", keyPem: ENGINE_KEY },
            },
        },
        ["redis-chain:hosts"],
    ],
] as const)("%s: secrets in the state", { timeout: 15_000 }, (_case, config, secretKeys) => {
    let registrations: Registration[];
    beforeAll(async () => {
        ({ registrations } = await runProgram(config, { secretKeys, extraOutputs: checkProviderOutputs }));
    }, SETUP_TIMEOUT);

    it("the run holds secrets to look for (passwords and keys)", () => {
        const values = secretValues(registrations);
        expect(values.filter((v) => v.includes("PRIVATE KEY")).length).toBeGreaterThanOrEqual(3);
        expect(registrations.some((r) => r.type === "random:index/randomPassword:RandomPassword")).toBe(true);
    });

    it("no stored output holds a secret value outside a secret", () => {
        expect(leaks(registrations)).toEqual([]);
    });

    it("containers ask for uploads to be secret; without that the state would hold them in plain", () => {
        const containers = registrations.filter((r) => r.type === "docker:index/container:Container");
        expect(containers.length).toBeGreaterThan(0);
        for (const c of containers) expect(c.additionalSecretOutputs).toContain("uploads");
        const withoutUploads = (r: Registration) => secretOutputNames(r, (r.additionalSecretOutputs ?? []).filter((k) => k !== "uploads"));
        expect(leaks(registrations, withoutUploads)).toEqual(containers.map((c) => `${c.type} ${c.name}.uploads`));
    });

    it("the check keeps its credentials as a secret input and returns none", () => {
        const check = registrations.find((r) => r.type === REPLICATION_CHECK_TYPE)!;
        expect(isSecretInput(check.rawInputs!.credentials)).toBe(true);
        expect(check.outputs!.credentials).toBeUndefined();
        expect(check.additionalSecretOutputs).toContain("credentials");
    });
});

describe("the check's state function", () => {
    it("drops the credentials and keeps everything else", () => {
        const inputs = { chain: { nodes: [] }, credentials: { password: "pw" }, timeoutMs: 5, __provider: "text" };
        expect(checkState(inputs, { elapsedMs: 1 })).toEqual({ chain: { nodes: [] }, timeoutMs: 5, __provider: "text", elapsedMs: 1 });
    });
});
