// Which config directives each server release understands. A server refuses to start on a directive
// it does not know (Redis 7.x and Valkey: "Bad directive or wrong number of arguments"; Redis 8
// keeps unknown names for modules, then aborts with "Unresolved Configuration(s) Detected"), so the
// renderer writes only what the node's release accepts. First releases were read from the config table of src/config.c
// (`createBoolConfig("name", "alias", ...)` etc. in standardConfig, plus the keywords `include`,
// `user` and `rename-command` parsed in loadServerConfigFromString) at the tags redis/redis 7.0.0,
// 7.0.15, 7.2.0, 7.4.0, 8.0-m01 and valkey-io/valkey 7.2.5, 8.0.0, in the release sources of Redis
// 8.0.6 and 8.6.3 and Valkey 9.1.2, and checked on Debian's redis-server 7.0.15 and 8.0.2 and
// valkey-server 8.1.1. Their meaning holds across the newest lines: the config-table entry of every
// directive below (name, alias, flags, bounds, default) is the same in Redis 8.0.6 and 8.6.3, and in
// Valkey 8.1.1 and 9.1.2 (so primaryuser/primaryauth still take masteruser/masterauth as aliases and
// hide-user-data-from-log still defaults to yes); Redis 8.6.3 still has neither primary* name.
import { ReleaseLine, ServerKind, ServerRelease, compareVersions } from "./serverRelease";

/** First line (major.minor) of each kind that accepts a directive; absent: that kind never does. */
export type DirectiveAvailability = { readonly [K in ServerKind]?: { readonly major: number; readonly minor: number } };

const REDIS_7_0 = { major: 7, minor: 0 };
const VALKEY_7_2 = { major: 7, minor: 2 };
/** In every supported line of both kinds (Redis 7.0+, Valkey 7.2+). */
const EVERYWHERE: DirectiveAvailability = { redis: REDIS_7_0, valkey: VALKEY_7_2 };

/**
 * Every directive the program renders or is about to render. Only four are version-dependent:
 * `hide-user-data-from-log` arrived in Redis 7.4.0 (default no) and Valkey 8.0.0 (default yes);
 * Valkey 8.0.0 renamed masteruser/masterauth to primaryuser/primaryauth, keeping the old names as
 * aliases, which Redis never accepts; `rdb-version-check` is Valkey 8.1's.
 */
export const DIRECTIVES: Readonly<Record<string, DirectiveAvailability>> = {
    // Listeners.
    bind: EVERYWHERE,
    "protected-mode": EVERYWHERE,
    port: EVERYWHERE,
    "tls-port": EVERYWHERE,
    // TLS; the tls-* names exist only in builds with TLS (USE_OPENSSL), which Debian's and the
    // official images are.
    "tls-cert-file": EVERYWHERE,
    "tls-key-file": EVERYWHERE,
    "tls-ca-cert-file": EVERYWHERE,
    "tls-auth-clients": EVERYWHERE,
    "tls-protocols": EVERYWHERE,
    "tls-ciphersuites": EVERYWHERE,
    "tls-ciphers": EVERYWHERE,
    "tls-prefer-server-ciphers": EVERYWHERE,
    "tls-session-caching": EVERYWHERE,
    "tls-replication": EVERYWHERE,
    // Replication.
    replicaof: EVERYWHERE,
    "replica-read-only": EVERYWHERE,
    "repl-diskless-sync": EVERYWHERE,
    "repl-diskless-sync-delay": EVERYWHERE,
    "repl-diskless-sync-max-replicas": EVERYWHERE,
    "repl-backlog-size": EVERYWHERE,
    "repl-disable-tcp-nodelay": EVERYWHERE,
    "client-output-buffer-limit": EVERYWHERE,
    "replica-announce-ip": EVERYWHERE,
    "replica-announce-port": EVERYWHERE,
    "replica-priority": EVERYWHERE,
    "min-replicas-to-write": EVERYWHERE,
    "min-replicas-max-lag": EVERYWHERE,
    masteruser: EVERYWHERE,
    masterauth: EVERYWHERE,
    primaryuser: { valkey: { major: 8, minor: 0 } },
    primaryauth: { valkey: { major: 8, minor: 0 } },
    // Persistence and shutdown.
    dir: EVERYWHERE,
    dbfilename: EVERYWHERE,
    save: EVERYWHERE,
    appendonly: EVERYWHERE,
    appendfsync: EVERYWHERE,
    "shutdown-timeout": EVERYWHERE,
    // Absent from valkey-io/valkey src/config.c at 8.0.1; introduced by the 8.1.0 release notes.
    "rdb-version-check": { valkey: { major: 8, minor: 1 } },
    // Security and memory.
    include: EVERYWHERE,
    requirepass: EVERYWHERE,
    user: EVERYWHERE,
    "enable-debug-command": EVERYWHERE,
    "enable-module-command": EVERYWHERE,
    "enable-protected-configs": EVERYWHERE,
    "hide-user-data-from-log": { redis: { major: 7, minor: 4 }, valkey: { major: 8, minor: 0 } },
    maxmemory: EVERYWHERE,
    "maxmemory-policy": EVERYWHERE,
};

/**
 * Whether `release` accepts directive `name`. Throws for a name missing from DIRECTIVES, so a
 * directive added to the renderer without a row here fails its tests instead of a deployment.
 */
export function directiveSupported(name: string, release: ServerRelease | ReleaseLine): boolean {
    const row = Object.prototype.hasOwnProperty.call(DIRECTIVES, name) ? DIRECTIVES[name] : undefined;
    if (!row) throw new Error(`directive "${name}" has no row in DIRECTIVES; add the first release of each server that accepts it`);
    const first = row[release.kind];
    return first !== undefined && compareVersions(release, first) >= 0;
}

/** The names of the replication login directives: Valkey 8.0+ has its own, Redis and Valkey 7.2 the old ones. */
export function upstreamAuthDirectives(release: ServerRelease | ReleaseLine): { readonly user: string; readonly password: string } {
    return directiveSupported("primaryuser", release) ? { user: "primaryuser", password: "primaryauth" } : { user: "masteruser", password: "masterauth" };
}
