import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts"],
        // The e2e files share one Docker engine and its host ports; run files one at a time.
        fileParallelism: false,
        testTimeout: 20_000,
        hookTimeout: 120_000,
        reporters: ["default"],
    },
});
