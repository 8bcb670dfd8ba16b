// Renders a check report as the per-node table `npm run verify` prints.
import { CheckReport, NodeReport } from "./checkReplication";

const COLUMNS = ["node", "host", "role", "upstream", "link", "master_link", "replicas", "read back", "problem"];

function row(node: NodeReport): string[] {
    const readBack = Object.entries(node.readBack)
        .map(([transport, ok]) => `${transport} ${ok ? "ok" : "FAIL"}`)
        .join(", ");
    return [
        node.name,
        node.host,
        node.role,
        node.upstream ?? "-",
        node.link ?? "-",
        node.role === "replica" ? (node.observed?.masterLinkStatus ?? "?") : "-",
        node.observed ? String(node.observed.onlineReplicas) : "?",
        readBack || "-",
        node.problem ?? "",
    ];
}

/** A fixed-width table plus a one-line verdict naming every failure. */
export function formatReport(report: CheckReport): string {
    const rows = [COLUMNS, ...report.nodes.map(row)];
    const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const lines = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd());
    lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
    const seconds = (report.elapsedMs / 1000).toFixed(2);
    const verdict = report.ok
        ? `OK: every link up and the check key read on every node (${seconds} s)`
        : `FAILED after ${seconds} s:\n${report.failures.map((f) => `  - ${f}`).join("\n")}`;
    const notes = (report.notes ?? []).map((note) => `${note}\n`).join("");
    return `${lines.join("\n")}\n\n${notes}${verdict}`;
}
