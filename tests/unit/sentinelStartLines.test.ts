// Runs the rendered start lines with /bin/sh against a fake cli on PATH: no server, no Docker.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SentinelStartArgs, renderSentinelStartLines } from "../../lib/sentinelStartLines";

const dir = mkdtempSync(join(tmpdir(), "sentinel-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The fake cli answers per sentinel host from $FAKE_ANSWERS/<host> (two lines, or an error text),
// sleeps where $FAKE_ANSWERS/<host>.sleep exists, and records its arguments and REDISCLI_AUTH.
writeFileSync(
    join(dir, "redis-cli"),
    `#!/bin/sh
host=""
while [ $# -gt 0 ]; do
    case "$1" in -h) host="$2"; shift ;; esac
    shift
done
echo "$REDISCLI_AUTH" > "$FAKE_ANSWERS/$host.auth"
[ -f "$FAKE_ANSWERS/$host.sleep" ] && sleep 3
[ -f "$FAKE_ANSWERS/$host" ] || { echo "Could not connect to Redis at $host:26379: Connection refused" >&2; exit 1; }
cat "$FAKE_ANSWERS/$host"
`,
);
chmodSync(join(dir, "redis-cli"), 0o755);
writeFileSync(join(dir, "sentinel.pass"), "sentinelpw\n");
// The uploaded config of a declared replica, and where the node writes it without replicaof.
const CONF = join(dir, "redis.conf");
writeFileSync(CONF, "port 6379\nreplicaof redis-a 6379\nmasterauth x\n");
const MASTER_CONF = join(dir, "master.conf");

const ARGS: SentinelStartArgs = {
    group: "redis-a",
    sentinels: [1, 2, 3].map((n) => ({ host: `redis-a-sentinel-${n}`, port: 26379 })),
    transport: "plain",
    self: { host: "redis-a", port: 6379 },
    cli: "redis-cli",
    passwordFile: join(dir, "sentinel.pass"),
    masterConfPath: MASTER_CONF,
};

let caseNo = 0;
/** Runs the lines with "$@" = the server command; returns the final arguments and the log. */
function run(answers: Record<string, string | "sleep">, args: SentinelStartArgs = ARGS) {
    const answersDir = join(dir, `case-${caseNo++}`);
    execFileSync("mkdir", ["-p", answersDir]);
    for (const [host, answer] of Object.entries(answers)) {
        writeFileSync(join(answersDir, answer === "sleep" ? `${host}.sleep` : host), answer === "sleep" ? "" : answer);
    }
    const script = ["set -eu", ...renderSentinelStartLines(args), 'printf "%s\\n" "$@"'].join("\n");
    const started = Date.now();
    const out = execFileSync("/bin/sh", ["-c", `${script}\n`, "start", "redis-server", CONF], {
        env: { PATH: `${dir}:${process.env.PATH}`, FAKE_ANSWERS: answersDir },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
    return { argv: out.trim().split("\n"), elapsedMs: Date.now() - started, answersDir };
}

function runWithLog(answers: Record<string, string | "sleep">, args: SentinelStartArgs = ARGS) {
    const answersDir = join(dir, `case-${caseNo++}`);
    execFileSync("mkdir", ["-p", answersDir]);
    for (const [host, answer] of Object.entries(answers)) {
        writeFileSync(join(answersDir, answer === "sleep" ? `${host}.sleep` : host), answer === "sleep" ? "" : answer);
    }
    const script = ["set -eu", ...renderSentinelStartLines(args), 'printf "%s\\n" "$@"'].join("\n");
    return execFileSync("/bin/sh", ["-c", `{\n${script}\n} 2>&1\n`, "start", "redis-server", "conf"], {
        env: { PATH: `${dir}:${process.env.PATH}`, FAKE_ANSWERS: answersDir },
        encoding: "utf8",
    });
}

const SERVER = ["redis-server", CONF];
const s = (n: number) => `redis-a-sentinel-${n}`;

describe("sentinel start lines", () => {
    it.each<[string, Record<string, string | "sleep">, string[]]>([
        ["no sentinel answers (first deploy): the declared topology", {}, SERVER],
        ["every sentinel names this node: master", { [s(1)]: "redis-a\n6379\n", [s(2)]: "redis-a\n6379\n", [s(3)]: "redis-a\n6379\n" }, ["redis-server", MASTER_CONF]],
        ["all name another node: its replica", { [s(1)]: "redis-b\n6379\n", [s(2)]: "redis-b\n6379\n", [s(3)]: "redis-b\n6379\n" }, [...SERVER, "--replicaof", "redis-b", "6379"]],
        ["one sentinel answers: it decides", { [s(2)]: "redis-b\n6379\n" }, [...SERVER, "--replicaof", "redis-b", "6379"]],
        ["the majority wins over a stale sentinel", { [s(1)]: "redis-a\n6379\n", [s(2)]: "redis-b\n6379\n", [s(3)]: "redis-b\n6379\n" }, [...SERVER, "--replicaof", "redis-b", "6379"]],
        ["same host, another port is not this node", { [s(1)]: "redis-a\n6380\n" }, [...SERVER, "--replicaof", "redis-a", "6380"]],
        ["refusals and nil replies count as no answer", { [s(1)]: "WRONGPASS invalid username-password pair or user is disabled.\n", [s(2)]: "\n", [s(3)]: "NOAUTH Authentication required.\n" }, SERVER],
    ])("%s", (_case, answers, expected) => {
        expect(run(answers).argv).toEqual(expected);
    });

    it("a node named master starts from its config without the replicaof line, not with --replicaof no one", () => {
        expect(run({ [s(1)]: "redis-a\n6379\n" }).argv).toEqual(["redis-server", MASTER_CONF]);
        expect(readFileSync(MASTER_CONF, "utf8")).toBe("port 6379\nmasterauth x\n");
        expect(renderSentinelStartLines(ARGS).join("\n")).not.toContain("no one");
    });

    it("a TLS group replicates with --tls-replication yes and asks the sentinels over TLS", () => {
        const tls = { ...ARGS, transport: "tls" as const, caFile: "/data/tls/ca.crt" };
        expect(run({ [s(1)]: "redis-b\n6380\n" }, tls).argv).toEqual([...SERVER, "--replicaof", "redis-b", "6380", "--tls-replication", "yes"]);
        expect(renderSentinelStartLines(tls).join("\n")).toContain("redis-cli --tls --cacert /data/tls/ca.crt -h redis-a-sentinel-1 -p 26379");
    });

    it("reads the password from the file into REDISCLI_AUTH, never onto a command line", () => {
        const { answersDir } = run({ [s(1)]: "redis-a\n6379\n" });
        expect(execFileSync("cat", [join(answersDir, `${s(1)}.auth`)], { encoding: "utf8" }).trim()).toBe("sentinelpw");
        expect(renderSentinelStartLines(ARGS).join("\n")).not.toContain("sentinelpw");
    });

    it("a sentinel that hangs is cut off after its bound; the asks run at once", () => {
        const { argv, elapsedMs } = run({ [s(1)]: "sleep", [s(2)]: "sleep", [s(3)]: "redis-b\n6379\n" });
        expect(argv).toEqual([...SERVER, "--replicaof", "redis-b", "6379"]);
        expect(elapsedMs).toBeLessThan(2000);
    });

    it.each([
        [{}, "redis-chain start: no sentinel of redis-a answered; starting as the declared topology says"],
        [{ [s(1)]: "redis-a\n6379\n", [s(2)]: "redis-a\n6379\n" }, "redis-chain start: 2 of 2 answering sentinels of redis-a (of 3) name this node master; starting as master"],
        [{ [s(3)]: "redis-b\n6379\n" }, "redis-chain start: 1 of 1 answering sentinels of redis-a (of 3) name redis-b 6379 master; starting as its replica"],
    ])("logs which case happened (%j)", (answers, line) => {
        expect(runWithLog(answers as Record<string, string>)).toContain(line);
    });

    it("refuses names that are not plain sh words", () => {
        expect(() => renderSentinelStartLines({ ...ARGS, group: "a;reboot" })).toThrow(/plain sh word/);
        expect(() => renderSentinelStartLines({ ...ARGS, sentinels: [{ host: "$(id)", port: 1 }] })).toThrow(/plain sh word/);
    });
});
