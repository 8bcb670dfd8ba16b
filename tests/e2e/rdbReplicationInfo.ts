// The replication ID and offset a node's dump.rdb carries (the RDB's leading AUX fields): what a
// replica restarted from that file will ask its upstream to continue from.
import { execFile } from "node:child_process";
import { rdbVersionOfHeader } from "../../lib/rdbFormats";

export interface RdbReplicationInfo {
    readonly replId?: string;
    readonly replOffset?: number;
}

/** Reads /data/dump.rdb out of `container` (running or stopped) with `docker cp`. */
export async function rdbReplicationInfo(container: string, path = "/data/dump.rdb"): Promise<RdbReplicationInfo> {
    const tar = await new Promise<Buffer>((resolve, reject) =>
        execFile("docker", ["cp", `${container}:${path}`, "-"], { encoding: "buffer", maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) =>
            error ? reject(new Error(`docker cp ${container}:${path}: ${stderr.toString().trim()}`)) : resolve(stdout),
        ),
    );
    // One-file tar: a 512-byte header (size in octal at 124) and the file.
    const size = parseInt(tar.subarray(124, 136).toString("latin1").replace(/\0.*$/, "").trim(), 8);
    return parseRdbAux(tar.subarray(512, 512 + size));
}

export function parseRdbAux(rdb: Buffer): RdbReplicationInfo {
    if (rdbVersionOfHeader(rdb.subarray(0, 9).toString("latin1")) === undefined) throw new Error("not an RDB file");
    const aux: Record<string, string> = {};
    let pos = 9; // "REDIS" + 4 digits, or "VALKEY" + 3 digits
    const length = (): { value: number; special?: number } => {
        const b = rdb[pos];
        switch (b >> 6) {
            case 0:
                pos += 1;
                return { value: b & 0x3f };
            case 1:
                pos += 2;
                return { value: ((b & 0x3f) << 8) | rdb[pos - 1] };
            case 2:
                if (b === 0x80) {
                    pos += 5;
                    return { value: rdb.readUInt32BE(pos - 4) };
                }
                pos += 9;
                return { value: Number(rdb.readBigUInt64BE(pos - 8)) };
            default:
                pos += 1;
                return { value: 0, special: b & 0x3f };
        }
    };
    const string = (): string => {
        const { value, special } = length();
        if (special === undefined) {
            pos += value;
            return rdb.subarray(pos - value, pos).toString("latin1");
        }
        if (special === 0) return String(rdb.readInt8((pos += 1) - 1));
        if (special === 1) return String(rdb.readInt16LE((pos += 2) - 2));
        if (special === 2) return String(rdb.readInt32LE((pos += 4) - 4));
        throw new Error(`RDB string encoding ${special} in an AUX field is not supported here`);
    };
    while (rdb[pos] === 0xfa) {
        pos += 1;
        const key = string();
        aux[key] = string();
    }
    return {
        replId: aux["repl-id"],
        replOffset: aux["repl-offset"] === undefined ? undefined : Number(aux["repl-offset"]),
    };
}

/** An upstream's side of a PSYNC decision, from its INFO replication. */
export interface UpstreamBacklog {
    readonly replId: string;
    readonly replId2: string;
    readonly secondReplOffset: number;
    readonly masterReplOffset: number;
    readonly backlogActive: boolean;
    readonly backlogFirstByte: number;
}

export function upstreamBacklog(info: Record<string, string>): UpstreamBacklog {
    return {
        replId: info.master_replid,
        replId2: info.master_replid2,
        secondReplOffset: Number(info.second_repl_offset),
        masterReplOffset: Number(info.master_repl_offset),
        backlogActive: info.repl_backlog_active === "1",
        backlogFirstByte: Number(info.repl_backlog_first_byte_offset),
    };
}

/**
 * Whether a replica restarted from `rdb` can continue partially from `upstream`: Redis's
 * masterTryPartialResynchronization with psync_offset = repl-offset + 1.
 */
export function expectPartial(rdb: RdbReplicationInfo, upstream: UpstreamBacklog): { partial: boolean; why: string } {
    if (rdb.replId === undefined || rdb.replOffset === undefined) return { partial: false, why: "the RDB carries no replication ID" };
    const want = rdb.replOffset + 1;
    const idOk = rdb.replId === upstream.replId || (rdb.replId === upstream.replId2 && want <= upstream.secondReplOffset);
    if (!idOk) return { partial: false, why: `the RDB's replication ID ${rdb.replId} is unknown upstream` };
    const inBacklog = upstream.backlogActive && want >= upstream.backlogFirstByte && want <= upstream.masterReplOffset + 1;
    return inBacklog
        ? { partial: true, why: `the RDB's offset ${rdb.replOffset} is inside the upstream backlog [${upstream.backlogFirstByte}, ${upstream.masterReplOffset}]` }
        : { partial: false, why: `the RDB's offset ${rdb.replOffset} is outside the upstream backlog [${upstream.backlogFirstByte}, ${upstream.masterReplOffset}]` };
}
