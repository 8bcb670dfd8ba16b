import { describe, expect, it } from "vitest";
import { CheckReport, NodeReport } from "../../lib/check/checkReplication";
import { formatReport } from "../../lib/check/formatReport";

const A_OK: NodeReport = {
    name: "redis-a",
    host: "local",
    role: "master",
    upstream: null,
    link: null,
    observed: { role: "master", onlineReplicas: 1 },
    readBack: { plain: true },
};
const B_OK: NodeReport = {
    name: "redis-b",
    host: "local",
    role: "replica",
    upstream: "redis-a",
    link: "plain",
    observed: { role: "slave", masterHost: "redis-a", masterPort: 6379, masterLinkStatus: "up", onlineReplicas: 1 },
    readBack: { plain: true, tls: true },
};
const C_OK: NodeReport = {
    name: "redis-c",
    host: "local",
    role: "replica",
    upstream: "redis-b",
    link: "tls",
    observed: { role: "slave", masterHost: "redis-b", masterPort: 6380, masterLinkStatus: "up", onlineReplicas: 0 },
    readBack: { tls: true },
};

/** The cells of each table row (columns are separated by at least two spaces). */
const cells = (text: string) =>
    text
        .split("\n\n")[0]
        .split("\n")
        .map((line) => line.split(/ {2,}/));

describe("formatReport", () => {
    it("a healthy seed chain: the exact table and verdict", () => {
        const report: CheckReport = { ok: true, elapsedMs: 1500, linksUpMs: 900, nodes: [A_OK, B_OK, C_OK], failures: [] };
        expect(formatReport(report)).toBe(
            [
                "node     host   role     upstream  link   master_link  replicas  read back         problem",
                "-------  -----  -------  --------  -----  -----------  --------  ----------------  -------",
                "redis-a  local  master   -         -      -            1         plain ok",
                "redis-b  local  replica  redis-a   plain  up           1         plain ok, tls ok",
                "redis-c  local  replica  redis-b   tls    up           0         tls ok",
                "",
                "OK: every link up and the check key read on every node (1.50 s)",
            ].join("\n"),
        );
    });

    it("a broken link: its row shows the link state and the problem, and the verdict lists the failure", () => {
        const problem = "link redis-b -> redis-c (tls, redis-b:6380): master_link_status:down";
        const report: CheckReport = {
            ok: false,
            elapsedMs: 60_000,
            nodes: [
                { ...A_OK, readBack: {} },
                { ...B_OK, readBack: {} },
                { ...C_OK, observed: { ...C_OK.observed!, masterLinkStatus: "down" }, readBack: {}, problem },
            ],
            failures: [problem],
        };
        const text = formatReport(report);
        expect(cells(text).slice(2)).toEqual([
            ["redis-a", "local", "master", "-", "-", "-", "1", "-"],
            ["redis-b", "local", "replica", "redis-a", "plain", "up", "1", "-"],
            ["redis-c", "local", "replica", "redis-b", "tls", "down", "0", "-", problem],
        ]);
        expect(text.endsWith(`\n\nFAILED after 60.00 s:\n  - ${problem}`)).toBe(true);
    });

    it("every failure gets its own line, an unreachable node shows ?, a failed read-back FAIL", () => {
        const unreachable = "link redis-a -> redis-b (plain, redis-a:6379): redis-b unreachable on plain 127.0.0.1:16379: connect ECONNREFUSED";
        const notRead = "link redis-b -> redis-c (tls, redis-b:6380): check key not readable on redis-c via tls within 10000 ms";
        const report: CheckReport = {
            ok: false,
            elapsedMs: 12_345,
            nodes: [
                A_OK,
                { ...B_OK, observed: undefined, readBack: {}, problem: unreachable },
                { ...C_OK, readBack: { tls: false }, problem: notRead },
            ],
            failures: [unreachable, notRead],
        };
        const text = formatReport(report);
        const rows = cells(text);
        expect(rows.map((r) => r[0])).toEqual(["node", "-------", "redis-a", "redis-b", "redis-c"]);
        expect(rows[3]).toEqual(["redis-b", "local", "replica", "redis-a", "plain", "?", "?", "-", unreachable]);
        expect(rows[4]).toEqual(["redis-c", "local", "replica", "redis-b", "tls", "up", "0", "tls FAIL", notRead]);
        expect(text.split("\n\n")[1]).toBe(`FAILED after 12.35 s:\n  - ${unreachable}\n  - ${notRead}`);
    });

    it("columns line up: every row has the same column start positions as the header", () => {
        const report: CheckReport = { ok: true, elapsedMs: 10, nodes: [A_OK, B_OK, C_OK], failures: [] };
        const [header, , ...rows] = formatReport(report).split("\n\n")[0].split("\n");
        const starts = ["host", "role", "upstream", "link", "master_link", "replicas", "read back"].map((c) => header.indexOf(c));
        expect(starts).toEqual([9, 16, 25, 35, 42, 55, 65]);
        for (const row of rows) {
            for (const start of starts) expect(row[start - 1], `${row} @${start}`).toBe(" ");
            for (const start of starts) expect(row[start], `${row} @${start}`).not.toBe(" ");
        }
    });
});
