// Runs a dynamic resource's serialized provider the way the engine's dynamic-provider host does:
// in a separate plain Node process (no TypeScript loader, no test framework), evaluating the
// `__provider` text with require-from-string, then calling `handler().create(props)` or
// `handler().update(id, olds, news)`.
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
    if (method === "create") result = await provider.create(props);
    // No update method: the engine keeps only __provider in the outputs.
    else result = provider.update ? { id, ...(await provider.update(id, olds, props)) } : { id, outs: {} };
    fs.writeFileSync(process.argv[2], JSON.stringify({ ...result.outs, __provider: props.__provider, __id: result.id }));
})().catch((e) => { console.error(e && e.stack ? e.stack : String(e)); process.exit(1); });
`;

/** Creates a dynamic resource; `props` are its inputs with secrets already unwrapped. */
export function createDynamicResource(
    props: Record<string, unknown>,
    projectDir: string,
    onStderr?: (chunk: string) => void,
): Promise<{ id: string; state: Record<string, unknown> }> {
    return callProviderHost({ method: "create", props }, projectDir, onStderr);
}

/** Updates a dynamic resource whose inputs changed (the engine never replaces without a diff method). */
export function updateDynamicResource(
    id: string,
    olds: Record<string, unknown>,
    props: Record<string, unknown>,
    projectDir: string,
    onStderr?: (chunk: string) => void,
): Promise<{ id: string; state: Record<string, unknown> }> {
    return callProviderHost({ method: "update", id, olds, props }, projectDir, onStderr);
}

async function callProviderHost(
    request: { method: "create" | "update"; id?: string; olds?: Record<string, unknown>; props: Record<string, unknown> },
    projectDir: string,
    onStderr?: (chunk: string) => void,
): Promise<{ id: string; state: Record<string, unknown> }> {
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
        const { __id, ...state } = JSON.parse(readFileSync(output, "utf8"));
        return { id: __id, state };
    });
}
