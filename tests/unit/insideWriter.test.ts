// The inside writer's lines, `<ms> <n> <reply>`, as redis-cli prints replies when not on a terminal.
import { describe, expect, it } from "vitest";
import { parseInsideWrites } from "../../testkit/failover/insideWriter";

describe("parseInsideWrites", () => {
    it.each([
        ["1764783000123 0 OK", [{ at: 1764783000123, n: 0, acknowledged: true, reply: "OK" }]],
        [
            "1764783000123 7 NOREPLICAS Not enough good replicas to write.",
            [{ at: 1764783000123, n: 7, acknowledged: false, reply: "NOREPLICAS Not enough good replicas to write." }],
        ],
        ["1764783000123 8 (error) READONLY You can't write against a read only replica.", [{ at: 1764783000123, n: 8, acknowledged: false, reply: "READONLY You can't write against a read only replica." }]],
        ["1764783000123 9 Could not connect to Redis at 127.0.0.1:6379: Connection refused", [{ at: 1764783000123, n: 9, acknowledged: false, reply: "Could not connect to Redis at 127.0.0.1:6379: Connection refused" }]],
        // An answer cut in the middle of a line, an empty reply and noise are not writes.
        ["17647830", []],
        ["1764783000123 10 ", [{ at: 1764783000123, n: 10, acknowledged: false, reply: "" }]],
        ["Warning: something", []],
    ])("%j", (text, expected) => {
        expect(parseInsideWrites(text)).toEqual(expected);
    });

    it("reads several lines in order", () => {
        expect(parseInsideWrites("1764783000100 0 OK\n1764783000150 1 OK\n").map((w) => w.n)).toEqual([0, 1]);
    });
});
