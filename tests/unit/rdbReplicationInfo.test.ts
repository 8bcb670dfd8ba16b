import { describe, expect, it } from "vitest";
import { parseRdbAux } from "../e2e/rdbReplicationInfo";

/** An AUX field: 0xfa, then key and value as length-prefixed strings (6-bit lengths). */
function aux(key: string, value: string | Buffer): Buffer {
    const v = typeof value === "string" ? Buffer.concat([Buffer.from([value.length]), Buffer.from(value, "latin1")]) : value;
    return Buffer.concat([Buffer.from([0xfa, key.length]), Buffer.from(key, "latin1"), v]);
}

const REPL_ID = "0123456789abcdef0123456789abcdef01234567";

/** The leading fields Redis and Valkey write: version, bits, repl-id, repl-offset (an int32-encoded string), then a SELECTDB. */
function rdb(header: string, offset: Buffer): Buffer {
    return Buffer.concat([
        Buffer.from(header, "latin1"),
        aux("redis-ver", "8.6.3"),
        aux("redis-bits", Buffer.from([0xc0, 64])),
        aux("repl-id", REPL_ID),
        aux("repl-offset", offset),
        Buffer.from([0xfe, 0x00]),
    ]);
}

const int32 = (n: number) => {
    const b = Buffer.alloc(5);
    b[0] = 0xc2;
    b.writeInt32LE(n, 1);
    return b;
};

describe("parseRdbAux", () => {
    it.each(["REDIS0011", "REDIS0013", "VALKEY080"])("reads the replication ID and offset after a %s header", (header) => {
        expect(parseRdbAux(rdb(header, int32(123456)))).toEqual({ replId: REPL_ID, replOffset: 123456 });
    });

    it("reads a small offset written as an int8", () => {
        expect(parseRdbAux(rdb("VALKEY080", Buffer.from([0xc0, 42])))).toEqual({ replId: REPL_ID, replOffset: 42 });
    });

    it.each(["REDIX0011", "VALKEY08x", "KEYDB0011"])("refuses a file starting with %s", (header) => {
        expect(() => parseRdbAux(rdb(header, int32(1)))).toThrow("not an RDB file");
    });
});
