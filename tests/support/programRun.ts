// Runs the real program (index.ts) under fresh Pulumi mocks, for the mock tests: mocks first, config
// second, then `import()` the program after `vi.resetModules()`, so each run starts afresh.
import { vi } from "vitest";
import { Registration, drainRpcs, installMocks, isSecretInput, resolveDeep, setStackConfig, unwrapSecret } from "./pulumiMocks";

export type Program = typeof import("../../index");

/** The post-deploy check's results the mocks return (it never runs under mocks). */
export const FAKE_CHECK_OUTPUTS = { elapsedMs: 1234, linksUpMs: 1000, nodesChecked: 3 };

/** What one run registered and exported. */
export interface ProgramRun {
    readonly registrations: Registration[];
    readonly program: Program;
    /** Every export of the program with its outputs resolved. */
    readonly exported: Record<string, unknown>;
}

/** How to run the program besides its config. */
export interface ProgramRunOptions {
    /** Config keys set as secrets. */
    readonly secretKeys?: readonly string[];
    /** Outputs the mocks add per resource (default: FAKE_CHECK_OUTPUTS for the dynamic resources). */
    readonly extraOutputs?: (type: string, name: string, inputs: Record<string, any>) => Record<string, unknown>;
}

const fakeDynamicOutputs = (type: string) => (type.startsWith("pulumi-nodejs:dynamic") ? FAKE_CHECK_OUTPUTS : {});

/** Runs index.ts under fresh mocks with `config`, and waits until everything it registered settled. */
export async function runProgram(config: Record<string, unknown>, options: ProgramRunOptions = {}): Promise<ProgramRun> {
    const registrations = await installMocks(options.extraOutputs ?? fakeDynamicOutputs);
    setStackConfig(config, options.secretKeys);
    vi.resetModules();
    const program: Program = await import("../../index");
    // Each container's id first (the containers are the last resources of their nodes), then every export.
    await resolveDeep(Object.values(program.containerIds));
    const exported = (await resolveDeep(Object.fromEntries(Object.entries(program)))) as Record<string, unknown>;
    await drainRpcs();
    return { registrations, program, exported };
}

/** One file a container uploads, with its content unwrapped. */
export interface Upload {
    readonly file: string;
    readonly content: string;
    readonly permissions: string;
}

/** A container registration's uploads, secrets unwrapped. */
export const uploadsOf = (reg: Registration) => unwrapSecret(reg.inputs.uploads) as Upload[];

/** Per uploaded file, whether the program marked its content secret (read from the serialized request). */
export const secretUploads = (reg: Registration) =>
    Object.fromEntries((reg.rawInputs!.uploads as { file: string; content: unknown }[]).map((u) => [u.file, isSecretInput(u.content)]));
