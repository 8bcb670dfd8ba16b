// Pulumi mocks that record every registration, for tests that run the real program (index.ts).
// Pure test support: nothing here is imported by the program.
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, expect } from "vitest";

/** Key and value the SDK marks a secret with when it hands inputs to the mocks. */
export const SECRET_SIG_KEY = pulumi.runtime.specialSigKey;
export const SECRET_SIG = pulumi.runtime.specialSecretSig;

/** One `newResource` call, plus its URN and its parent's URN as the SDK sent them to the monitor. */
export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** Reference (`<urn>::<id>`) of the explicit provider, if the resource has one. */
    readonly provider?: string;
    readonly inputs: Record<string, any>;
    /**
     * The inputs as the SDK serialized them, before the mock monitor deserialized them. Unlike
     * `inputs` (where the SDK hoists a nested secret up to the top-level property), secrets here
     * sit exactly where the program marked them.
     */
    rawInputs?: Record<string, any>;
    /** What the mocks returned as the resource's state: the outputs the engine would store. */
    outputs?: Record<string, any>;
    /** The output names the request asked the engine to make secret (the SDK's own list and the program's). */
    additionalSecretOutputs?: string[];
    /** Outputs a component registered (`registerOutputs`), as serialized: secrets marked where they sit. */
    rawComponentOutputs?: Record<string, any>;
    urn?: string;
    /** URN of the parent; "" when the resource has none. */
    parentUrn?: string;
    /** URNs the SDK sent as the resource's dependencies (explicit `dependsOn` and input dependencies). */
    dependencies?: string[];
}

/** Fake provider outputs, so PEM-consuming resources get realistic-looking text. */
export function fakeOutputs(type: string, name: string): Record<string, unknown> {
    switch (type) {
        case "tls:index/privateKey:PrivateKey":
            return { privateKeyPem: `-----BEGIN RSA PRIVATE KEY-----fake-${name}` };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            return { certPem: `-----BEGIN CERTIFICATE-----fake-${name}` };
        case "tls:index/certRequest:CertRequest":
            return { certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----fake-${name}` };
        case "docker:index/remoteImage:RemoteImage":
            // The stack's default image (`<prefix>-image`) keeps the plain ID; any other image its own.
            return { imageId: name.endsWith("-image") ? "sha256:fake" : `sha256:fake-${name}` };
        case "random:index/randomPassword:RandomPassword":
            // Alphanumeric, like the real ones (special: false).
            return { result: `pw${name.replace(/[^A-Za-z0-9]/g, "")}` };
        default:
            return {};
    }
}

/**
 * Installs fresh mocks (a new mock monitor) and returns the list every registration is appended to.
 * `extraOutputs` adds fake outputs for types `fakeOutputs` does not know (e.g. the dynamic check);
 * a value `undefined` removes an input the provider does not echo.
 */
export async function installMocks(
    extraOutputs: (type: string, name: string, inputs: Record<string, any>) => Record<string, unknown> = () => ({}),
): Promise<Registration[]> {
    const registrations: Registration[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const state = { ...args.inputs, ...fakeOutputs(args.type, args.name), ...extraOutputs(args.type, args.name, args.inputs) };
                registrations.push({
                    type: args.type,
                    name: args.name,
                    custom: args.custom ?? false,
                    provider: args.provider || undefined,
                    inputs: args.inputs,
                    outputs: state,
                });
                return { id: `${args.name}-id`, state };
            },
            call(args) {
                // The program makes no invokes; one appearing is a change worth a failing test.
                throw new Error(`unexpected invoke ${args.token}`);
            },
        },
        "redis-chain",
        "dev",
        false,
    );
    recordParents(registrations);
    return registrations;
}

// The mock arguments carry no parent, but the request the SDK sends to the monitor does: wrap the
// mock monitor's registerResource to copy the request's parent URN and the response's URN.
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getAdditionalsecretoutputsList(): string[];
}
interface RegisterOutputsRequest {
    getUrn(): string;
    getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
}
interface RegisterResponse {
    getUrn(): string;
}
type RegisterCallback = (err: unknown, resp?: RegisterResponse) => void;
interface WrappableMonitor {
    registerResource(req: RegisterRequest, callback: RegisterCallback): unknown;
    registerResourceOutputs(req: RegisterOutputsRequest, callback: (err: unknown, resp?: unknown) => void): unknown;
}

function recordParents(registrations: Registration[]): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as WrappableMonitor | undefined;
    if (!monitor || typeof monitor.registerResource !== "function") {
        throw new Error("setMocks installed no monitor with registerResource; the SDK changed");
    }
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        const rawInputs = req.getObject()?.toJavaScript() ?? {};
        return original(req, (err, resp) => {
            if (!err && resp) {
                const entry = registrations.find((r) => r.type === req.getType() && r.name === req.getName() && r.urn === undefined);
                if (entry) {
                    entry.urn = resp.getUrn();
                    entry.parentUrn = req.getParent();
                    entry.rawInputs = rawInputs;
                    entry.additionalSecretOutputs = req.getAdditionalsecretoutputsList();
                    entry.dependencies = req.getDependenciesList();
                }
            }
            callback(err, resp);
        });
    };
    const originalOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) => {
        const entry = registrations.find((r) => r.urn === req.getUrn());
        if (entry) entry.rawComponentOutputs = req.getOutputs()?.toJavaScript() ?? {};
        return originalOutputs(req, callback);
    };
}

/** Resolves an Output to its value (hangs on an unknown value: give tests a timeout). */
export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((r) => output.apply((value) => r(value)));
}

/** Resolves every Output nested in a plain value (objects, arrays, records of outputs). */
export function resolveDeep(value: unknown): Promise<unknown> {
    return resolve(pulumi.output(value) as pulumi.Output<unknown>);
}

/** Waits until the SDK has no RPC in flight (registrations, registerOutputs). */
export async function drainRpcs(): Promise<void> {
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    if (typeof runtime.waitForRPCs === "function") await runtime.waitForRPCs();
}

/**
 * Sets the stack config the way the language host does: every value a string under
 * "redis-chain:<key>", and the full names of the keys `pulumi config set --secret` stored encrypted.
 */
export function setStackConfig(values: Record<string, unknown>, secretKeys: readonly string[] = []): void {
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        config[`redis-chain:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig(config, [...secretKeys]);
}

/** True when `value` is how the SDK hands a secret input to the mocks. */
export function isSecretInput(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** The plain value of an input, secret or not. */
export function unwrapSecret(value: unknown): unknown {
    return isSecretInput(value) ? value.value : value;
}

/**
 * Registration errors surface as unhandled rejections; record them and fail the test they happen
 * in (vitest also fails the run on them; this names the test).
 */
export function failOnUnhandledRejections(): void {
    const seen: unknown[] = [];
    const onRejection = (reason: unknown) => {
        seen.push(reason);
    };
    process.on("unhandledRejection", onRejection);
    const check = () => {
        const errors = seen.splice(0).map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)));
        expect(errors, "unhandled rejections").toEqual([]);
    };
    afterEach(check);
    afterAll(() => {
        process.off("unhandledRejection", onRejection);
        check();
    });
}

/** The registrations of one type. */
export function ofType(registrations: readonly Registration[], type: string): Registration[] {
    return registrations.filter((r) => r.type === type);
}

/** The one registration with this type and name; fails loudly otherwise. */
export function findCreated(registrations: readonly Registration[], type: string, name: string): Registration {
    const found = registrations.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        throw new Error(
            `expected one ${type} named ${name}, found ${found.length}; registered: ${registrations.map((r) => `${r.type} ${r.name}`).join(", ")}`,
        );
    }
    return found[0];
}

/** Name part of a URN (`urn:pulumi:stack::project::type::name`). */
export function urnName(urn: string): string {
    return urn.split("::").pop() ?? "";
}
