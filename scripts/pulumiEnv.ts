// The environment `pulumi` runs with from this project's tools: what scripts/pulumi.sh sets (a
// local file state backend in .pulumi-state/ unless PULUMI_BACKEND_URL is set, a generated
// passphrase file in the user's config directory unless PULUMI_CONFIG_PASSPHRASE(_FILE) is set),
// read from its --print-env so the defaults live in one file.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

export const PROJECT_DIR = resolve(__dirname, "..");

/** Parses `NAME=value` lines (the value may contain "="). */
export function parseEnvLines(text: string): Record<string, string> {
    const vars: Record<string, string> = {};
    for (const line of text.split("\n")) {
        const eq = line.indexOf("=");
        if (eq > 0) vars[line.slice(0, eq)] = line.slice(eq + 1);
    }
    return vars;
}

export function pulumiEnv(): NodeJS.ProcessEnv {
    const printed = execFileSync("bash", [resolve(PROJECT_DIR, "scripts", "pulumi.sh"), "--print-env"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    return { ...process.env, ...parseEnvLines(printed) };
}
