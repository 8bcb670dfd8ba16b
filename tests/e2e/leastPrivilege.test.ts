// The stack's users on the real engine, per server image: with the exported application credential
// data commands work and every administrative door is refused; the exported admin credential opens
// them, except DEBUG and MODULE LOAD, which the server settings close to every connection. The check
// user is enough for the post-deploy check and `npm run verify`. Memory: maxmemory and policy as
// rendered, and the container limit derived from them. The admin's destructive commands run last,
// in an order that leaves the chain whole until SHUTDOWN ends the file.
// `npm test` runs the default local image; REDIS_CHAIN_MATRIX=1 runs every local server image.
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_USER } from "../../lib/aclUsers";
import { parseInfo } from "../../lib/check/replicationStatus";
import { DEFAULT_MEMORY } from "../../lib/memoryLimits";
import { removeLeftovers } from "../../testkit/dockerObjects";
import { DeployedStack, deployStack } from "../../testkit/harness/deployStack";
import { docker } from "../../testkit/harness/run";
import { StackUser, clientFor } from "../../testkit/redisClient";
import { suiteImages } from "../../testkit/testBed";
import { REFUSED_TO_APPLICATION, expectApplicationRound } from "../support/applicationCommands";
import { aclPassword, expectNothingLeft, runVerify } from "./support";

// Host ports 48900-48959 belong to this file; ten per image.
const CASES = suiteImages().map(({ label, image, key, portShift }) => ({ label, image, prefix: `e2e-lp-${key}-`, base: 48900 + portShift }));

/** The error text a command ends with, or "OK: <reply>" when it was not refused. */
async function answer(client: Redis, command: readonly string[]): Promise<string> {
    return client.call(command[0], ...command.slice(1)).then(
        (reply) => `OK: ${JSON.stringify(reply)}`,
        (error: Error) => error.message,
    );
}

describe.each(CASES)("least privilege on $label", ({ image, prefix, base }) => {
    let stack: DeployedStack;
    const clients: Redis[] = [];
    const nodes = [
        { name: "redis-a", plain: { hostPort: base + 1 } },
        { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: base + 2 } },
    ];
    /** A connected client of `node`'s plain listener as one of the stack's users. */
    const connect = async (node: string, user: StackUser): Promise<Redis> => {
        const client = clientFor(stack.outputs, node, "plain", "probe", { commandTimeout: 5000 }, user);
        clients.push(client);
        await client.connect();
        return client;
    };

    beforeAll(async () => {
        await removeLeftovers(prefix);
        stack = await deployStack({ nodes, namePrefix: prefix, image }, (line) => console.log(`[deploy ${prefix}] ${line}`));
    }, 120_000);

    afterAll(async () => {
        clients.forEach((c) => c.disconnect());
        try {
            await stack?.destroy();
            await expectNothingLeft(prefix);
        } finally {
            await removeLeftovers(prefix);
        }
    }, 120_000);

    it("exports three distinct secrets: the application's, the admin's and the check's password", () => {
        const { password, adminPassword, checkPassword } = stack.outputs;
        for (const secret of [password, adminPassword, checkPassword]) expect(secret).toMatch(/^[A-Za-z0-9]{32}$/);
        expect(new Set([password, adminPassword, checkPassword]).size).toBe(3);
    });

    it("the post-deploy check and npm run verify pass as the check user", async () => {
        expect(stack.outputs.checkElapsedMs).toBeGreaterThan(0);
        const verified = await runVerify(stack.outputs, 20);
        expect(verified.code, verified.output).toBe(0);
    }, 60_000);

    it("the application credential runs data commands, transactions, blocking reads and pub/sub", async () => {
        const app = await connect("redis-a", "application");
        const subscriber = await connect("redis-a", "application");
        const replica = await connect("redis-b", "application");
        await expectApplicationRound({
            app,
            subscriber,
            keyPrefix: "lp:",
            beforeDelete: async (hashKey) => {
                await expect.poll(() => replica.hget(hashKey, "f"), { timeout: 5000 }).toBe("v");
            },
        });
    });

    it("the application credential is refused every administrative command, on the master and the replica", async () => {
        const admin = await connect("redis-a", "admin");
        for (const node of ["redis-a", "redis-b"]) {
            const app = await connect(node, "application");
            const refusals = await Promise.all(REFUSED_TO_APPLICATION.map(async (command) => `${command.join(" ")} -> ${await answer(app, command)}`));
            for (const refusal of refusals) expect(refusal).toMatch(/ -> NOPERM /);
            // DEBUG and MODULE LOAD meet the server setting first, then the ACL: refused twice over.
            expect(await answer(app, ["DEBUG", "SLEEP", "0"])).toMatch(/^ERR DEBUG command not allowed|^NOPERM /);
            expect(await answer(app, ["MODULE", "LOAD", "/nonexistent.so"])).toMatch(/^ERR MODULE command not allowed|^NOPERM /);
            for (const command of [["DEBUG", "SLEEP", "0"], ["MODULE", "LOAD", "/x.so"]]) {
                expect(await admin.call("ACL", "DRYRUN", "default", ...command)).toMatch(/no permissions/);
            }
        }
        // Nothing was flushed, the user list is unchanged, and B still replicates from A.
        expect(((await admin.call("ACL", "USERS")) as string[]).sort()).toEqual(["admin", "check", "default", "healthcheck", "replicator"]);
        const b = await connect("redis-b", "admin");
        expect(parseInfo(String(await b.call("INFO", "replication")))).toMatchObject({ role: "slave", master_link_status: "up" });
    });

    it("the check credential runs PING, INFO and its own keys only", async () => {
        const check = await connect("redis-a", "check");
        expect(await check.ping()).toBe("PONG");
        expect(String(await check.info("replication"))).toMatch(/^role:master$/m);
        expect(await check.set("redis-chain:check:lp", "1", "PX", 10_000)).toBe("OK");
        expect(await check.del("redis-chain:check:lp")).toBe(1);
        for (const command of [["SET", "lp:other", "1"], ["GET", "lp:other"], ["CONFIG", "GET", "masterauth"], ["FLUSHALL"], ["KEYS", "*"]]) {
            expect(await answer(check, command), command.join(" ")).toMatch(/^NOPERM /);
        }
    });

    it("every node runs maxmemory 256mb noeviction with DEBUG, MODULE and protected configs closed", async () => {
        for (const node of ["redis-a", "redis-b"]) {
            const admin = await connect(node, "admin");
            const config = async (name: string) => ((await admin.call("CONFIG", "GET", name)) as string[])[1];
            expect(await config("maxmemory")).toBe(String(DEFAULT_MEMORY.maxmemoryMb * 1024 * 1024));
            expect(await config("maxmemory-policy")).toBe("noeviction");
            for (const setting of ["enable-debug-command", "enable-module-command", "enable-protected-configs"]) expect(await config(setting)).toBe("no");
        }
    });

    it("each container's memory limit is 2 x maxmemory + backlog + replicas x 256 MB + 64 MB", async () => {
        const limitMb = async (node: string) => Number(await docker(["inspect", "-f", "{{.HostConfig.Memory}}", `${prefix}${node}`])) / 1024 / 1024;
        expect(await limitMb("redis-a")).toBe(2 * 256 + 64 + 256 + 64);
        expect(await limitMb("redis-b")).toBe(2 * 256 + 64 + 64);
    });

    it("the admin credential reads masterauth and runs CONFIG SET and ACL SETUSER; DEBUG and MODULE LOAD stay closed", async () => {
        const admin = await connect("redis-a", "admin");
        const onReplica = await connect("redis-b", "admin");
        expect(await admin.call("ACL", "WHOAMI")).toBe(ADMIN_USER);
        expect(await onReplica.call("CONFIG", "GET", "masterauth")).toEqual(["masterauth", await aclPassword(`${prefix}redis-b`, "replicator")]);
        expect(await admin.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")).toBe("OK");
        expect(await admin.call("CONFIG", "SET", "maxmemory-policy", "noeviction")).toBe("OK");
        expect(await admin.call("ACL", "SETUSER", "lp-temp", "off")).toBe("OK");
        expect(await admin.call("ACL", "DELUSER", "lp-temp")).toBe(1);
        expect(await admin.call("EVAL", "return 1", "0")).toBe(1);
        expect(Array.isArray(await admin.call("MODULE", "LIST"))).toBe(true);
        // The ACL lets the admin run them; the server settings refuse them to every connection.
        for (const command of [["DEBUG", "SLEEP", "0"], ["MODULE", "LOAD", "/x.so"], ["CONFIG", "SET", "dir", "/tmp"]]) {
            expect(await admin.call("ACL", "DRYRUN", ADMIN_USER, ...command)).toBe("OK");
        }
        expect(await answer(admin, ["DEBUG", "SLEEP", "0"])).toMatch(/^ERR DEBUG command not allowed/);
        expect(await answer(admin, ["MODULE", "LOAD", "/nonexistent.so"])).toMatch(/^ERR MODULE command not allowed/);
        expect(await answer(admin, ["CONFIG", "SET", "dir", "/tmp"])).toMatch(/protected config/);
    });

    it("the admin credential runs REPLICAOF (and puts the link back) and FLUSHALL", async () => {
        const admin = await connect("redis-a", "admin");
        const onReplica = await connect("redis-b", "admin");
        expect(await onReplica.call("REPLICAOF", "NO", "ONE")).toBe("OK");
        expect(parseInfo(String(await onReplica.call("INFO", "replication"))).role).toBe("master");
        expect(await onReplica.call("REPLICAOF", "redis-a", "6379")).toBe("OK");
        const link = async () => parseInfo(String(await onReplica.call("INFO", "replication"))).master_link_status;
        await expect.poll(link, { timeout: 15_000, interval: 200 }).toBe("up");
        await admin.set("lp:flushed", "1");
        expect(await admin.call("FLUSHALL")).toBe("OK");
        expect(await admin.dbsize()).toBe(0);
        await expect.poll(() => onReplica.dbsize(), { timeout: 5000 }).toBe(0);
    }, 30_000);

    it("the admin credential runs SHUTDOWN (last: the replica goes down and Docker starts it again)", async () => {
        const onReplica = await connect("redis-b", "admin");
        const runId = parseInfo(String(await onReplica.call("INFO", "server"))).run_id;
        // The server closes the connection instead of replying.
        await expect(onReplica.call("SHUTDOWN", "NOSAVE")).rejects.toThrow(/Connection is closed|ECONNRESET/);
        const restarted = async () => {
            const again = clientFor(stack.outputs, "redis-b", "plain", "probe", { commandTimeout: 2000 }, "admin");
            try {
                return parseInfo(String(await again.call("INFO", "server"))).run_id;
            } catch {
                return runId;
            } finally {
                again.disconnect();
            }
        };
        await expect.poll(restarted, { timeout: 20_000, interval: 500 }).not.toBe(runId);
    }, 30_000);
});
