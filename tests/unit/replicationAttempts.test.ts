import { describe, expect, it } from "vitest";
import { parseReplicaLog, refusedAttemptProblem } from "../../testkit/replicationAttempts";

const T = (ms: number) => `2026-12-03T15:00:00.${String(ms).padStart(3, "0")}123456Z`;
const log = (lines: string[]) => lines.map((l, i) => `${T(i * 10)} ${l}`).join("\n");

// Lines as Redis 7.0 and Valkey 8.1 write them.
const REDIS_FIRST_ATTEMPT_OK = [
    "redis-chain-start: redis-a: Could not connect to Redis at redis-a:6379: Connection refused (0 s)",
    "redis-chain-start: redis-a ready after 3 failed probes; starting the server",
    "1:S 03 Dec 2026 15:00:00.010 * Connecting to MASTER redis-a:6379",
    "1:S 03 Dec 2026 15:00:00.011 * MASTER <-> REPLICA sync started",
    "1:S 03 Dec 2026 15:00:00.040 * MASTER <-> REPLICA sync: Finished with success",
];
const REDIS_NOMASTERLINK = [
    "1:S 03 Dec 2026 15:00:00.010 * Connecting to MASTER redis-b:6380",
    "1:S 03 Dec 2026 15:00:00.012 * Master is currently unable to PSYNC but should be in the future: -NOMASTERLINK Can't SYNC while not connected with my master",
    "1:S 03 Dec 2026 15:00:01.010 * Connecting to MASTER redis-b:6380",
    "1:S 03 Dec 2026 15:00:01.050 * MASTER <-> REPLICA sync: Finished with success",
];
const REDIS_NOT_LISTENING = [
    "1:S 03 Dec 2026 15:00:00.010 * Connecting to MASTER redis-a:6379",
    "1:S 03 Dec 2026 15:00:00.011 # Error condition on socket for SYNC: Connection refused",
    "1:S 03 Dec 2026 15:00:01.010 * Connecting to MASTER redis-a:6379",
    "1:S 03 Dec 2026 15:00:01.030 * MASTER <-> REPLICA sync: Finished with success",
];
const VALKEY_FIRST_ATTEMPT_OK = [
    "1:S 03 Dec 2026 15:00:00.010 * Connecting to PRIMARY redis-a:6379",
    "1:S 03 Dec 2026 15:00:00.040 * PRIMARY <-> REPLICA sync: Finished with success",
];
const LOADING = [
    "1:S 03 Dec 2026 15:00:00.010 * Connecting to MASTER redis-a:6379",
    "1:S 03 Dec 2026 15:00:00.012 # Error reply to PING from master: '-LOADING Redis is loading the dataset in memory'",
    "1:S 03 Dec 2026 15:00:01.010 * Connecting to MASTER redis-a:6379",
    "1:S 03 Dec 2026 15:00:01.030 * MASTER <-> REPLICA sync: Finished with success",
];

describe("parseReplicaLog and refusedAttemptProblem", () => {
    it.each([
        ["Redis, linked at the first attempt after the start script waited", REDIS_FIRST_ATTEMPT_OK, 1, 0, undefined],
        ["Valkey, linked at the first attempt", VALKEY_FIRST_ATTEMPT_OK, 1, 0, undefined],
        ["an upstream replica not linked yet (-NOMASTERLINK)", REDIS_NOMASTERLINK, 2, 1, /2 attempts before its link came up; .*NOMASTERLINK/],
        ["an upstream not listening yet", REDIS_NOT_LISTENING, 2, 1, /Error condition on socket for SYNC: Connection refused/],
        ["an upstream still loading (-LOADING)", LOADING, 2, 1, /LOADING/],
        ["never linked", ["1:S 03 Dec 2026 15:00:00.010 * Connecting to MASTER redis-a:6379"], 1, 0, /never linked \(1 attempts\)/],
    ])("%s", (_label, lines, attempts, refusals, problem) => {
        const parsed = parseReplicaLog("c", log(lines));
        expect(parsed.attempts).toBe(attempts);
        expect(parsed.refusals).toHaveLength(refusals);
        const found = refusedAttemptProblem(parsed);
        if (problem === undefined) expect(found).toBeUndefined();
        else expect(found).toMatch(problem);
    });

    it("stops at the first link up, and takes its instant from Docker's timestamp", () => {
        const parsed = parseReplicaLog("c", log([...VALKEY_FIRST_ATTEMPT_OK, "1:S 03 Dec 2026 15:00:09.000 * Connecting to PRIMARY redis-a:6379"]));
        expect(parsed.attempts).toBe(1);
        expect(parsed.linkedAt).toBe(Date.parse("2026-12-03T15:00:00.010Z"));
    });

    it("ignores the start script's own lines, which quote the cli's connection errors", () => {
        expect(parseReplicaLog("c", log(REDIS_FIRST_ATTEMPT_OK)).refusals).toEqual([]);
    });
});
