// `npm run bench`: the full benchmark (BENCH_SMOKE=1 for the small one). It runs under vitest
// because the harness's deployStack re-imports the program with vi.resetModules().
import { join } from "node:path";
import { expect, it } from "vitest";
import { PROJECT_DIR } from "../testkit/harness/deployStack";
import { runBench } from "./runBench";
import { FULL, SMOKE } from "./settings";

const sizes = process.env.BENCH_SMOKE === "1" ? SMOKE : FULL;

it(`redis-chain bench (${sizes.mode})`, async () => {
    const { result } = await runBench({ sizes, outDir: join(PROJECT_DIR, ".bench") });
    expect(result.errors).toEqual([]);
});
