// Pieces only the e2e tests need: `npm run verify` as a user runs it, redis-cli inside a container,
// and the leftover check (an assertion, hence here and not in the kit).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { ADMIN_USER } from "../../lib/aclUsers";
import { parseInfo } from "../../lib/check/replicationStatus";
import { AUTH_CONF_PATH, HEALTHCHECK_PASSWORD_PATH } from "../../lib/containerPaths";
import { EXPORTER_PASSWORD_FILE } from "../../lib/exporterConfig";
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

/**
 * `docker exec … redis-cli` as the stack's admin user (tests reconfigure nodes and read INFO), the
 * password in REDISCLI_AUTH (off the command line).
 */
export function redisCli(outputs: any, containerName: string, cliArgs: string[]): Promise<string> {
    const auth = outputs.adminPassword ? ["--env", `REDISCLI_AUTH=${outputs.adminPassword}`] : [];
    const user = outputs.adminPassword ? ["--user", ADMIN_USER] : [];
    return docker(["exec", ...auth, containerName, "redis-cli", ...user, ...cliArgs]);
}

/** INFO replication of a node, read through `docker exec` so it works whatever the listeners. */
export async function infoReplication(outputs: any, containerName: string, cliArgs: string[]): Promise<Record<string, string>> {
    return parseInfo(await redisCli(outputs, containerName, [...cliArgs, "info", "replication"]));
}

/** Asserts that no container, network or volume whose name starts with `prefix` is left. */
export async function expectNothingLeft(prefix: string): Promise<void> {
    expect(await leftoversNamed(prefix), `left behind by ${prefix}`).toEqual([]);
}

/** The uid the official images run the server as, and own `/data` with. */
const SERVER_UID = "999";

/**
 * The password of the replicator or healthcheck user, read inside a node (it is in no stack output,
 * and the users file holds only hashes): a replica's masterauth, or the healthcheck's password file.
 */
export async function aclPassword(containerName: string, user: "replicator" | "healthcheck"): Promise<string> {
    if (user === "healthcheck") return (await docker(["exec", containerName, "cat", HEALTHCHECK_PASSWORD_PATH])).trim();
    // As the server's user: the file is 0600 and root in the container has no DAC_OVERRIDE.
    const usersFile = await docker(["exec", "--user", SERVER_UID, containerName, "cat", AUTH_CONF_PATH]);
    const match = usersFile.match(/^masterauth (\S+)$/m);
    if (!match) throw new Error(`no masterauth line in ${containerName}'s users file: is it a replica?`);
    return match[1];
}

/**
 * The exporter user's password, read from the password file in a node's exporter container (the
 * node's users file holds only its hash). `docker cp` to a tar stream rather than `exec cat`: the
 * official exporter image is `scratch`, with no `cat` to run.
 */
export async function exporterPassword(exporterContainerName: string): Promise<string> {
    const tar = await docker(["cp", `${exporterContainerName}:${EXPORTER_PASSWORD_FILE}`, "-"]);
    // One ustar entry: a 512-byte header (size in octal at 124..135), then the file.
    const size = parseInt(tar.slice(124, 136).replace(/\0/g, "").trim(), 8);
    const passwords = Object.values(JSON.parse(tar.slice(512, 512 + size)) as Record<string, string>);
    if (passwords.length !== 1) throw new Error(`${exporterContainerName}: expected one password in ${EXPORTER_PASSWORD_FILE}, found ${passwords.length}`);
    return passwords[0];
}
