import { defineConfig } from "vitest/config";

// `npm run bench` only: the benchmark file, one at a time, with room for a few minutes of work.
export default defineConfig({
    test: {
        include: ["bench/**/*.bench.test.ts"],
        fileParallelism: false,
        testTimeout: 20 * 60_000,
        hookTimeout: 5 * 60_000,
        // Progress lines reach the terminal as they happen.
        disableConsoleIntercept: true,
        reporters: ["default"],
    },
});
