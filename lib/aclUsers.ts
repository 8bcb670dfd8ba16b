// The ACL users every node carries and their rules, rendered as the lines of the node's secret
// users file (included by redis.conf, mode 0600, readable by Redis only). Each user gets exactly
// the commands its one job needs; every Redis and Valkey version the program runs has to accept
// every rule written here, so no rule names a command newer than Redis 7.0.
import { createHash } from "node:crypto";
import { understoodLines } from "./redisConf";
import { NodeSpec, runsWriteFence } from "./topology";

/** One ACL user as written in the users file. */
export interface AclUser {
    /** ACL user name. */
    readonly name: string;
    /** What the user is for; rendered as a comment above its line. */
    readonly purpose: string;
    /** Its password in plain text; the file carries only its SHA-256 (`#<hex>`). */
    readonly password: string;
    /** Command, key and channel rules, applied left to right after `reset on`. */
    readonly rules: readonly string[];
}

/** One password per user; generated elsewhere (@pulumi/random), never by this code. */
export interface UserPasswords {
    /** The application user's (`default`) password: what clients send with `AUTH <password>`. */
    readonly application: string;
    /** The `admin` user's password, for operators only. */
    readonly admin: string;
    /** The `check` user's password, for the post-deploy check and `npm run verify`. */
    readonly check: string;
    /** The `replicator` user's password; replicas log in to their upstream with it (`masterauth`). */
    readonly replication: string;
    /** The `healthcheck` user's password, for the container healthcheck. */
    readonly healthcheck: string;
    /** The `exporter` user's password, for the node's metrics exporter; absent when no exporter runs. */
    readonly exporter?: string;
    /** The `sentinel` user's password, for the sentinels of the node's failover group; absent outside a group. */
    readonly sentinel?: string;
    /** The `fence` user's password, for a failover candidate's write fence; absent outside a group. */
    readonly fence?: string;
}

/** Choices that widen the application user. */
export interface ApplicationAccess {
    /** Allow `@scripting` (EVAL, EVALSHA, SCRIPT, FCALL, FUNCTION); off by default. */
    readonly allowScripting: boolean;
}

export const DEFAULT_APPLICATION_ACCESS: ApplicationAccess = { allowScripting: false };

/**
 * The application user is `default`: a client that sends only a password (`AUTH <password>`,
 * `redis-cli -a`, ioredis' `password` option, which sends `HELLO 3 AUTH default <password>`) logs
 * in as `default`, so a named application user would break every such client, and `default` with a
 * password and narrowed rules is exactly as safe as a named user: nothing reaches Redis
 * unauthenticated, because `default` is not `nopass`.
 */
export const APPLICATION_USER = "default";
/** ACL user of operators: everything. */
export const ADMIN_USER = "admin";
/** ACL user of the post-deploy check and `npm run verify`. */
export const CHECK_USER = "check";
/** ACL user replicas log in as; allowed what a replica sends its master, nothing else. */
export const REPLICATION_USER = "replicator";
/** ACL user of the container healthcheck; allowed PING and INFO only. */
export const HEALTHCHECK_USER = "healthcheck";
/** ACL user of the metrics exporter (redis_exporter); allowed what its default scrape reads. */
export const EXPORTER_USER = "exporter";

/** ACL user the sentinels of a failover group log in to its nodes as (`sentinel auth-user`). */
export const SENTINEL_USER = "sentinel";

/** ACL user of a failover candidate's write fence (lib/writeFence.ts), which runs inside the node's container. */
export const FENCE_USER = "fence";

/** The check's keys; the check writes and deletes only keys under this prefix. */
export const CHECK_KEY_PREFIX = "redis-chain:check:";

/**
 * Rules of the application user: the data commands of every data type, transactions, pub/sub and
 * blocking reads, on every key (`~*`) and channel (`&*`); nothing administrative.
 *
 * Allowed categories: @connection (AUTH, HELLO, PING, SELECT, CLIENT SETNAME...), @transaction,
 * @keyspace, @read, @write, @string, @list, @hash, @set, @sortedset, @stream, @bitmap,
 * @hyperloglog, @geo, @pubsub (queues, cache invalidation and many frameworks need it), @blocking
 * (BLPOP, BZPOPMIN, XREAD BLOCK: what job queues wait with); and TIME and ACL WHOAMI, which sit in
 * no data category. Never granted: the rest of @fast/@slow that no listed category holds (CLUSTER
 * and MEMORY introspection, ACL CAT/GENPASS).
 * Then removed, whatever category brought them in: @admin (CONFIG, so `CONFIG GET masterauth` is
 * refused; ACL SETUSER; REPLICAOF; SHUTDOWN; DEBUG; MODULE; MONITOR; SAVE...), @dangerous (also
 * FLUSHALL/FLUSHDB, KEYS, SORT, SWAPDB, MIGRATE, RESTORE, CLIENT KILL/LIST, and INFO and ROLE: they
 * expose the topology and configuration, so applications do not get INFO), and @scripting unless
 * allowed (it is removed last because @write carries FUNCTION LOAD/DELETE/FLUSH/RESTORE).
 * An allow-list rather than `+@all` minus: a category a later version adds (Redis 8's module
 * categories) stays closed until chosen here.
 */
export function applicationRules(access: ApplicationAccess = DEFAULT_APPLICATION_ACCESS): string[] {
    return [
        "~*",
        "&*",
        "-@all",
        ...APPLICATION_CATEGORIES.map((category) => `+@${category}`),
        ...(access.allowScripting ? ["+@scripting"] : []),
        // In no data category (only @fast/@slow), harmless, and used by client libraries.
        "+time",
        "+acl|whoami",
        "-@admin",
        "-@dangerous",
        ...(access.allowScripting ? [] : ["-@scripting"]),
    ];
}

/** The categories the application user is given before @admin and @dangerous are taken away. */
export const APPLICATION_CATEGORIES: readonly string[] = [
    "connection",
    "transaction",
    "keyspace",
    "read",
    "write",
    "string",
    "list",
    "hash",
    "set",
    "sortedset",
    "stream",
    "bitmap",
    "hyperloglog",
    "geo",
    "pubsub",
    "blocking",
];

/** Rules of the administrator: every command, key and channel. */
export const ADMIN_RULES: readonly string[] = ["~*", "&*", "+@all"];

/**
 * Rules of the check user: PING; INFO (the check reads INFO replication, ioredis' ready check sends
 * INFO); SET (with PX), GET and DEL on the check's own keys only. HELLO and AUTH need no rule (Redis
 * lets any user run commands flagged no-auth). ioredis also sends CLIENT SETINFO on connect and
 * ignores its refusal; it cannot be allowed here because Redis 7.0 does not know that subcommand and
 * would refuse the whole file: the check's client should set `disableClientInfo: true` instead.
 */
export const CHECK_RULES: readonly string[] = [`~${CHECK_KEY_PREFIX}*`, "resetchannels", "-@all", "+ping", "+info", "+set", "+get", "+del"];

/** Rules of the replication user: what a replica sends its master (PING, REPLCONF, PSYNC). */
export const REPLICATION_RULES: readonly string[] = ["resetchannels", "-@all", "+psync", "+replconf", "+ping"];

/** Rules of the healthcheck user: PING on a master, INFO replication on a replica. */
export const HEALTHCHECK_RULES: readonly string[] = ["resetchannels", "-@all", "+ping", "+info"];

/**
 * Rules of the exporter user: what redis_exporter sends on a scrape with its default options, minus
 * what would expose data or secrets. Its scrape sends CLIENT SETNAME, CONFIG GET *, INFO ALL (INFO
 * when that fails), LATENCY LATEST, LATENCY HISTOGRAM, SLOWLOG LEN and SLOWLOG GET 1, and skips each
 * figure whose command is refused. Not granted: CONFIG GET (it returns `masterauth` in plain text on
 * a replica; the exporter runs with `--config-command=-` so it does not ask, and it then takes 16
 * databases and omits the `redis_config_*` gauges), SLOWLOG GET (its entries carry the arguments of
 * the application's slow commands: key names and values; `redis_slowlog_last_id` stays 0). No key or
 * channel: the exporter's key-checking options, which need SCAN/GET/TYPE, are not used.
 */
export const EXPORTER_RULES: readonly string[] = [
    "resetchannels",
    "-@all",
    "+ping",
    "+info",
    "+client|setname",
    "+latency|latest",
    "+latency|histogram",
    "+slowlog|len",
];

/**
 * Rules of the sentinel user: exactly what Redis's ACL documentation lists for Sentinel ("ACL rules
 * for Sentinel and Replicas"): every channel (it publishes and subscribes `__sentinel__:hello`), and
 * MULTI/EXEC around SLAVEOF (REPLICAOF) and CONFIG REWRITE when it reconfigures a node, PING, INFO,
 * ROLE, CLIENT SETNAME, CLIENT KILL (it drops the clients of a demoted master), SCRIPT KILL (of a
 * master stuck in a script), SUBSCRIBE and PUBLISH. No key, and nothing else: the users file writes
 * `reset` before every user's rules.
 */
export const SENTINEL_RULES: readonly string[] = [
    "allchannels",
    "+multi",
    "+slaveof",
    "+ping",
    "+exec",
    "+subscribe",
    "+config|rewrite",
    "+role",
    "+publish",
    "+info",
    "+client|setname",
    "+client|kill",
    "+script|kill",
];

/**
 * Rules of the fence user: INFO (it reads the node's role and good replicas) and CONFIG SET (it sets
 * min-replicas-to-write). Redis 7.0 cannot narrow CONFIG SET to one parameter; the password sits only
 * in the node's own container, readable by the server's user, who can change the server's config anyway.
 */
export const FENCE_RULES: readonly string[] = ["resetchannels", "-@all", "+info", "+config|set"];

/**
 * Every user of a node. The extension point: a Sentinel user or a metrics-exporter user is one
 * more entry here (with its password in `UserPasswords`).
 */
export function nodeUsers(passwords: UserPasswords, access: ApplicationAccess = DEFAULT_APPLICATION_ACCESS): AclUser[] {
    return [
        { name: APPLICATION_USER, purpose: "clients: data commands only", password: passwords.application, rules: applicationRules(access) },
        { name: ADMIN_USER, purpose: "operators: everything", password: passwords.admin, rules: ADMIN_RULES },
        { name: CHECK_USER, purpose: "post-deploy check: PING, INFO, its own keys", password: passwords.check, rules: CHECK_RULES },
        { name: REPLICATION_USER, purpose: "replicas logging in to this node", password: passwords.replication, rules: REPLICATION_RULES },
        { name: HEALTHCHECK_USER, purpose: "container healthcheck: PING, INFO", password: passwords.healthcheck, rules: HEALTHCHECK_RULES },
        ...(passwords.exporter === undefined
            ? []
            : [{ name: EXPORTER_USER, purpose: "metrics exporter: INFO, LATENCY, SLOWLOG LEN", password: passwords.exporter, rules: EXPORTER_RULES }]),
        ...(passwords.sentinel === undefined
            ? []
            : [{ name: SENTINEL_USER, purpose: "sentinels of the failover group: monitoring and failover", password: passwords.sentinel, rules: SENTINEL_RULES }]),
        ...(passwords.fence === undefined
            ? []
            : [{ name: FENCE_USER, purpose: "write fence of a failover candidate: INFO, CONFIG SET", password: passwords.fence, rules: FENCE_RULES }]),
    ];
}

/** What goes into one node's users file. */
export interface UsersFileArgs {
    /** The node's name, for the header comment. */
    readonly nodeName: string;
    /** Every user of the node (see `nodeUsers`). */
    readonly users: readonly AclUser[];
    /** The password this node logs in to its upstream with; absent on a master. */
    readonly masterauth?: string;
}

/** Renders the users file's lines (without trailing newline); throws on anything Redis would misread. */
export function renderUsersFile(args: UsersFileArgs): string[] {
    validateUsers(args.users);
    const lines = [`# ${args.nodeName}: ACL users rendered by redis-chain; mode 0600, readable by Redis only.`];
    for (const user of args.users) {
        // `reset` first: the line alone decides the user, whatever acl-pubsub-default says.
        lines.push(`# ${user.purpose}`, ["user", user.name, "reset", "on", `#${sha256Hex(user.password)}`, ...user.rules].join(" "));
    }
    if (args.masterauth !== undefined) {
        // Redis needs it in plain text to log in upstream; hence the file's mode.
        validatePassword("masterauth", args.masterauth);
        lines.push(`masterauth ${args.masterauth}`);
    }
    return lines;
}

/**
 * The users file of one node as uploaded: every user, and on a replica the replication password
 * it logs in to its upstream with. Every node carries every user, so any node can serve replicas
 * and a promoted replica needs no new file.
 */
export function renderNodeUsersFile(
    node: Pick<NodeSpec, "name" | "link" | "release" | "failover">,
    passwords: UserPasswords,
    access: ApplicationAccess = DEFAULT_APPLICATION_ACCESS,
): string {
    // Only the nodes of a failover group carry the sentinel user, and only those running a write fence the fence user.
    const { sentinel, fence, ...outsideGroup } = passwords;
    const users = {
        ...outsideGroup,
        ...(node.failover ? { sentinel } : {}),
        ...(runsWriteFence(node) ? { fence } : {}),
    };
    const lines = renderUsersFile({
        nodeName: node.name,
        users: nodeUsers(users, access),
        // A failover group's master may be demoted to a replica by Sentinel: it needs the login too.
        masterauth: node.link || node.failover ? passwords.replication : undefined,
    });
    return `${understoodLines(lines, node.release).join("\n")}\n`;
}

const NAME = /^[A-Za-z0-9_-]+$/;
// Passwords are single tokens in the config file (masterauth is written in plain text).
const PASSWORD = /^[A-Za-z0-9_-]+$/;
// Passwords, `nopass` and `reset*` of passwords belong to the renderer, not to a user's rules.
const FORBIDDEN_RULE = /^(>|<|#|!|nopass$|resetpass$|on$|off$)/;

function validateUsers(users: readonly AclUser[]): void {
    const names = new Set<string>();
    const passwords = new Map<string, string>();
    for (const user of users) {
        if (!NAME.test(user.name)) throw new Error(`ACL user name "${user.name}" must be alphanumeric`);
        if (names.has(user.name)) throw new Error(`ACL user "${user.name}" is declared twice`);
        names.add(user.name);
        validatePassword(`${user.name} user's`, user.password);
        const twin = passwords.get(user.password);
        // One shared password would let one user's holder log in as the other.
        if (twin) throw new Error(`the ${user.name} and ${twin} users must not share a password`);
        passwords.set(user.password, user.name);
        for (const rule of user.rules) {
            if (rule === "" || /\s/.test(rule)) throw new Error(`ACL rule "${rule}" of ${user.name} must be one token`);
            if (FORBIDDEN_RULE.test(rule)) throw new Error(`ACL rule "${rule}" of ${user.name} is not a command, key or channel rule`);
        }
    }
}

function validatePassword(which: string, password: string): void {
    if (!PASSWORD.test(password)) throw new Error(`the ${which} password must be alphanumeric`);
}

function sha256Hex(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("hex");
}
