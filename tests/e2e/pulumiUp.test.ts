// A real `pulumi up` through the Automation API: local file state, a throwaway stack, passphrase
// secrets; up (which runs the check resource), the seed assertions, destroy. Needs the Pulumi CLI
// with the docker, tls and nodejs plugins; where it is missing the test is skipped and says why.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeployedOutputs, LOCAL_IMAGE, PROJECT_DIR, readStackConfig } from "../../testkit/harness/deployStack";
import { clientFor } from "../../testkit/redisClient";
import { testStack } from "../../testkit/stacks";
import { expectNothingLeft, runVerify } from "./support";

const PREFIX = "e2e-up-";

function unavailableReason(): string | undefined {
    try {
        execFileSync("pulumi", ["version"], { stdio: "ignore" });
    } catch {
        return "no `pulumi` CLI on PATH (it and its plugins download from the internet, which this machine lacks)";
    }
    return undefined;
}

const reason = unavailableReason();
if (reason) console.warn(`[pulumi up] skipped: ${reason}`);

describe.skipIf(reason !== undefined)("real pulumi up of the seed stack", () => {
    // Made in beforeAll: a skipped describe still runs its body, and would leave the folder behind.
    let stateDir = "";
    const stackName = `e2e-${process.pid}`;
    let stack: Stack | undefined;

    beforeAll(() => {
        stateDir = mkdtempSync(join(tmpdir(), "redis-chain-state-"));
    });

    afterAll(async () => {
        try {
            await stack?.destroy({ onOutput: (o) => process.stdout.write(o) });
            await stack?.workspace.removeStack(stackName);
        } finally {
            rmSync(stateDir, { recursive: true, force: true });
            rmSync(join(PROJECT_DIR, `Pulumi.${stackName}.yaml`), { force: true });
        }
        await expectNothingLeft(PREFIX);
    }, 300_000);

    it("deploys, checks and serves the chain", async () => {
        stack = await LocalWorkspace.createOrSelectStack(
            { stackName, workDir: PROJECT_DIR },
            { envVars: { PULUMI_BACKEND_URL: `file://${stateDir}`, PULUMI_CONFIG_PASSPHRASE: "e2e-only" } },
        );
        const config = testStack(readStackConfig("dev"), PREFIX, 31000);
        for (const [key, value] of Object.entries({ ...config, image: LOCAL_IMAGE })) {
            await stack.setConfig(`redis-chain:${key}`, { value: typeof value === "string" ? value : JSON.stringify(value) });
        }
        const result = await stack.up({ onOutput: (o) => process.stdout.write(o) });
        expect(result.summary.result).toBe("succeeded");
        const outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value])) as DeployedOutputs;
        expect(outputs.checkElapsedMs).toBeGreaterThan(0);

        const a = clientFor(outputs, "redis-a", "plain");
        const c = clientFor(outputs, "redis-c", "tls");
        try {
            await a.set("hello", "world");
            await expect.poll(() => c.get("hello"), { timeout: 5000 }).toBe("world");
        } finally {
            a.disconnect();
            c.disconnect();
        }
        const verified = await runVerify(outputs, 20);
        expect(verified.code, verified.output).toBe(0);
    }, 600_000);
});
