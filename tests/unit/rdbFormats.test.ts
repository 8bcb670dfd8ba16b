import { describe, expect, it } from "vitest";
import { canReplicateFrom, dataFormatRefusal, loadsRdb, rdbFileHeader, rdbFormat, rdbVersionOfHeader } from "../../lib/rdbFormats";
import { SUPPORTED_LINES, ServerRelease } from "../../lib/serverRelease";

const r = (kind: "redis" | "valkey", version: string): ServerRelease => {
    const [major, minor, patch] = version.split(".").map(Number);
    return patch === undefined ? { kind, major, minor } : { kind, major, minor, patch };
};

describe("rdbFormat", () => {
    it.each([
        ["redis", "7.0.15", 10],
        ["redis", "7.2.5", 11],
        ["redis", "7.4.1", 12],
        ["redis", "8.0.2", 12],
        ["valkey", "7.2.5", 11],
        ["valkey", "8.0.1", 11],
        ["valkey", "8.1.1", 11],
        ["redis", "8.6.7", 13],
        ["valkey", "9.1.4", 80],
    ] as const)("%s %s writes RDB %i and reads up to it", (kind, version, rdb) => {
        expect(rdbFormat(r(kind, version))).toMatchObject({ writes: rdb, readsUpTo: rdb });
    });

    it.each([
        ["valkey", "9.1.4", 11, true],
        ["valkey", "9.1.4", 12, false],
        ["valkey", "9.1.4", 13, false],
        ["valkey", "9.1.4", 79, false],
        ["valkey", "9.1.4", 80, true],
        ["valkey", "9.1.4", 81, false],
        ["redis", "8.6.7", 12, true],
        ["redis", "8.6.7", 80, false],
        ["valkey", "8.1.1", 0, false],
    ] as const)("%s %s loads RDB %i: %s", (kind, version, rdb, expected) => {
        expect(loadsRdb(rdbFormat(r(kind, version)), rdb)).toBe(expected);
    });

    it("has a row for every supported line", () => {
        for (const line of SUPPORTED_LINES) expect(() => rdbFormat(line)).not.toThrow();
    });

    it("throws for a release that was not resolved", () => {
        expect(() => rdbFormat(r("redis", "6.2.14"))).toThrow("Redis 6.2.14 is not a supported release");
    });
});

describe("rdbFileHeader and rdbVersionOfHeader", () => {
    it.each([
        [10, "REDIS0010"],
        [11, "REDIS0011"],
        [12, "REDIS0012"],
        [13, "REDIS0013"],
        [79, "REDIS0079"],
        [80, "VALKEY080"],
        [81, "VALKEY081"],
    ])("RDB %i starts with %s, and that header names RDB %i back", (rdb, header) => {
        expect(rdbFileHeader(rdb)).toBe(header);
        expect(rdbVersionOfHeader(header)).toBe(rdb);
    });

    it("reads the header at the start of a longer buffer", () => {
        expect(rdbVersionOfHeader("VALKEY080\xfa\nvalkey-ver")).toBe(80);
        expect(rdbVersionOfHeader("REDIS0013\xfa\tredis-ver")).toBe(13);
    });

    it.each(["", "REDIS", "REDIS001", "REDIS00x1", "VALKEY08", "VALKEY011", "REDIS0080", "redis0011", "KEYDB0011"])("%j is no RDB header", (header) => {
        expect(rdbVersionOfHeader(header)).toBeUndefined();
    });

    it("gives the header every supported line writes", () => {
        expect(SUPPORTED_LINES.map((line) => rdbFileHeader(rdbFormat(line).writes))).toEqual(
            SUPPORTED_LINES.map((line) => (line.kind === "valkey" && line.major >= 9 ? "VALKEY080" : expect.stringMatching(/^REDIS00(10|11|12|13)$/))),
        );
    });
});

describe("canReplicateFrom", () => {
    it.each([
        // Same release, or a newer replica.
        ["redis", "7.0.15", "redis", "7.0.15"],
        ["redis", "8.0.2", "redis", "7.0.15"],
        ["redis", "7.4.1", "redis", "7.2.5"],
        // Across kinds, RDB 11 and lower is common ground.
        ["valkey", "8.1.1", "redis", "7.0.15"],
        ["valkey", "7.2.5", "redis", "7.2.5"],
        ["redis", "7.2.5", "valkey", "8.1.1"],
        ["redis", "8.0.2", "valkey", "8.1.1"],
        ["valkey", "8.0.1", "valkey", "8.1.1"],
        // The newest lines: Redis 8.6 reads every older Redis format; Valkey 9.1 reads RDB 11.
        ["redis", "8.6.7", "redis", "8.0.2"],
        ["redis", "8.6.7", "valkey", "8.1.1"],
        ["valkey", "9.1.4", "valkey", "8.1.1"],
        ["valkey", "9.1.4", "redis", "7.2.5"],
        ["valkey", "9.1.4", "valkey", "9.1.2"],
    ] as const)("a %s %s replica of a %s %s upstream", (rk, rv, uk, uv) => {
        expect(canReplicateFrom(r(rk, rv), r(uk, uv))).toEqual({ ok: true });
    });

    it.each([
        ["redis", "7.0.15", "redis", "8.0.2", "a Redis 7.0.15 replica cannot replicate from Redis 8.0.2: the upstream sends RDB version 12 on a full sync and Redis 7.0.15 loads RDB versions up to 10; run the replica on a release that reads RDB 12, or upgrade replicas before their upstream"],
        ["redis", "7.2.5", "redis", "7.4.1", undefined],
        ["redis", "7.0.15", "valkey", "8.1.1", undefined],
        // Redis 7.4+ writes 12, which no Valkey reads.
        ["valkey", "8.1.1", "redis", "8.0.2", "a Valkey 8.1.1 replica cannot replicate from Redis 8.0.2: the upstream sends RDB version 12 on a full sync and Valkey 8.1.1 loads RDB versions up to 11; run the replica on a release that reads RDB 12, or upgrade replicas before their upstream"],
        ["valkey", "7.2.5", "redis", "7.4", undefined],
        ["redis", "8.0.2", "redis", "8.6.7", "a Redis 8.0.2 replica cannot replicate from Redis 8.6.7: the upstream sends RDB version 13 on a full sync and Redis 8.0.2 loads RDB versions up to 12; run the replica on a release that reads RDB 13, or upgrade replicas before their upstream"],
        // Valkey 9.1 reads past 12 but refuses 12-79 as other servers' formats.
        ["valkey", "9.1.4", "redis", "8.0.2", "a Valkey 9.1.4 replica cannot replicate from Redis 8.0.2: the upstream sends RDB version 12 on a full sync and Valkey 9.1.4 loads RDB versions up to 80 except 12-79 (other servers' formats); run the replica on a release that reads RDB 12, or upgrade replicas before their upstream"],
        ["valkey", "9.1.4", "redis", "8.6.7", undefined],
        ["valkey", "8.1.1", "valkey", "9.1.4", undefined],
        ["redis", "8.6.7", "valkey", "9.1.4", undefined],
    ] as const)("refuses a %s %s replica of a %s %s upstream", (rk, rv, uk, uv, reason) => {
        const verdict = canReplicateFrom(r(rk, rv), r(uk, uv));
        expect(verdict.ok).toBe(false);
        if (reason && !verdict.ok) expect(verdict.reason).toBe(reason);
    });
});

describe("dataFormatRefusal", () => {
    it.each([
        ["redis", "7.0.15", "redis", "8.0.2"],
        ["redis", "7.0.15", "valkey", "8.1.1"],
        ["valkey", "8.1.1", "redis", "7.2.5"],
        ["valkey", "8.1.1", "valkey", "7.2.5"],
        ["redis", "8.0.2", "redis", "7.4.1"],
        ["redis", "8.0.2", "redis", "8.0.1"],
        ["redis", "8.0.2", "redis", "8.6.7"],
        ["valkey", "8.1.1", "valkey", "9.1.4"],
        ["redis", "7.2.5", "valkey", "9.1.4"],
    ] as const)("allows %s %s -> %s %s", (fk, fv, tk, tv) => {
        expect(dataFormatRefusal(r(fk, fv), r(tk, tv))).toBeUndefined();
    });

    it.each([
        ["redis", "8.0.2", "redis", "7.0.15", "cannot change the server from Redis 8.0.2 to Redis 7.0.15 on the same volume: Redis 8.0.2 wrote RDB version 12 and Redis 7.0.15 loads RDB versions up to 10, so it would refuse to start; keep Redis 8.0.2 (or a release that reads RDB 12), or replace the node with an empty volume and let it resync"],
        ["redis", "7.4.1", "valkey", "8.1.1", undefined],
        ["valkey", "8.1.1", "redis", "7.0.15", undefined],
        ["redis", "7.2.5", "redis", "7.0.15", undefined],
        ["redis", "8.6.7", "redis", "8.0.2", undefined],
        ["valkey", "9.1.4", "valkey", "8.1.1", undefined],
        ["redis", "7.4.1", "valkey", "9.1.4", "cannot change the server from Redis 7.4.1 to Valkey 9.1.4 on the same volume: Redis 7.4.1 wrote RDB version 12 and Valkey 9.1.4 loads RDB versions up to 80 except 12-79 (other servers' formats), so it would refuse to start; keep Redis 7.4.1 (or a release that reads RDB 12), or replace the node with an empty volume and let it resync"],
    ] as const)("refuses %s %s -> %s %s", (fk, fv, tk, tv, reason) => {
        const got = dataFormatRefusal(r(fk, fv), r(tk, tv));
        expect(got).toBeDefined();
        if (reason) expect(got).toBe(reason);
    });
});
