// Pieces only the e2e tests need: `npm run verify` as a user runs it, redis-cli inside a container,
// and the leftover check (an assertion, hence here and not in the kit).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { parseInfo } from "../../lib/check/replicationStatus";
import { leftoversNamed } from "../../testkit/dockerObjects";
import { PROJECT_DIR } from "../../testkit/harness/deployStack";
import { docker, run } from "../../testkit/harness/run";
import { withTempDir } from "../../testkit/harness/tempDir";

/** Runs `npm run verify` against these outputs, the way a user would after `pulumi up`. */
export function runVerify(outputs: any, timeoutSeconds: number): Promise<{ code: number; output: string }> {
    // The outputs hold the password: a private folder, removed afterwards.
    return withTempDir("redis-chain-verify-", async (dir) => {
        const file = join(dir, "outputs.json");
        writeFileSync(file, JSON.stringify(outputs), { mode: 0o600 });
        try {
            const output = await run(
                "npm",
                ["run", "--silent", "verify", "--", "--outputs-file", file, "--timeout", String(timeoutSeconds)],
                { cwd: PROJECT_DIR },
            );
            return { code: 0, output };
        } catch (error) {
            const { code, stdout, stderr } = error as { code?: number; stdout?: string; stderr?: string };
            if (code === undefined) throw error;
            return { code, output: `${stdout}${stderr}` };
        }
    });
}

/** `docker exec … redis-cli` with the stack's password in REDISCLI_AUTH (off the command line). */
export function redisCli(outputs: any, containerName: string, cliArgs: string[]): Promise<string> {
    const auth = outputs.password ? ["--env", `REDISCLI_AUTH=${outputs.password}`] : [];
    return docker(["exec", ...auth, containerName, "redis-cli", ...cliArgs]);
}

/** INFO replication of a node, read through `docker exec` so it works whatever the listeners. */
export async function infoReplication(outputs: any, containerName: string, cliArgs: string[]): Promise<Record<string, string>> {
    return parseInfo(await redisCli(outputs, containerName, [...cliArgs, "info", "replication"]));
}

/** Asserts that no container, network or volume whose name starts with `prefix` is left. */
export async function expectNothingLeft(prefix: string): Promise<void> {
    expect(await leftoversNamed(prefix), `left behind by ${prefix}`).toEqual([]);
}

/** The password of ACL user `user`, read from a node's auth.conf (it is in no stack output). */
export async function aclPassword(containerName: string, user: string): Promise<string> {
    const authConf = await docker(["exec", containerName, "cat", "/data/secrets/auth.conf"]);
    const match = authConf.match(new RegExp(`^user ${user} on >(\\S+)`, "m"));
    if (!match) throw new Error(`no "user ${user} on >…" line in ${containerName}'s auth.conf`);
    return match[1];
}
