// `npm run verify`: checks the deployed stack from its outputs and prints a per-node table.
// Exit 0 when every link is up and data flows; 1 naming the failing nodes and links; 2 on usage.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { checkReplication } from "../lib/check/checkReplication";
import { formatReport } from "../lib/check/formatReport";
import { chainFromOutputs } from "../lib/stackOutputs";
import { pulumiEnv } from "./pulumiEnv";

const USAGE = "usage: npm run verify -- [--stack dev] [--outputs-file outputs.json] [--timeout seconds]";

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string", default: "dev" },
            "outputs-file": { type: "string" },
            timeout: { type: "string", default: "30" },
        },
    });
    const timeoutSeconds = Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
        console.error(`--timeout: "${values.timeout}" is not a positive number of seconds\n${USAGE}`);
        return 2;
    }
    const outputsJson = values["outputs-file"] ? readFileSync(values["outputs-file"], "utf8") : stackOutputs(values.stack!);
    const { chain, credentials } = chainFromOutputs(JSON.parse(outputsJson));
    console.log(`checking ${chain.nodes.length} nodes (timeout ${timeoutSeconds} s)`);
    const report = await checkReplication(chain, credentials, {
        timeoutMs: timeoutSeconds * 1000,
        onProgress: (line) => console.log(line),
    });
    console.log(`\n${formatReport(report)}`);
    return report.ok ? 0 : 1;
}

function stackOutputs(stack: string): string {
    try {
        return execFileSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
            env: pulumiEnv(),
            encoding: "utf8",
            stdio: ["ignore", "pipe", "inherit"],
        });
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            throw new Error("the Pulumi CLI is not installed; run scripts/deploy.sh first, or pass --outputs-file");
        }
        throw new Error(`could not read the outputs of stack ${stack}; was it deployed (scripts/deploy.sh)?`);
    }
}

main().then(
    (code) => process.exit(code),
    (error) => {
        console.error(`verify: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
        process.exit(2);
    },
);
