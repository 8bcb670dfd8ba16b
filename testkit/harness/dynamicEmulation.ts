// Runs a dynamic resource's serialized provider the way the engine's dynamic-provider host does:
// in a separate plain Node process (no TypeScript loader, no test framework), evaluating the
// `__provider` text with require-from-string, then calling `handler().check(olds, news)`,
// `handler().create(props)` or `handler().update(id, olds, news)`.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./run";
import { withTempDir } from "./tempDir";

const HOST_SCRIPT = `
const requireFromString = require("require-from-string");
const fs = require("node:fs");
const { method, id, olds, props } = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
(async () => {
    const provider = requireFromString(props.__provider).handler();
    if (provider.configure) await provider.configure({ config: new Map() });
    let result;
    if (method === "check") {
        // As the host does: without a check method the inputs pass as they are; __provider is the new one.
        const checked = provider.check ? await provider.check(olds, props) : {};
        result = { inputs: { ...(checked.inputs || props), __provider: props.__provider }, failures: checked.failures || [] };
    } else if (method === "create") {
        const created = await provider.create(props);
        result = { ...created.outs, __provider: props.__provider, __id: created.id };
    } else {
        // No update method: the engine keeps only __provider in the outputs.
        const updated = provider.update ? await provider.update(id, olds, props) : { outs: {} };
        result = { ...updated.outs, __provider: props.__provider, __id: id };
    }
    fs.writeFileSync(process.argv[2], JSON.stringify(result));
})().catch((e) => { console.error(e && e.stack ? e.stack : String(e)); process.exit(1); });
`;

/** A failure a provider's check returned; property "" is about the whole resource. */
export interface CheckFailure {
    readonly property: string;
    readonly reason: string;
}

/**
 * Runs the provider's check(olds, news), as the engine does on every registration before diff,
 * create or update; `olds` is {} for a resource not in the state yet.
 */
export function checkDynamicResource(
    olds: Record<string, unknown>,
    props: Record<string, unknown>,
    projectDir: string,
    onStderr?: (chunk: string) => void,
): Promise<{ inputs: Record<string, unknown>; failures: CheckFailure[] }> {
    return callProviderHost({ method: "check", olds, props }, projectDir, onStderr) as Promise<{
        inputs: Record<string, unknown>;
        failures: CheckFailure[];
    }>;
}

/** Creates a dynamic resource; `props` are its inputs with secrets already unwrapped. */
export async function createDynamicResource(
    props: Record<string, unknown>,
    projectDir: string,
    onStderr?: (chunk: string) => void,
): Promise<{ id: string; state: Record<string, unknown> }> {
    const { __id, ...state } = (await callProviderHost({ method: "create", props }, projectDir, onStderr)) as Record<string, unknown>;
    return { id: __id as string, state };
}

/** Updates a dynamic resource whose inputs changed (the engine never replaces without a diff method). */
export async function updateDynamicResource(
    id: string,
    olds: Record<string, unknown>,
    props: Record<string, unknown>,
    projectDir: string,
    onStderr?: (chunk: string) => void,
): Promise<{ id: string; state: Record<string, unknown> }> {
    const { __id, ...state } = (await callProviderHost({ method: "update", id, olds, props }, projectDir, onStderr)) as Record<string, unknown>;
    return { id: __id as string, state };
}

async function callProviderHost(
    request: { method: "check" | "create" | "update"; id?: string; olds?: Record<string, unknown>; props: Record<string, unknown> },
    projectDir: string,
    onStderr?: (chunk: string) => void,
): Promise<unknown> {
    const { props } = request;
    if (typeof props.__provider !== "string" || props.__provider === "") {
        throw new Error("dynamic resource without a serialized __provider");
    }
    return withTempDir("redis-chain-dynamic-", async (dir) => {
        const input = join(dir, "props.json");
        const output = join(dir, "outs.json");
        // The engine passes props through a protobuf Struct: JSON values only, undefined dropped.
        writeFileSync(input, JSON.stringify(request), { mode: 0o600 });
        await run(process.execPath, ["-e", HOST_SCRIPT, input, output], { cwd: projectDir, onStderr });
        return JSON.parse(readFileSync(output, "utf8")) as unknown;
    });
}
