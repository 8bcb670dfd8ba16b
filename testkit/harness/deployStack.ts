// `pulumi up` stand-in: runs the real index.ts under Pulumi's mock runtime with the provider
// emulator, waits for every resource and stack output, and returns a handle to tear it all down.
// No test runner involved: it runs under vitest and in a plain `tsx` process alike.
import { readFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { StackOutputs } from "../../lib/stackOutputs";
import { ContainerStartHook } from "./dockerEmulation";
import { ProviderBackend, ProviderEmulator, ResourceEvent, StackState, Step, providerHosts } from "./providerEmulator";

export const PROJECT_DIR = resolve(__dirname, "..", "..");

/** The local image e2e stacks run instead of the official tag (tests/infra/build-images.sh builds it). */
export { DEFAULT_LOCAL_IMAGE as LOCAL_IMAGE } from "../testBed";

/** Stack config keyed without the project prefix, e.g. { nodes: [...], namePrefix: "e2e-" }. */
export type StackConfig = Record<string, unknown>;

/**
 * Everything index.ts exports, resolved. The credentials are typed as the check reads them; nodes
 * stay loose, since tests reach into listeners they know are there.
 */
export type DeployedOutputs = Omit<StackOutputs, "nodes"> & { readonly nodes: Record<string, any> } & Record<string, any>;

/** A deployed stack: its resolved outputs and the emulator that owns its resources. */
export interface DeployedStack {
    readonly outputs: DeployedOutputs;
    readonly emulator: ProviderEmulator;
    /** Milliseconds from the first registration to every output resolved. */
    readonly deployMs: number;
    /** What this run did to each resource (create, same, update, replace, delete). */
    readonly steps: readonly Step[];
    /** The stack state after this run; pass the stack to the next deployStack call to update it. */
    readonly state: StackState;
    destroy(): Promise<void>;
}

/** Reads `Pulumi.<stack>.yaml` into a StackConfig. */
export function readStackConfig(stack: string): StackConfig {
    const file = parse(readFileSync(join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(Object.entries(file.config).map(([k, v]) => [k.replace(/^redis-chain:/, ""), v]));
}

/**
 * Evaluates index.ts afresh: the program registers its resources while its modules load, so every
 * deploy needs its own evaluation. Drops the program's modules (index.ts, components/, lib/) from the
 * require cache and requires index.ts again; node_modules stay cached, so the SDK whose mock runtime
 * was just set is the one the program sees.
 */
export function loadProgram(): Record<string, unknown> {
    ensureTypeScriptRequire();
    const program = [join(PROJECT_DIR, "index.ts"), join(PROJECT_DIR, "components") + sep, join(PROJECT_DIR, "lib") + sep];
    for (const file of Object.keys(require.cache)) if (program.some((p) => file.startsWith(p))) delete require.cache[file];
    return require(join(PROJECT_DIR, "index.ts")) as Record<string, unknown>;
}

let tsxRegistered = false;

/**
 * Node's own require strips types but does not resolve extensionless imports (`./lib/topology`);
 * tsx's CommonJS hook does. A `tsx` process has it already; under vitest (which loads test files
 * through its own module runner, not require) it is registered once here.
 */
function ensureTypeScriptRequire(): void {
    const hooked = (require.extensions as Record<string, unknown>)[".ts"] !== undefined && process.execArgv.some((a) => a.includes("tsx"));
    if (hooked || tsxRegistered) return;
    // A plain require: this project's moduleResolution (node10) does not read the package's exports map.
    (require("tsx/cjs/api") as { register: () => void }).register();
    tsxRegistered = true;
}

/** Less common knobs of one deploy. */
export interface DeployOptions {
    /** Stand-ins for the providers (tests of the engine's ordering); default the real ones. */
    readonly backend?: ProviderBackend;
    /**
     * On failure keep the state as the failed run left it (as `pulumi up` does) instead of tearing
     * it down; the caller destroys it through the previous run. The error carries `steps`.
     */
    readonly keepStateOnFailure?: boolean;
    /** Runs each container's start (e.g. to force the order containers start in); default at once. */
    readonly containerStartHook?: ContainerStartHook;
}

/** A failed deploy that kept its state: what the run did before it failed. */
export class DeployFailure extends Error {
    constructor(
        readonly cause: Error,
        readonly steps: readonly Step[],
    ) {
        super(cause.message);
    }
}

/**
 * Deploys `config`, as a first `pulumi up` or, given the `previous` run, as an update of its state.
 * On failure tears down everything in the state and rethrows the first failure, so a failing test
 * never leaves containers behind (unless `keepStateOnFailure`).
 */
export async function deployStack(
    config: StackConfig,
    log: (line: string) => void = () => undefined,
    previous?: DeployedStack,
    /** Receives each resource create's start and end, timestamped (benchmarks). */
    onEvent?: (event: ResourceEvent) => void,
    options: DeployOptions = {},
): Promise<DeployedStack> {
    const backend = options.backend ?? providerHosts(PROJECT_DIR, log, options.containerStartHook);
    const emulator = new ProviderEmulator(PROJECT_DIR, log, previous?.state, backend);
    if (onEvent) emulator.onEvent = onEvent;
    const values = Object.fromEntries(
        Object.entries(config).map(([k, v]) => [`redis-chain:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
    );
    pulumi.runtime.setAllConfig(values, secretConfigKeys(config));
    await pulumi.runtime.setMocks(emulator, "redis-chain", "e2e", false);
    const started = Date.now();
    try {
        const program = loadProgram();
        const outputs = await Promise.race([resolveAll(program), emulator.failed]);
        await emulator.settle();
        if (emulator.firstFailure) throw emulator.firstFailure;
        await emulator.deleteUnregistered();
        return {
            outputs,
            emulator,
            deployMs: Date.now() - started,
            steps: emulator.steps,
            state: emulator.state,
            destroy: () => emulator.destroy(),
        };
    } catch (error) {
        if (options.keepStateOnFailure) {
            await emulator.settle();
            throw new DeployFailure(error as Error, [...emulator.steps]);
        }
        await emulator.destroy().catch((e) => log(String(e)));
        throw error;
    }
}

/**
 * The keys a user would have stored with `pulumi config set --secret`: `hosts` when a host carries
 * an engine key (`--path 'hosts.<host>.keyPem'` makes the whole key secret), as the program requires.
 */
function secretConfigKeys(config: StackConfig): string[] {
    const hosts = typeof config.hosts === "string" ? (JSON.parse(config.hosts) as unknown) : config.hosts;
    const hasKey = typeof hosts === "object" && hosts !== null && Object.values(hosts).some((h) => (h as { keyPem?: unknown })?.keyPem !== undefined);
    return hasKey ? ["redis-chain:hosts"] : [];
}

async function resolveAll(program: Record<string, unknown>): Promise<DeployedOutputs> {
    const exports = Object.fromEntries(Object.entries(program).filter(([k]) => k !== "default" && k !== "__esModule"));
    return new Promise((resolveOutputs) => pulumi.output(exports).apply((v) => resolveOutputs(v as unknown as DeployedOutputs)));
}
