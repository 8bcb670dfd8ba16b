import { configDefaults, defineConfig } from "vitest/config";

// `npm test` (the README's test command); `npm run test:matrix` adds tests/matrix, the tables checked
// against every local server image, and runs the e2e suites on every server image (testkit/testBed.ts
// suiteImages reads the same variable); both take minutes of their own.
const matrix = process.env.REDIS_CHAIN_MATRIX === "1";

export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts"],
        exclude: matrix ? configDefaults.exclude : [...configDefaults.exclude, "tests/matrix/**"],
        // The e2e files share one Docker engine and its host ports; run files one at a time.
        fileParallelism: false,
        testTimeout: 20_000,
        hookTimeout: 120_000,
        reporters: ["default"],
        // A deploy refused by a provider's check (tests of the release guard) leaves the SDK's pending
        // registrations and output registrations rejected with nobody awaiting them, as a refused
        // `pulumi up` does in the language host, which reports them and exits. Only those echoes
        // are let through: they all carry the check failure the test itself asserts on.
        // (The error arrives serialized from the test worker: read its message, not its class.)
        onUnhandledError: (error: { message?: string }) =>
            !/failed to register new resource .*resource '[^']+' has a problem: /s.test(String(error?.message ?? error)),
    },
});
