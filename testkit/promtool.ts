// promtool from the local Prometheus image, run with `docker run --rm` on files in a temporary
// folder: `check rules` and `test rules` without installing Prometheus on the host.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { docker } from "./harness/run";
import { withTempDir } from "./harness/tempDir";
import { LOCAL_IMAGES } from "./testBed";

/** What promtool printed and how it exited. */
export interface PromtoolResult {
    readonly code: number;
    readonly output: string;
}

/** Writes `files` (name to text) into a folder mounted at /work and runs `promtool <args>` there. */
export function promtool(files: Record<string, string>, args: readonly string[]): Promise<PromtoolResult> {
    return withTempDir("redis-chain-promtool-", async (dir) => {
        // The image runs as nobody: the folder and files must be readable by others.
        chmodSync(dir, 0o755);
        for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o644 });
        try {
            const output = await docker(["run", "--rm", "--network", "none", "-v", `${dir}:/work:ro`, "-w", "/work", "--entrypoint", "promtool", LOCAL_IMAGES.prometheus, ...args]);
            return { code: 0, output };
        } catch (error) {
            const { code, stdout, stderr } = error as { code?: number; stdout?: string; stderr?: string };
            if (typeof code !== "number") throw error;
            return { code, output: `${stdout ?? ""}${stderr ?? ""}` };
        }
    });
}
