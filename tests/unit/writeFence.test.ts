// Runs the rendered write fence with /bin/sh against a fake cli on PATH: no server, no Docker. The
// fake serves the node's INFO replication from a file the test rewrites, records every CONFIG SET,
// and answers each sentinel from a file of its own.
import { ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { FENCED_MIN_REPLICAS, WriteFenceArgs, renderWriteFence } from "../../lib/writeFence";
import { sleep } from "../../testkit/sleep";

const dir = mkdtempSync(join(tmpdir(), "write-fence-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
    join(dir, "redis-cli"),
    `#!/bin/sh
host="" repeat=no
for a in "$@"; do [ "$a" = -r ] && repeat=yes; done
while [ $# -gt 0 ]; do
    case "$1" in
        -h) host="$2"; shift ;;
        config) echo "$4" >> "$FAKE/config.log"; echo OK; exit 0 ;;
    esac
    shift
done
if [ -n "$host" ]; then
    [ -f "$FAKE/$host" ] || { echo "Could not connect to Redis at $host:26379: Connection refused" >&2; exit 1; }
    cat "$FAKE/$host"
    exit 0
fi
echo "$REDISCLI_AUTH" > "$FAKE/own.auth"
[ "$repeat" = yes ] || exit 1
while [ -f "$FAKE/info" ]; do cat "$FAKE/info"; sleep 0.05; done
exit 1
`,
);
chmodSync(join(dir, "redis-cli"), 0o755);
writeFileSync(join(dir, "sentinel.pass"), "sentinelpw\n");
writeFileSync(join(dir, "fence.pass"), "fencepw\n");

const sentinel = (n: number) => `redis-b-sentinel-${n}`;

/** Replaces a file at once: the fake cli never reads one half written. */
function replaceFile(path: string, content: string): void {
    writeFileSync(`${path}.new`, content);
    renameSync(`${path}.new`, path);
}

const ARGS: WriteFenceArgs = {
    sentinel: {
        group: "redis-a",
        sentinels: [1, 2, 3].map((n) => ({ host: sentinel(n), port: 26379 })),
        transport: "plain",
        self: { host: "redis-b", port: 6379 },
        cli: "redis-cli",
        passwordFile: join(dir, "sentinel.pass"),
        askTimeoutSeconds: 0.3,
    },
    ownCli: "redis-cli -p 6379",
    login: { user: "fence", passwordFile: join(dir, "fence.pass") },
    minReplicasToWrite: 1,
    timing: { lookIntervalSeconds: 0.05, shortfallSeconds: 0.2, settleSeconds: 0.5, askIntervalSeconds: 0.1, fencedAskIntervalSeconds: 0.1 },
};

/** INFO replication as the server prints it (CRLF), ending with the field the fence decides at. */
function info(role: "master" | "slave", good?: number): string {
    const fields = [
        "# Replication",
        `role:${role}`,
        ...(role === "slave" ? ["master_host:redis-a", "master_port:6379", "master_link_status:up"] : ["connected_slaves:1"]),
        ...(good === undefined ? [] : [`min_slaves_good_slaves:${good}`]),
        "master_failover_state:no-failover",
        "repl_backlog_histlen:0",
    ];
    return fields.map((f) => `${f}\r\n`).join("");
}

let running: ChildProcess | undefined;
let caseNo = 0;

afterEach(() => {
    if (running?.pid) process.kill(-running.pid, "SIGKILL");
    running = undefined;
});

/** Starts the fence in a folder of its own; returns how to steer it and read what it did. */
function start(args: WriteFenceArgs = ARGS) {
    const fake = join(dir, `case-${caseNo++}`);
    mkdirSync(fake);
    let log = "";
    running = spawn("/bin/sh", ["-c", renderWriteFence(args), "redis-chain-fence"], {
        env: { PATH: `${dir}:${process.env.PATH}`, FAKE: fake },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    running.stdout!.on("data", (d) => (log += String(d)));
    running.stderr!.on("data", (d) => (log += String(d)));
    const configSets = () => (existsSync(join(fake, "config.log")) ? readFileSync(join(fake, "config.log"), "utf8").trim().split("\n") : []);
    return {
        fake,
        node: (role: "master" | "slave", good?: number) => replaceFile(join(fake, "info"), info(role, good)),
        /** Each sentinel's answer: `host port`, or undefined for one that does not answer. */
        sentinels: (...answers: (string | undefined)[]) =>
            answers.forEach((a, i) => (a === undefined ? rmSync(join(fake, sentinel(i + 1)), { force: true }) : replaceFile(join(fake, sentinel(i + 1)), a.replace(" ", "\n") + "\n"))),
        configSets,
        log: () => log,
        /** Waits until the CONFIG SET values are `expected` (fails the test after 10 s). */
        async until(expected: string[]) {
            const deadline = Date.now() + 10_000;
            while (JSON.stringify(configSets()) !== JSON.stringify(expected) && Date.now() < deadline) await sleep(20);
            expect(configSets(), log).toEqual(expected);
        },
        /** Waits until the log holds `text` (fails the test after 10 s). */
        async logged(text: string) {
            const deadline = Date.now() + 10_000;
            while (!log.includes(text) && Date.now() < deadline) await sleep(20);
            expect(log).toContain(text);
        },
    };
}

const FENCED = String(FENCED_MIN_REPLICAS);

describe("write fence", () => {
    it("fences a master short of good replicas, and lifts the fence once a majority of the sentinels name it master", async () => {
        const fence = start();
        fence.node("master", 0);
        await fence.until([FENCED]);
        await fence.logged("a master with 0 of 1 good replicas for 0.2 s; refusing every write");
        // One sentinel naming it is not enough.
        fence.sentinels("redis-b 6379", undefined, "redis-a 6379");
        await sleep(500);
        expect(fence.configSets()).toEqual([FENCED]);
        fence.sentinels("redis-b 6379", "redis-b 6379", "redis-a 6379");
        await fence.until([FENCED, "1"]);
        await fence.logged("a majority of the sentinels name this node master; writes need 1 good replicas again");
    });

    it("leaves a master short of good replicas alone while a majority of the sentinels name it master", async () => {
        const fence = start();
        fence.sentinels("redis-b 6379", "redis-b 6379", undefined);
        fence.node("master", 0);
        await fence.until(["1"]);
        // Several shortfall periods: each asks the sentinels, none fences.
        await sleep(1000);
        expect(fence.configSets()).toEqual(["1"]);
        // The sentinels gone (the node cut off): fenced at the next shortfall.
        fence.sentinels(undefined, undefined, undefined);
        await fence.until(["1", FENCED]);
    });

    it("keeps a cut-off master fenced when a replica comes back, until Sentinel makes it a replica", async () => {
        const fence = start();
        fence.node("master", 0);
        await fence.until([FENCED]);
        // The heal: the replica Sentinel cannot reach is back; the sentinels name the new master.
        fence.node("master", 1);
        fence.sentinels("redis-a 6379", "redis-a 6379", "redis-a 6379");
        await sleep(500);
        expect(fence.configSets()).toEqual([FENCED]);
        fence.node("slave");
        await fence.until([FENCED, "1"]);
        await fence.logged("a replica now");
    });

    it("fences a settled master that a majority of the sentinels no longer name master", async () => {
        const fence = start();
        fence.node("master", 1);
        fence.sentinels("redis-b 6379", "redis-b 6379", "redis-b 6379");
        await fence.until(["1"]);
        fence.sentinels("redis-a 6379", "redis-a 6379", undefined);
        await fence.until(["1", FENCED]);
        await fence.logged("a majority of the sentinels name redis-a 6379 master; refusing every write");
    });

    it("leaves a master with its replicas alone when no sentinel answers (first deploy, sentinels down)", async () => {
        const fence = start();
        fence.node("master", 1);
        await sleep(1500);
        expect(fence.configSets()).toEqual([]);
        await fence.logged("watching this master's replicas and its sentinels");
    });

    it("does not fence a master younger than the settle time by the sentinels' view (a promotion not yet published)", async () => {
        const fence = start({ ...ARGS, timing: { ...ARGS.timing, settleSeconds: 60 } });
        fence.node("slave");
        await fence.until(["1"]);
        fence.node("master", 1);
        fence.sentinels("redis-a 6379", "redis-a 6379", "redis-a 6379");
        await sleep(1000);
        expect(fence.configSets()).toEqual(["1"]);
    });

    it("logs in to its own server as the fence user with the password from its file, never on a command line", async () => {
        const fence = start();
        fence.node("slave");
        await fence.until(["1"]);
        expect(readFileSync(join(fence.fake, "own.auth"), "utf8").trim()).toBe("fencepw");
        expect(renderWriteFence(ARGS)).not.toContain("fencepw");
        expect(renderWriteFence(ARGS)).toContain("--user fence");
    });

    it("refuses a minReplicasToWrite it could not lift to", () => {
        expect(() => renderWriteFence({ ...ARGS, minReplicasToWrite: 0 })).toThrow(/minReplicasToWrite must be at least 1/);
    });
});
