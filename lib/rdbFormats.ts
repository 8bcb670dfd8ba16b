// Data-format compatibility between server releases, from the RDB format versions.
//
// Each server writes RDB files (and full-sync payloads) in exactly one format version, RDB_VERSION
// in src/rdb.h, and loads only files whose version is between 1 and its own RDB_VERSION:
// `if (rdbver < 1 || rdbver > RDB_VERSION) { "Can't handle RDB format version %d" }` in
// rdbLoadRioWithLoadingCtx (redis/redis src/rdb.c at 7.0.15 and 7.4.1; valkey-io/valkey src/rdb.c
// at 8.0.1). A replica runs that same loader on every full sync, disk-based or diskless
// (readSyncBulkPayload calls rdbLoad / rdbLoadRioWithLoadingCtx with RDBFLAGS_REPLICATION: redis/redis
// src/replication.c at 7.0.15, valkey-io/valkey src/replication.c at 8.0.1), and a master never
// writes an older format for an older replica. So a replica whose loader cannot read its upstream's
// format fails every full sync ("Failed trying to load the MASTER/PRIMARY synchronization DB") and
// retries forever, and a node restarted on a newer server's dump.rdb refuses to start.
//
// Redis and Valkey share the format up to RDB 11 (Valkey forked Redis 7.2.4). Redis 7.4 moved to 12;
// Valkey 8.1 keeps writing 11 and refuses 12 as a replica, both with its default
// `rdb-version-check strict` and with `relaxed` (measured on Debian's valkey-server 8.1.1: "Can't
// handle RDB format version 12"). A replica refused this way retries the full sync within a fraction
// of a second, so its upstream keeps producing RDB payloads: refuse such a pair before deploying.
//
// Redis 8.6 moved to RDB 13 (Redis 8.6.3 src/rdb.h: RDB_VERSION 13; same loader check). Valkey 9
// moved to RDB 80 under a `VALKEY` magic and reserves 12-79 for other servers' formats: Valkey 9.1.2
// src/rdb.h has RDB_VERSION 80 and RDB_FOREIGN_VERSION_MIN/MAX 12/79, and rdbIsVersionAccepted
// (src/rdb.c) refuses, under the default `rdb-version-check strict` (the program renders no other),
// every version above 80 and every version in 12-79. So Valkey 9.1 loads RDB 1-11 and 80, and no
// Redis 7.4+ upstream can feed it.
//
// A Valkey 9.1 primary can send RDB 11 instead of 80 to a replica that reports an older release
// (replicaRdbVersion in src/replication.c), but it aborts that sync when the data uses a feature
// RDB 11 cannot hold (hash field expiration): data-dependent, so the program does not count on it
// and keeps the rule that a replica must load what its upstream writes. Measured on Debian's
// valkey-server 9.1.2: Redis 8.6 and Valkey 8.1 replicas completed a full sync on RDB 11 (sent
// through the socket even with repl-diskless-sync no); with one hash field carrying a TTL the
// primary logged "Can't store key (db 0) in RDB version 11" and retried the sync forever.
import { ReleaseLine, ServerRelease, formatRelease, supportedLine } from "./serverRelease";

/** The RDB format of one release line. */
export interface RdbFormat {
    /** The RDB version it writes (RDB_VERSION). */
    readonly writes: number;
    /** The highest RDB version its loader accepts (it accepts every version from 1 up to this, except `refuses`). */
    readonly readsUpTo: number;
    /** Versions below readsUpTo that its loader still refuses (another server's formats). */
    readonly refuses?: { readonly from: number; readonly to: number };
    /** Where the numbers were read: repository, path and tag. */
    readonly source: string;
}

type LineKey = `${ReleaseLine["kind"]} ${number}.${number}`;

/**
 * One row per supported line (see SUPPORTED_LINES). readsUpTo equals writes for every line: each
 * loader's check is `rdbver > RDB_VERSION`, read at the tags below; Valkey 9.1 also refuses 12-79.
 */
export const RDB_FORMATS: Readonly<Record<LineKey, RdbFormat>> = {
    "redis 7.0": { writes: 10, readsUpTo: 10, source: "redis/redis src/rdb.h RDB_VERSION at 7.0.0 and 7.0.15" },
    "redis 7.2": { writes: 11, readsUpTo: 11, source: "redis/redis src/rdb.h RDB_VERSION at 7.2.0 and 7.2.6" },
    "redis 7.4": { writes: 12, readsUpTo: 12, source: "redis/redis src/rdb.h RDB_VERSION at 7.4.0 and 7.4.1" },
    // REDIS0012 was also seen written by Debian's redis-server 8.0.2.
    "redis 8.0": { writes: 12, readsUpTo: 12, source: "redis/redis src/rdb.h RDB_VERSION at 8.0-m01 and in the 8.0.6 release source" },
    "redis 8.6": { writes: 13, readsUpTo: 13, source: "redis/redis src/rdb.h RDB_VERSION in the 8.6.3 release source" },
    "valkey 7.2": { writes: 11, readsUpTo: 11, source: "valkey-io/valkey src/rdb.h RDB_VERSION at 7.2.5 and 7.2.7" },
    "valkey 8.0": { writes: 11, readsUpTo: 11, source: "valkey-io/valkey src/rdb.h RDB_VERSION at 8.0.0 and 8.0.1" },
    // Valkey 8.1 tags are newer than the sources read; REDIS0011 written and RDB 12 refused were
    // checked on Debian's valkey-server 8.1.1.
    "valkey 8.1": { writes: 11, readsUpTo: 11, source: "REDIS0011 written and RDB 12 refused by valkey-server 8.1.1" },
    "valkey 9.1": {
        writes: 80,
        readsUpTo: 80,
        refuses: { from: 12, to: 79 },
        source: "valkey-io/valkey src/rdb.h RDB_VERSION and RDB_FOREIGN_VERSION_MIN/MAX, src/rdb.c rdbIsVersionAccepted, in the 9.1.2 release source",
    },
};

/**
 * The first RDB version whose files start with the `VALKEY` magic: Valkey 9 writes "VALKEY" and three
 * digits for its own range (RDB 80 up, after the 12-79 it leaves to other servers), "REDIS" and four
 * digits below it (both 9 bytes; VALKEY080 seen written by Debian's valkey-server 9.1.2).
 */
export const VALKEY_MAGIC_FROM = 80;

/** The 9-byte header an RDB file of version `rdb` starts with: "REDIS0011", "VALKEY080". */
export function rdbFileHeader(rdb: number): string {
    return rdb >= VALKEY_MAGIC_FROM ? `VALKEY${String(rdb).padStart(3, "0")}` : `REDIS${String(rdb).padStart(4, "0")}`;
}

/** The RDB version a file's first 9 bytes name; undefined when they are no RDB header. */
export function rdbVersionOfHeader(header: string): number | undefined {
    const match = /^(?:REDIS(\d{4})|VALKEY(\d{3}))/.exec(header);
    if (!match) return undefined;
    const version = Number(match[1] ?? match[2]);
    // A header names its version in the form that version is written in, nothing else.
    return rdbFileHeader(version) === header.slice(0, 9) ? version : undefined;
}

/** Whether `format`'s loader accepts RDB version `rdb`. */
export function loadsRdb(format: RdbFormat, rdb: number): boolean {
    if (rdb < 1 || rdb > format.readsUpTo) return false;
    return !(format.refuses && rdb >= format.refuses.from && rdb <= format.refuses.to);
}

/** How `release`'s loader limits what it reads, for messages: "loads RDB versions up to 11". */
function loaderLimits(release: ServerRelease, format: RdbFormat): string {
    const refused = format.refuses ? ` except ${format.refuses.from}-${format.refuses.to} (other servers' formats)` : "";
    return `${formatRelease(release)} loads RDB versions up to ${format.readsUpTo}${refused}`;
}

/** The RDB format of `release`'s line; throws for a line that is not supported (validate first). */
export function rdbFormat(release: ServerRelease | ReleaseLine): RdbFormat {
    const line = supportedLine(release);
    const format = line && RDB_FORMATS[`${line.kind} ${line.major}.${line.minor}` as LineKey];
    if (!format) throw new Error(`${formatRelease(release)} is not a supported release; resolve the server first`);
    return format;
}

/** Whether a replica can load what its upstream sends on a full sync; if not, why. */
export type ReplicationVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Whether `replica` can replicate from `upstream`: it must load the RDB its upstream writes on a full
 * sync. The rule of thumb follows (a replica may run a newer server than its upstream, never an older
 * one), and across Redis and Valkey the formats decide: Valkey 7.2-8.1 and Redis 7.2+ exchange RDB 11,
 * while Redis 7.4+ writes 12 or 13, which no Valkey loads, and Valkey 9.1 writes 80, which only Valkey
 * 9.1 loads.
 */
export function canReplicateFrom(replica: ServerRelease, upstream: ServerRelease): ReplicationVerdict {
    const wanted = rdbFormat(upstream).writes;
    const loader = rdbFormat(replica);
    if (loadsRdb(loader, wanted)) return { ok: true };
    return {
        ok: false,
        reason:
            `a ${formatRelease(replica)} replica cannot replicate from ${formatRelease(upstream)}: ` +
            `the upstream sends RDB version ${wanted} on a full sync and ${loaderLimits(replica, loader)}; ` +
            `run the replica on a release that reads RDB ${wanted}, or upgrade replicas before their upstream`,
    };
}

/**
 * Why a node's volume, written by `from`, cannot be opened by `to` (undefined when it can): the new
 * server loads dump.rdb (and the RDB preamble of an AOF base file) at start and refuses a newer format.
 * E.g. Redis 8.0 -> Redis 7.0 is refused: RDB 12 cannot be read by a loader that stops at 10.
 */
export function dataFormatRefusal(from: ServerRelease, to: ServerRelease): string | undefined {
    const written = rdbFormat(from).writes;
    const loader = rdbFormat(to);
    if (loadsRdb(loader, written)) return undefined;
    return (
        `cannot change the server from ${formatRelease(from)} to ${formatRelease(to)} on the same volume: ` +
        `${formatRelease(from)} wrote RDB version ${written} and ${loaderLimits(to, loader)}, ` +
        `so it would refuse to start; keep ${formatRelease(from)} (or a release that reads RDB ${written}), or replace the node with an empty volume and let it resync`
    );
}
