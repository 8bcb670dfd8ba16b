// Runs the sentinel container's start script with /bin/sh on files in a temporary directory, with a
// fake docker-entrypoint.sh (and chown, which needs root) on PATH.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderSentinelEntrypoint } from "../../lib/sentinelEntrypoint";

const dir = mkdtempSync(join(tmpdir(), "sentinel-entry-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bin = join(dir, "bin");
execFileSync("mkdir", ["-p", bin]);
writeFileSync(join(bin, "docker-entrypoint.sh"), '#!/bin/sh\necho "entrypoint: $*"\n');
writeFileSync(join(bin, "chown"), "#!/bin/sh\nexit 0\n");
chmodSync(join(bin, "docker-entrypoint.sh"), 0o755);
chmodSync(join(bin, "chown"), 0o755);

const DECLARED = [
    "port 26379",
    "requirepass spw",
    "sentinel monitor redis-a redis-a 6379 2",
    "sentinel down-after-milliseconds redis-a 5000",
    "",
].join("\n");

// What Sentinel writes back after a failover to redis-b (Redis's rewrite format).
const REWRITTEN = [
    "port 26379",
    "requirepass spw",
    "sentinel myid 0123456789abcdef0123456789abcdef01234567",
    "sentinel config-epoch redis-a 1",
    "sentinel leader-epoch redis-a 1",
    "sentinel current-epoch 1",
    "sentinel monitor redis-a redis-b 6379 2",
    "sentinel down-after-milliseconds redis-a 5000",
    "sentinel known-replica redis-a redis-a 6379",
    "sentinel known-replica redis-a redis-c 6380",
    "sentinel known-sentinel redis-a 172.18.0.6 26379 fedcba9876543210fedcba9876543210fedcba98",
    "",
].join("\n");

let caseNo = 0;
function start(declared: string, live?: string) {
    const caseDir = join(dir, `case-${caseNo++}`);
    execFileSync("mkdir", ["-p", caseDir]);
    writeFileSync(join(caseDir, "declared.conf"), declared);
    if (live !== undefined) writeFileSync(join(caseDir, "sentinel.conf"), live);
    const script = renderSentinelEntrypoint({ group: "redis-a", declaredConf: join(caseDir, "declared.conf"), liveConf: join(caseDir, "sentinel.conf") });
    const out = execFileSync("/bin/sh", ["-c", script, "sentinel-start", "redis-server", join(caseDir, "sentinel.conf"), "--sentinel"], {
        env: { PATH: `${bin}:${process.env.PATH}` },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
    return { out, live: readFileSync(join(caseDir, "sentinel.conf"), "utf8"), caseDir };
}

describe("the sentinel container's start", () => {
    it("first start: the declared config, then the image's entrypoint with the server command", () => {
        const { out, live, caseDir } = start(DECLARED);
        expect(live).toBe(DECLARED);
        expect(out.trim()).toBe(`entrypoint: redis-server ${join(caseDir, "sentinel.conf")} --sentinel`);
        expect(existsSync(join(caseDir, "sentinel.conf.next"))).toBe(false);
    });

    it("after a failover: the declared config with the current master and Sentinel's state", () => {
        const { live } = start(DECLARED, REWRITTEN);
        expect(live.split("\n")).toEqual([
            "port 26379",
            "requirepass spw",
            "sentinel monitor redis-a redis-b 6379 2",
            "sentinel down-after-milliseconds redis-a 5000",
            "sentinel myid 0123456789abcdef0123456789abcdef01234567",
            "sentinel config-epoch redis-a 1",
            "sentinel leader-epoch redis-a 1",
            "sentinel current-epoch 1",
            "sentinel known-replica redis-a redis-a 6379",
            "sentinel known-replica redis-a redis-c 6380",
            "sentinel known-sentinel redis-a 172.18.0.6 26379 fedcba9876543210fedcba9876543210fedcba98",
            "",
        ]);
    });

    it("a changed declaration (quorum, password) wins over the old file's; the state stays", () => {
        const { live } = start(DECLARED.replace("requirepass spw", "requirepass new").replace("6379 2", "6379 3"), REWRITTEN);
        expect(live).toContain("requirepass new\n");
        expect(live).toContain("sentinel monitor redis-a redis-b 6379 3\n");
        expect(live).not.toContain("requirepass spw");
        expect(live).toContain("sentinel myid 0123456789abcdef0123456789abcdef01234567\n");
    });

    it("the live file is written mode 0600 (it holds passwords)", () => {
        const { caseDir } = start(DECLARED);
        expect(execFileSync("stat", ["-c", "%a", join(caseDir, "sentinel.conf")], { encoding: "utf8" }).trim()).toBe("600");
    });

    it("refuses names and paths that are not plain", () => {
        expect(() => renderSentinelEntrypoint({ group: "a b", declaredConf: "/x", liveConf: "/y" })).toThrow(/plain name/);
        expect(() => renderSentinelEntrypoint({ group: "a", declaredConf: "x;y", liveConf: "/y" })).toThrow(/plain absolute path/);
    });
});
