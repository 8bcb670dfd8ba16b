// `npm run verify`: checks the deployed stack from its outputs and prints a per-node table and each
// link's lag. Exit 0 when every link is up and data flows; 1 naming the failing nodes and links; 2 on
// usage. With --watch, then refreshes the lag table every --interval seconds until interrupted.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { checkReplication } from "../lib/check/checkReplication";
import { formatReport } from "../lib/check/formatReport";
import { formatLinkLags } from "../lib/check/linkLag";
import { LinkLagReader } from "../lib/check/readLinkLags";
import { chainFromOutputs } from "../lib/stackOutputs";
import { pulumiEnv } from "./pulumiEnv";

const USAGE = "usage: npm run verify -- [--stack dev] [--outputs-file outputs.json] [--timeout seconds] [--watch [--interval seconds]]";

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string", default: "dev" },
            "outputs-file": { type: "string" },
            timeout: { type: "string", default: "30" },
            watch: { type: "boolean", default: false },
            interval: { type: "string", default: "2" },
        },
    });
    const intervalSeconds = Number(values.interval);
    if (!Number.isFinite(intervalSeconds) || intervalSeconds <= 0) {
        console.error(`--interval: "${values.interval}" is not a positive number of seconds\n${USAGE}`);
        return 2;
    }
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
    const lags = new LinkLagReader(chain, credentials);
    try {
        console.log(`\n${formatLinkLags(await lags.read())}`);
        if (values.watch) await watch(lags, intervalSeconds);
    } finally {
        lags.close();
    }
    return report.ok ? 0 : 1;
}

/** Redraws the lag table every `intervalSeconds` until Ctrl-C (SIGINT) or SIGTERM. */
async function watch(lags: LinkLagReader, intervalSeconds: number): Promise<void> {
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    process.once("SIGINT", () => stop());
    process.once("SIGTERM", () => stop());
    for (;;) {
        const tick = new Promise<"tick">((resolve) => setTimeout(() => resolve("tick"), intervalSeconds * 1000));
        if ((await Promise.race([tick, stopped.then(() => "stop" as const)])) === "stop") return;
        const table = formatLinkLags(await lags.read());
        // Clear the screen on a terminal; append when piped, so a log keeps every reading.
        const clear = process.stdout.isTTY ? "\x1b[2J\x1b[H" : "\n";
        process.stdout.write(`${clear}${new Date().toISOString()}  (every ${intervalSeconds} s; Ctrl-C stops)\n${table}\n`);
    }
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
