// The rendered ACL users on real servers: for every user and every command category, which share
// of the category the server lets the user run (ACL DRYRUN over every command), compared with the
// table below; then the commands that matter are really run as the application, admin, check,
// replication and healthcheck users. One master and one replica per engine, sharing one network
// namespace so the replica reaches its master over loopback.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    ADMIN_USER,
    APPLICATION_USER,
    CHECK_KEY_PREFIX,
    CHECK_USER,
    HEALTHCHECK_USER,
    REPLICATION_USER,
    UserPasswords,
    applicationRules,
    renderNodeUsersFile,
} from "../../lib/aclUsers";
import { parseTopology } from "../../lib/parseTopology";
import { nodeByName } from "../../lib/topology";
import { HARDENING_SETTINGS } from "../../lib/serverHardening";
import { LOCAL_IMAGES } from "../../testkit/testBed";
import { REFUSED_TO_APPLICATION, expectApplicationRound } from "../support/applicationCommands";

/** Every engine the program supports; a missing image fails the run. */
const ENGINES = [
    { label: "redis-7.0", image: LOCAL_IMAGES.redis7, server: "redis-server", cli: "redis-cli" },
    { label: "redis-8.0", image: LOCAL_IMAGES.redis8, server: "redis-server", cli: "redis-cli" },
    { label: "redis-8.6", image: LOCAL_IMAGES.redis86, server: "redis-server", cli: "redis-cli" },
    { label: "valkey-8.1", image: LOCAL_IMAGES.valkey8, server: "valkey-server", cli: "valkey-cli" },
    { label: "valkey-9.1", image: LOCAL_IMAGES.valkey91, server: "valkey-server", cli: "valkey-cli" },
] as const;
type Engine = (typeof ENGINES)[number];

const PASSWORDS: UserPasswords = {
    application: "appPassword0123456789",
    admin: "adminPassword0123456789",
    check: "checkPassword0123456789",
    replication: "replPassword0123456789",
    healthcheck: "hcPassword0123456789",
};
const USER_PASSWORDS: Record<string, string> = {
    [APPLICATION_USER]: PASSWORDS.application,
    [ADMIN_USER]: PASSWORDS.admin,
    [CHECK_USER]: PASSWORDS.check,
    [REPLICATION_USER]: PASSWORDS.replication,
    [HEALTHCHECK_USER]: PASSWORDS.healthcheck,
};

type Share = "all" | "none" | "some";

// What each user may run of each category; a category not listed is "none". Checked on every engine.
const EXPECTED: Record<string, Record<string, Share>> = {
    [ADMIN_USER]: {}, // every category "all", filled in below
    [APPLICATION_USER]: {
        keyspace: "some", // minus KEYS, FLUSHALL/FLUSHDB, SWAPDB, MIGRATE, RESTORE...
        read: "some", // minus KEYS, SORT_RO
        write: "some", // minus FLUSHALL, SORT, RESTORE, FUNCTION LOAD...
        set: "some", // minus SORT, SORT_RO
        sortedset: "some", // minus SORT, SORT_RO
        list: "some", // minus SORT, SORT_RO
        hash: "all",
        string: "all",
        bitmap: "all",
        hyperloglog: "some", // minus PFDEBUG, PFSELFTEST
        geo: "all",
        stream: "all",
        pubsub: "all",
        fast: "some",
        slow: "some",
        blocking: "all",
        connection: "some", // minus CLIENT KILL/LIST/PAUSE...
        transaction: "all",
    },
    [CHECK_USER]: { keyspace: "some", read: "some", write: "some", string: "some", fast: "some", slow: "some", dangerous: "some", connection: "some" },
    [REPLICATION_USER]: { admin: "some", fast: "some", slow: "some", dangerous: "some", connection: "some" },
    [HEALTHCHECK_USER]: { fast: "some", slow: "some", dangerous: "some", connection: "some" },
};

/** Commands every user may run (flagged no-auth, or connection housekeeping). */
const ALWAYS_ALLOWED = ["auth", "hello", "quit", "reset"];

function docker(...args: string[]): string {
    return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs the engine's CLI inside the master's namespace; returns what it printed (stdout and stderr). */
function cli(engine: Engine, container: string, port: number, auth: string[], command: readonly string[]): string {
    try {
        return execFileSync("docker", ["exec", container, engine.cli, "--no-auth-warning", "-p", String(port), ...auth, ...command], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            timeout: 10_000,
        }).trim();
    } catch (error) {
        const e = error as { stdout?: string; stderr?: string };
        return `${e.stdout ?? ""}${e.stderr ?? ""}`.trim();
    }
}

interface CommandEntry {
    readonly name: string;
    readonly arity: number;
    readonly container: boolean;
}

function flattenCommands(entries: unknown[]): CommandEntry[] {
    return entries.flatMap((raw) => {
        const entry = raw as unknown[];
        const subcommands = (entry[9] as unknown[] | undefined) ?? [];
        const self = { name: String(entry[0]).toLowerCase(), arity: Number(entry[1]), container: subcommands.length > 0 };
        return [self, ...flattenCommands(subcommands)];
    });
}

/** Arguments that satisfy the arity, each one a key the check user may touch. */
function dryrunArgs(command: CommandEntry): string[] {
    const parts = command.name.split("|");
    const extra = command.arity > 0 ? command.arity - parts.length : Math.max(0, -command.arity - parts.length);
    return [...parts, ...Array.from({ length: extra }, () => `${CHECK_KEY_PREFIX}k`)];
}

/** Per category: the commands the user may run and those it may not. */
interface CategoryVerdict {
    readonly allowed: string[];
    readonly denied: string[];
}

async function categoryMatrix(admin: Redis, users: readonly string[]) {
    const categories = ((await admin.call("ACL", "CAT")) as string[]).map((c) => c.toLowerCase());
    const commands = new Map(flattenCommands((await admin.call("COMMAND")) as unknown[]).map((c) => [c.name, c]));
    const matrix: Record<string, Record<string, CategoryVerdict>> = {};
    const errors: string[] = [];
    for (const user of users) matrix[user] = {};
    for (const category of categories) {
        const members = ((await admin.call("ACL", "CAT", category)) as string[])
            .map((name) => name.toLowerCase())
            .filter((name) => !commands.get(name)?.container)
            .sort();
        for (const user of users) {
            const pipeline = admin.pipeline();
            for (const name of members) {
                const command = commands.get(name) ?? { name, arity: -1, container: false };
                pipeline.call("ACL", "DRYRUN", user, ...dryrunArgs(command));
            }
            const results = (await pipeline.exec()) ?? [];
            const verdict: CategoryVerdict = { allowed: [], denied: [] };
            results.forEach(([error, reply], i) => {
                // A refusal is a plain reply naming the command or key, not an error.
                if (!error && reply === "OK") verdict.allowed.push(members[i]);
                else if (!error && /no permissions/i.test(String(reply))) verdict.denied.push(members[i]);
                else errors.push(`${user} ${members[i]}: ${error?.message ?? String(reply)}`);
            });
            matrix[user][category] = verdict;
        }
    }
    const categorized = new Set(Object.values(matrix[users[0]]).flatMap((v) => [...v.allowed, ...v.denied]));
    const uncategorized = [...commands.values()].filter((c) => !c.container && !categorized.has(c.name)).map((c) => c.name).sort();
    return { categories, matrix, errors, uncategorized, commands };
}

/** ACL LOG entries (RESP2 flat key/value arrays) as objects. */
function aclLog(reply: unknown): Record<string, string>[] {
    return (reply as unknown[][]).map((flat) => {
        const entry: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) entry[String(flat[i])] = String(flat[i + 1]);
        return entry;
    });
}

/** Keeps what a server answered, for the record, when ACL_MATRIX_OUT names a folder. */
function record(engine: Engine, what: string, value: unknown): void {
    if (process.env.ACL_MATRIX_OUT) writeFileSync(join(process.env.ACL_MATRIX_OUT, `${engine.label}-${what}.json`), JSON.stringify(value, null, 1));
}

function share(verdict: CategoryVerdict): Share {
    if (verdict.denied.length === 0) return "all";
    return verdict.allowed.length === 0 ? "none" : "some";
}

async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await Promise.resolve(probe()).catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

const MASTER_PORT = 6379;
const REPLICA_PORT = 6380;

describe.each(ENGINES)("ACL users on $label", (engine) => {
    const master = `redis-chain-acl-${engine.label}-master`;
    const replica = `redis-chain-acl-${engine.label}-replica`;
    const clients: Redis[] = [];
    let folder = "";
    let hostPorts: Record<number, number> = {};
    let admin: Redis;

    function connect(port: number, options: { username?: string; password: string; protocol?: 2 | 3; disableClientInfo?: boolean }): Redis {
        const client = new Redis({ host: "127.0.0.1", port: hostPorts[port], lazyConnect: true, maxRetriesPerRequest: 0, ...options });
        client.on("error", () => undefined);
        clients.push(client);
        return client;
    }

    beforeAll(async () => {
        // Fails (not skips) every test of this engine when its image is missing.
        docker("image", "inspect", "--format", "{{.Id}}", engine.image);
        for (const name of [replica, master]) execFileSync("docker", ["rm", "-f", "-v", name], { stdio: "ignore" });
        folder = mkdtempSync(join(tmpdir(), "acl-matrix-"));
        // The users files exactly as the program renders them for a master and its replica on this image.
        const topology = parseTopology(
            [
                { name: "master", plain: { hostPort: 1 } },
                { name: "replica", replicaOf: "master", link: "plain", plain: { hostPort: 2 } },
            ],
            { image: engine.image },
        );
        const conf = (port: number, upstream: boolean) =>
            [
                `port ${port}`,
                "bind 0.0.0.0",
                'save ""',
                "appendonly no",
                ...HARDENING_SETTINGS,
                ...(upstream ? [`replicaof 127.0.0.1 ${MASTER_PORT}`, `masteruser ${REPLICATION_USER}`] : []),
                "include /data/users.conf",
                "",
            ].join("\n");
        const files = {
            master: { "redis.conf": conf(MASTER_PORT, false), "users.conf": renderNodeUsersFile(nodeByName(topology, "master"), PASSWORDS) },
            replica: { "redis.conf": conf(REPLICA_PORT, true), "users.conf": renderNodeUsersFile(nodeByName(topology, "replica"), PASSWORDS) },
        };
        // Both listeners are published on loopback only, on ports Docker picks.
        docker("create", "--name", master, "-p", `127.0.0.1::${MASTER_PORT}`, "-p", `127.0.0.1::${REPLICA_PORT}`, engine.image, engine.server, "/data/redis.conf");
        docker("create", "--name", replica, "--network", `container:${master}`, engine.image, engine.server, "/data/redis.conf");
        for (const [container, contents] of [[master, files.master], [replica, files.replica]] as const) {
            for (const [file, text] of Object.entries(contents)) {
                const path = join(folder, `${container}-${file}`);
                writeFileSync(path, text, { mode: 0o600 });
                docker("cp", path, `${container}:/data/${file}`);
            }
        }
        docker("start", master);
        docker("start", replica);
        hostPorts = Object.fromEntries(
            [MASTER_PORT, REPLICA_PORT].map((port) => [port, Number(docker("port", master, `${port}/tcp`).trim().split(":").at(-1))]),
        );
        admin = connect(MASTER_PORT, { username: ADMIN_USER, password: PASSWORDS.admin, protocol: 2 });
        await waitFor("the master", async () => (await admin.ping()) === "PONG");
        await waitFor("the replication link", () =>
            cli(engine, master, REPLICA_PORT, ["--user", HEALTHCHECK_USER, "--pass", PASSWORDS.healthcheck], ["INFO", "replication"]).includes(
                "master_link_status:up",
            ),
        );
    });

    afterAll(async () => {
        for (const client of clients) client.disconnect();
        for (const name of [replica, master]) execFileSync("docker", ["rm", "-f", "-v", name], { stdio: "ignore" });
        if (folder) rmSync(folder, { recursive: true, force: true });
    });

    it("loads every user from the rendered file", async () => {
        const users = ((await admin.call("ACL", "USERS")) as string[]).sort();
        expect(users).toEqual([ADMIN_USER, CHECK_USER, APPLICATION_USER, HEALTHCHECK_USER, REPLICATION_USER].sort());
    });

    it("matches the expected category table for every user", async () => {
        const users = Object.keys(USER_PASSWORDS);
        const { categories, matrix, errors, uncategorized, commands } = await categoryMatrix(admin, users);
        expect(errors).toEqual([]);
        // Commands in no category (Redis 8.0's built-in vector sets) reach only +@all users.
        record(engine, "uncategorized", uncategorized);
        for (const name of uncategorized) {
            // Its own arity: Redis 8.6 checks it before the ACL (VADD with no arguments is an error).
            const command = commands.get(name) ?? { name, arity: -1, container: false };
            expect(await admin.call("ACL", "DRYRUN", APPLICATION_USER, ...dryrunArgs(command)), name).toMatch(/no permissions/);
            expect(await admin.call("ACL", "DRYRUN", ADMIN_USER, ...dryrunArgs(command)), name).toBe("OK");
        }
        const found: Record<string, Record<string, Share>> = {};
        const expected: Record<string, Record<string, Share>> = {};
        for (const user of users) {
            found[user] = Object.fromEntries(categories.map((c) => [c, share(matrix[user][c])]));
            expected[user] = Object.fromEntries(
                categories.map((c) => [c, user === ADMIN_USER ? "all" : (EXPECTED[user][c] ?? "none")]),
            );
        }
        record(engine, "matrix", { categories, matrix });
        expect(found).toEqual(expected);
        // The exact grants of the narrow users, whatever category they sit in.
        // AUTH, HELLO, QUIT and RESET are open to every user, whatever its rules.
        const granted = (user: string) =>
            [...new Set(categories.flatMap((c) => matrix[user][c].allowed))].filter((c) => !ALWAYS_ALLOWED.includes(c)).sort();
        expect(ALWAYS_ALLOWED.filter((c) => matrix[HEALTHCHECK_USER].connection.allowed.includes(c))).toEqual(ALWAYS_ALLOWED);
        expect(granted(CHECK_USER)).toEqual(["del", "get", "info", "ping", "set"]);
        expect(granted(REPLICATION_USER)).toEqual(["ping", "psync", "replconf"]);
        expect(granted(HEALTHCHECK_USER)).toEqual(["info", "ping"]);
    }, 120_000);

    it("allowScripting adds @scripting to the application user and changes nothing else", async () => {
        // The rules as the program renders them with allowScripting: true, on a user of their own.
        const user = "app-scripting";
        expect(await admin.call("ACL", "SETUSER", user, "reset", "on", ">scriptingPassword0123", ...applicationRules({ allowScripting: true }))).toBe("OK");
        try {
            const { categories, matrix, errors } = await categoryMatrix(admin, [APPLICATION_USER, user]);
            expect(errors).toEqual([]);
            const closed = new Set([
                ...((await admin.call("ACL", "CAT", "admin")) as string[]),
                ...((await admin.call("ACL", "CAT", "dangerous")) as string[]),
            ].map((c) => c.toLowerCase()));
            // Every scripting command that is neither @admin nor @dangerous, and no other.
            expect(matrix[user].scripting.allowed).toEqual(matrix[user].scripting.allowed.filter((c) => !closed.has(c)));
            expect(matrix[user].scripting.denied.every((c) => closed.has(c))).toBe(true);
            expect(matrix[user].scripting.allowed).toEqual(expect.arrayContaining(["eval", "evalsha", "fcall", "function|load", "script|load"]));
            expect(matrix[APPLICATION_USER].scripting.allowed).toEqual([]);
            // Outside @scripting, only commands that are also @scripting differ.
            const scripting = new Set([...matrix[user].scripting.allowed, ...matrix[user].scripting.denied]);
            for (const category of categories) {
                const gained = matrix[user][category].allowed.filter((c) => !matrix[APPLICATION_USER][category].allowed.includes(c));
                expect(gained.filter((c) => !scripting.has(c)), category).toEqual([]);
                expect(matrix[APPLICATION_USER][category].allowed.filter((c) => !matrix[user][category].allowed.includes(c)), category).toEqual([]);
            }
        } finally {
            await admin.call("ACL", "DELUSER", user);
        }
    }, 120_000);

    it("the application user (password only) is refused every administrative command", () => {
        const refusals = REFUSED_TO_APPLICATION.map((command) => [
            command.join(" "),
            cli(engine, master, MASTER_PORT, ["-a", PASSWORDS.application], command).split("\n")[0],
        ]);
        record(engine, "application-refusals", refusals);
        for (const [command, answer] of refusals) expect(`${command} -> ${answer}`).toMatch(/ -> NOPERM/);
        // enable-debug-command is checked before the ACL: a different refusal, for admin alike.
        expect(cli(engine, master, MASTER_PORT, ["-a", PASSWORDS.application], ["DEBUG", "SLEEP", "0"])).toMatch(
            /^ERR DEBUG command not allowed/,
        );
        // The server is still up and nothing was flushed.
        expect(cli(engine, master, MASTER_PORT, ["-a", PASSWORDS.application], ["PING"])).toBe("PONG");
    });

    it("the application user runs data commands, pub/sub and transactions (ioredis with password only)", async () => {
        const app = connect(MASTER_PORT, { password: PASSWORDS.application });
        const subscriber = connect(MASTER_PORT, { password: PASSWORDS.application });
        await app.connect();
        await subscriber.connect();
        await expectApplicationRound({ app, subscriber, keyPrefix: "app:" });
        // redis-cli -a logs in as the same user.
        expect(cli(engine, master, MASTER_PORT, ["-a", PASSWORDS.application], ["SET", "app:cli", "1"])).toBe("OK");
        expect(cli(engine, master, MASTER_PORT, ["-a", PASSWORDS.application], ["DEL", "app:cli"])).toBe("1");
    });

    it("the administrator runs administrative commands; DEBUG, MODULE and protected configs stay closed", async () => {
        expect(await admin.call("CONFIG", "SET", "maxmemory-policy", "noeviction")).toBe("OK");
        expect(await admin.call("ACL", "SETUSER", "tmp", "off")).toBe("OK");
        expect(await admin.call("ACL", "DELUSER", "tmp")).toBe(1);
        expect(await admin.call("EVAL", "return 1", "0")).toBe(1);
        expect(String(await admin.call("INFO", "server"))).toContain("_version:");
        const onReplica = connect(REPLICA_PORT, { username: ADMIN_USER, password: PASSWORDS.admin, protocol: 2 });
        expect(await onReplica.call("CONFIG", "GET", "masterauth")).toEqual(["masterauth", PASSWORDS.replication]);
        for (const command of [["SHUTDOWN", "NOSAVE"], ["REPLICAOF", "NO", "ONE"], ["FLUSHALL"]]) {
            expect(await admin.call("ACL", "DRYRUN", ADMIN_USER, ...command)).toBe("OK");
        }
        const refused = async (...command: string[]) => {
            const error = await admin.call(command[0], ...command.slice(1)).then(() => undefined, (e: Error) => e.message);
            expect(error, command.join(" ")).toBeDefined();
            expect(error).not.toMatch(/NOPERM/);
            return error!;
        };
        expect(await refused("DEBUG", "SLEEP", "0")).toMatch(/DEBUG command not allowed/);
        // enable-module-command closes MODULE LOAD/LOADEX/UNLOAD; MODULE LIST stays open.
        expect(await refused("MODULE", "LOAD", "/nonexistent.so")).toMatch(/MODULE command not allowed/);
        // (Redis 8.0 lists its built-in vectorset module.)
        expect(Array.isArray(await admin.call("MODULE", "LIST"))).toBe(true);
        const answers = {
            debug: await refused("DEBUG", "SLEEP", "0"),
            moduleLoad: await refused("MODULE", "LOAD", "/nonexistent.so"),
            protectedConfig: await refused("CONFIG", "SET", "dir", "/tmp"),
        };
        record(engine, "admin-refusals", answers);
        expect(answers.protectedConfig).toMatch(/protected config/);
    });

    it("the check user runs the post-deploy check's commands on its own keys only", async () => {
        const key = `${CHECK_KEY_PREFIX}matrix`;
        await admin.call("ACL", "LOG", "RESET");
        // As the check connects today (ioredis defaults: HELLO 3 AUTH, CLIENT SETINFO, INFO ready check).
        const writer = connect(MASTER_PORT, { username: CHECK_USER, password: PASSWORDS.check });
        const reader = connect(REPLICA_PORT, { username: CHECK_USER, password: PASSWORDS.check, disableClientInfo: true });
        await writer.connect();
        await reader.connect();
        expect(await writer.info("replication")).toContain("role:master");
        expect(await reader.info("replication")).toContain("master_link_status:up");
        expect(await writer.set(key, "v", "PX", 120_000)).toBe("OK");
        await waitFor("the check key on the replica", async () => (await reader.get(key)) === "v", 5_000);
        expect(await writer.del(key)).toBe(1);
        await expect(writer.set("other", "v")).rejects.toThrow(/NOPERM/);
        await expect(writer.call("FLUSHALL")).rejects.toThrow(/NOPERM/);
        await expect(writer.call("KEYS", "*")).rejects.toThrow(/NOPERM/);
        await expect(writer.call("CONFIG", "GET", "masterauth")).rejects.toThrow(/NOPERM/);
        // The only refusals the check's connections cause: ioredis' CLIENT SETINFO (the writer's).
        const refusedObjects = aclLog(await admin.call("ACL", "LOG"))
            .filter((entry) => entry.username === CHECK_USER && entry.reason === "command")
            .map((entry) => entry.object);
        record(engine, "check-user-acl-log", refusedObjects);
        expect(refusedObjects.filter((o) => !["client|setinfo", "set", "flushall", "keys", "config|get"].includes(o))).toEqual([]);
    });

    it("the replication user is all a replica needs, and the replica needs nothing more", async () => {
        // The link came up in beforeAll; a write reaches the replica, and the master logged no refusal.
        expect(await admin.set("repl:probe", "1")).toBe("OK");
        const onReplica = connect(REPLICA_PORT, { username: ADMIN_USER, password: PASSWORDS.admin, protocol: 2 });
        await waitFor("the write on the replica", async () => (await onReplica.get("repl:probe")) === "1", 5_000);
        const log = (await admin.call("ACL", "LOG")) as unknown[][];
        const byReplicator = log.filter((entry) => entry.includes(REPLICATION_USER));
        expect(byReplicator).toEqual([]);
        await admin.del("repl:probe");
        const replicator = connect(MASTER_PORT, { username: REPLICATION_USER, password: PASSWORDS.replication, protocol: 2 });
        await replicator.connect();
        await expect(replicator.get("repl:probe")).rejects.toThrow(/NOPERM/);
        await expect(replicator.call("INFO")).rejects.toThrow(/NOPERM/);
    });

    it("the healthcheck user runs PING and INFO, nothing else", () => {
        const auth = ["--user", HEALTHCHECK_USER, "--pass", PASSWORDS.healthcheck];
        expect(cli(engine, master, MASTER_PORT, auth, ["PING"])).toBe("PONG");
        expect(cli(engine, master, REPLICA_PORT, auth, ["INFO", "replication"])).toContain("master_link_status:up");
        expect(cli(engine, master, MASTER_PORT, auth, ["GET", "x"])).toMatch(/^NOPERM/);
        expect(cli(engine, master, MASTER_PORT, auth, ["CONFIG", "GET", "masterauth"])).toMatch(/^NOPERM/);
    });
});
