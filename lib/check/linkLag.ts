// Per replication link: how far the replica trails its upstream, in bytes of the replication stream
// and in seconds since it last heard from it. Pure: `npm run verify` feeds it each node's
// `INFO replication`.
import { NodeConnectionInfo } from "../connectionInfo";

/** One link as `npm run verify` shows it. */
export interface LinkLag {
    /** `upstream -> replica`. */
    readonly link: string;
    /** master_link_status on the replica, or "?" when it could not be read. */
    readonly status: string;
    /** Upstream's master_repl_offset minus the replica's slave_repl_offset; undefined when either is unknown. */
    readonly lagBytes?: number;
    /** master_last_io_seconds_ago on the replica (link up), or master_link_down_since_seconds (link down). */
    readonly seconds?: number;
    /** True when `seconds` counts since the link went down rather than since the last data. */
    readonly downSince: boolean;
}

const num = (value: string | undefined) => (value === undefined || value === "" || Number.isNaN(Number(value)) ? undefined : Number(value));

/**
 * The lag of every link of `nodes`, in chain order; `infos` holds each readable node's INFO
 * replication fields (a node missing from it could not be read).
 */
export function linkLags(nodes: readonly NodeConnectionInfo[], infos: ReadonlyMap<string, Record<string, string>>): LinkLag[] {
    return nodes
        .filter((node) => node.upstream !== null)
        .map((replica) => {
            const mine = infos.get(replica.name);
            const theirs = infos.get(replica.upstream!);
            const upstreamOffset = num(theirs?.master_repl_offset);
            const replicaOffset = num(mine?.slave_repl_offset);
            const up = mine?.master_link_status === "up";
            // -1 for master_last_io_seconds_ago means "no link"; Redis prints it while (re)connecting.
            const lastIo = num(mine?.master_last_io_seconds_ago);
            const downFor = num(mine?.master_link_down_since_seconds);
            return {
                link: `${replica.upstream} -> ${replica.name}`,
                status: mine?.master_link_status ?? "?",
                lagBytes: upstreamOffset !== undefined && replicaOffset !== undefined ? upstreamOffset - replicaOffset : undefined,
                seconds: up ? (lastIo !== undefined && lastIo >= 0 ? lastIo : undefined) : downFor,
                downSince: !up && downFor !== undefined,
            };
        });
}

const COLUMNS = ["link", "master_link", "lag bytes", "last io"];

/** A fixed-width table of the links' lag. */
export function formatLinkLags(lags: readonly LinkLag[]): string {
    const rows = [
        COLUMNS,
        ...lags.map((l) => [
            l.link,
            l.status,
            l.lagBytes === undefined ? "?" : String(l.lagBytes),
            l.seconds === undefined ? "?" : l.downSince ? `down ${l.seconds} s` : `${l.seconds} s ago`,
        ]),
    ];
    const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const lines = rows.map((r) => r.map((cell, i) => (i === 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd());
    lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
    return lines.join("\n");
}
