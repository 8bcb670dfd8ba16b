// `npm run bench`: the full benchmark as a plain program (BENCH_SMOKE=1 for the small one). Writes
// .bench/results.{json,md} and the SVGs; exits 1 when any figure failed.
import { join } from "node:path";
import { PROJECT_DIR } from "../testkit/harness/deployStack";
import { runBench } from "./runBench";
import { FULL, SMOKE } from "./settings";
import { runMain } from "./runMain";

async function main(): Promise<number> {
    const sizes = process.env.BENCH_SMOKE === "1" ? SMOKE : FULL;
    const { result } = await runBench({ sizes, outDir: join(PROJECT_DIR, ".bench") });
    for (const error of result.errors) process.stderr.write(`bench: ${error}\n`);
    return result.errors.length === 0 ? 0 : 1;
}

runMain(main);
