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
    const outputsJson = values["outputs-file"]
        ? readFileSync(values["outputs-file"], "utf8")
        : execFileSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", values.stack!], {
              env: pulumiEnv(),
              encoding: "utf8",
          });
    const { chain, credentials } = chainFromOutputs(JSON.parse(outputsJson));
    console.log(`checking ${chain.nodes.length} nodes (timeout ${timeoutSeconds} s)`);
    const report = await checkReplication(chain, credentials, {
        timeoutMs: timeoutSeconds * 1000,
        onProgress: (line) => console.log(line),
    });
    console.log(`\n${formatReport(report)}`);
    return report.ok ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (error) => {
        console.error(`verify: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
        process.exit(2);
    },
);
