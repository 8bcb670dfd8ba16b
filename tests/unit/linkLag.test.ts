import { describe, expect, it } from "vitest";
import { formatLinkLags, linkLags } from "../../lib/check/linkLag";
import { nodeConnectionInfo } from "../../lib/connectionInfo";
import { parseTopology } from "../../lib/parseTopology";
import { seedNodes } from "../support/seed";

const nodes = parseTopology(seedNodes()).nodes.map(nodeConnectionInfo);
const A = { role: "master", master_repl_offset: "5000" };
const B = { role: "slave", master_link_status: "up", master_last_io_seconds_ago: "1", slave_repl_offset: "4000", master_repl_offset: "4000" };
const C = { role: "slave", master_link_status: "up", master_last_io_seconds_ago: "3", slave_repl_offset: "3500", master_repl_offset: "3500" };

describe("linkLags", () => {
    it.each([
        [
            "every link up",
            { "redis-a": A, "redis-b": B, "redis-c": C },
            [
                { link: "redis-a -> redis-b", status: "up", lagBytes: 1000, seconds: 1, downSince: false },
                { link: "redis-b -> redis-c", status: "up", lagBytes: 500, seconds: 3, downSince: false },
            ],
        ],
        [
            "B unreachable: both its links unknown on its side",
            { "redis-a": A, "redis-c": { ...C, master_link_status: "down", master_link_down_since_seconds: "7", master_last_io_seconds_ago: "-1" } },
            [
                { link: "redis-a -> redis-b", status: "?", lagBytes: undefined, seconds: undefined, downSince: false },
                { link: "redis-b -> redis-c", status: "down", lagBytes: undefined, seconds: 7, downSince: true },
            ],
        ],
        [
            "C reconnecting: -1 seconds means no reading",
            { "redis-a": A, "redis-b": B, "redis-c": { ...C, master_last_io_seconds_ago: "-1" } },
            [
                { link: "redis-a -> redis-b", status: "up", lagBytes: 1000, seconds: 1, downSince: false },
                { link: "redis-b -> redis-c", status: "up", lagBytes: 500, seconds: undefined, downSince: false },
            ],
        ],
    ])("%s", (_, infos, expected) => {
        expect(linkLags(nodes, new Map(Object.entries(infos)))).toEqual(expected);
    });
});

describe("formatLinkLags", () => {
    it("one row per link; bytes right-aligned; down links say since when", () => {
        const text = formatLinkLags([
            { link: "redis-a -> redis-b", status: "up", lagBytes: 1000, seconds: 1, downSince: false },
            { link: "redis-b -> redis-c", status: "down", lagBytes: undefined, seconds: 7, downSince: true },
        ]);
        expect(text.split("\n")).toEqual([
            "link                master_link  lag bytes  last io",
            "------------------  -----------  ---------  --------",
            "redis-a -> redis-b  up                1000  1 s ago",
            "redis-b -> redis-c  down                 ?  down 7 s",
        ]);
    });
});
