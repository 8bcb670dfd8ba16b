// Renders each node's redis.conf. Every setting the program depends on is written out, because
// images differ in their defaults (Debian's build keeps protected-mode on, the official image
// patches it off).
import { AUTH_CONF_PATH, DATA_DIR, TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH } from "./containerPaths";
import { DEFAULT_MEMORY, MemorySettings, NodeMemoryArgs, maxmemoryLines, replicaOutputBufferHardLimitMb } from "./memoryLimits";
import { directiveSupported } from "./serverDirectives";
import { HARDENING_SETTINGS } from "./serverHardening";
import { ServerRelease } from "./serverRelease";
import { NodeSpec } from "./topology";

/** Replication settings shared by every node. */
export interface ReplicationTuning {
    /** `repl-diskless-sync-delay` in seconds; Redis waits this long before each full sync, per hop. */
    readonly disklessSyncDelaySeconds: number;
    /** `repl-backlog-size` in megabytes; a replica that falls further behind needs a full sync. */
    readonly backlogSizeMb: number;
}

// Redis 7's 5 s diskless-sync delay is paid at every hop (12.3 s to converge the seed chain);
// with 0 it converged in 1.5 s here. 64 MB of backlog covers a short restart of a middle node
// under a few MB/s of writes, where the 1 MB default falls back to a full sync.
export const DEFAULT_TUNING: ReplicationTuning = { disklessSyncDelaySeconds: 0, backlogSizeMb: 64 };

/** Everything besides the topology that shapes a redis.conf. */
export interface RedisConfOptions {
    readonly tuning: ReplicationTuning;
    /** Clients and replicas must authenticate; the users and passwords come from the included auth.conf. */
    readonly authEnabled: boolean;
    /** maxmemory and its policy. */
    readonly memory: MemorySettings;
}

export const DEFAULT_CONF_OPTIONS: RedisConfOptions = { tuning: DEFAULT_TUNING, authEnabled: true, memory: DEFAULT_MEMORY };

/**
 * Renders the complete redis.conf of `node`; pure, so the same input always gives the same text.
 * It holds no secret: passwords live in auth.conf, included last.
 */
export function renderRedisConf(node: NodeSpec, options: RedisConfOptions = DEFAULT_CONF_OPTIONS): string {
    const lines: string[] = [
        `# ${node.name}: rendered by redis-chain from the stack config; redeploy instead of editing.`,
        "",
        "# Listeners. Inside the container Redis listens on every interface; what reaches it from",
        "# outside is decided by the published ports (127.0.0.1 unless configured otherwise).",
        "bind 0.0.0.0",
        // With a password protected-mode changes nothing; without one (auth switched off) it would
        // refuse every replica and every client that comes through a published port.
        `protected-mode ${options.authEnabled ? "yes" : "no"}`,
        `port ${node.listeners.plain?.port ?? 0}`,
    ];
    if (node.listeners.tls) lines.push(`tls-port ${node.listeners.tls.port}`);
    if (node.speaksTls) lines.push("", ...tlsLines(node));
    lines.push("", ...replicationLines(node, options));
    if (node.failover) lines.push("", ...failoverLines(node, options));
    lines.push("", ...persistenceLines(node));
    lines.push("", ...memoryLines(node, options));
    lines.push("", "# Closed to every connection, the administrator's included.", ...HARDENING_SETTINGS);
    if (options.authEnabled) {
        lines.push("", "# ACL users (default, admin, check, replicator, healthcheck) and masterauth.", `include ${AUTH_CONF_PATH}`);
    }
    return `${understoodLines(lines, node.release).join("\n")}\n`;
}

/**
 * Keeps comments, blank lines and the directives `release` understands: a server refuses to start
 * on one it does not know. Throws for a directive with no row in the directive table, so a new line
 * here cannot reach a deployment untested.
 */
export function understoodLines(lines: readonly string[], release: ServerRelease): string[] {
    return lines.filter((line) => line === "" || line.startsWith("#") || directiveSupported(line.split(" ")[0], release));
}

function tlsLines(node: NodeSpec): string[] {
    return [
        "# TLS. A replica also presents this certificate on its outgoing TLS replication link.",
        `tls-cert-file ${TLS_CERT_PATH}`,
        `tls-key-file ${TLS_KEY_PATH}`,
        `tls-ca-cert-file ${TLS_CA_PATH}`,
        `tls-auth-clients ${node.tlsAuthClients}`,
        'tls-protocols "TLSv1.2 TLSv1.3"',
    ];
}

function replicationLines(node: NodeSpec, options: RedisConfOptions): string[] {
    const { backlogSizeMb, disklessSyncDelaySeconds } = options.tuning;
    const lines = [
        "# Replication.",
        "repl-diskless-sync yes",
        `repl-diskless-sync-delay ${disklessSyncDelaySeconds}`,
        `repl-backlog-size ${backlogSizeMb}mb`,
        // A replica dropped for a full output buffer needs a full sync, so the buffer is never
        // smaller than the backlog that a partial resync would be served from.
        `client-output-buffer-limit replica ${replicaOutputBufferHardLimitMb(backlogSizeMb)}mb ${Math.max(64, backlogSizeMb)}mb 60`,
        // Nagle on the replication socket adds up to 40 ms per hop.
        "repl-disable-tcp-nodelay no",
    ];
    if (!node.link) return lines;
    lines.push(
        `replicaof ${node.link.target.host} ${node.link.target.port}`,
        `tls-replication ${node.link.transport === "tls" ? "yes" : "no"}`,
        "replica-read-only yes",
    );
    // Its password (masterauth) is in auth.conf. The Redis names, not Valkey 8's primaryuser/primaryauth:
    // every supported line of both servers accepts them, so one chain may mix kinds and releases.
    if (options.authEnabled) lines.push("masteruser replicator");
    // Across hosts the master sees a NATed peer; announce where this replica really answers. In a
    // Sentinel group the group's announcement (failoverLines) takes its place.
    if (node.announce && !node.failover) lines.push(`replica-announce-ip ${node.announce.ip}`, `replica-announce-port ${node.announce.port}`);
    return lines;
}

/**
 * What a Sentinel group adds. Sentinel turns any candidate into a master and the old master into a
 * replica (REPLICAOF, then CONFIG REWRITE of this file's copy in the container), so every node of the
 * group carries what either role needs.
 */
function failoverLines(node: NodeSpec, options: RedisConfOptions): string[] {
    const failover = node.failover!;
    const lines = [
        `# Failover: Sentinel group ${failover.group} (${failover.transport}).`,
        // Any node of the group may become master: a master cut off from its replicas stops taking
        // writes after min-replicas-max-lag, so fewer writes are lost when Sentinel promotes another.
        `min-replicas-to-write ${failover.minReplicasToWrite}`,
        `min-replicas-max-lag ${failover.minReplicasMaxLagS}`,
        // What Sentinel learns from the master's INFO and dials: the node's container name (resolved by
        // Docker's DNS) and container port on one host, its published address and port across hosts.
        `replica-announce-ip ${failover.announce.ip}`,
        `replica-announce-port ${failover.announce.port}`,
    ];
    // A demoted master keeps its tls-replication when Sentinel points it at the new master, and logs
    // in there as every replica does (masterauth is in its users file too).
    if (!node.link) {
        lines.push(`tls-replication ${failover.transport === "tls" ? "yes" : "no"}`);
        if (options.authEnabled) lines.push("masteruser replicator");
    }
    // Sentinel cannot reach this node over the group's transport: never promote it.
    if (failover.neverPromote) lines.push("replica-priority 0");
    return lines;
}

/** The numbers a node's maxmemory and its container's memory limit are both derived from. */
export function nodeMemory(node: NodeSpec, options: Pick<RedisConfOptions, "memory" | "tuning">): NodeMemoryArgs {
    return { ...options.memory, backlogSizeMb: options.tuning.backlogSizeMb, replicaCount: node.replicas.length };
}

function memoryLines(node: NodeSpec, options: RedisConfOptions): string[] {
    return ["# Memory: the dataset's ceiling; the policy decides what a write past it does.", ...maxmemoryLines(nodeMemory(node, options))];
}

function persistenceLines(node: NodeSpec): string[] {
    const lines = [
        `# Persistence: ${node.persistence}, in the node's own volume.`,
        `dir ${DATA_DIR}`,
        "dbfilename dump.rdb",
        // How long a stopping node waits for lagging replicas before its final save; the container
        // stop timeout (30 s) must cover this plus the save itself.
        "shutdown-timeout 3",
    ];
    // RDB saves also happen under AOF: a graceful restart from the final RDB keeps the replication ID.
    lines.push(node.persistence === "none" ? 'save ""' : "save 3600 1 300 100 60 10000");
    lines.push(`appendonly ${node.persistence === "aof" ? "yes" : "no"}`);
    if (node.persistence === "aof") lines.push("appendfsync everysec");
    return lines;
}
