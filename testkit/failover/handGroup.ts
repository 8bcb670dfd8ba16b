// A Sentinel group built with the docker CLI, no Pulumi: master A, replica B, three sentinels on one
// user-defined network, described in the stack outputs' shape. It lets the failover bench and the
// fact-finding runs work before (and independently of) the program's own Sentinel wiring. Config
// files are copied in root-owned 0644 outside /data, as the program uploads them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { removeLeftovers } from "../dockerObjects";
import { docker } from "../harness/run";
import { FailoverTarget } from "./failoverOutputs";
import { waitForSentinelsReady } from "./sentinelView";

/** Knobs of one hand-made group. */
export interface HandGroupOptions {
    /** Every container and the network start with this (also the sweep's prefix). */
    readonly prefix: string;
    readonly image: string;
    /** Host ports: nodes at base+1, base+2; sentinels at base+11, +12, +13. */
    readonly hostPortBase: number;
    /** `sentinel down-after-milliseconds`. */
    readonly downAfterMs: number;
    /** `sentinel failover-timeout` (default 60000). */
    readonly failoverTimeoutMs?: number;
    /** `min-replicas-to-write` / `min-replicas-max-lag` on both nodes; absent: off. */
    readonly minReplicas?: { readonly toWrite: number; readonly maxLagSeconds: number };
    /** `sentinel auth-user` rules on the nodes (default SENTINEL_NODE_RULES). */
    readonly sentinelRules?: string;
}

/** The ACL rules of the sentinel user on the nodes that the program grants. */
export const SENTINEL_NODE_RULES =
    "allchannels +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill";

export const HAND_PASSWORDS = { application: "app-pass", admin: "admin-pass", replication: "repl-pass", sentinel: "sentinel-pass", sentinelClient: "sentinel-client-pass" } as const;

/** Where the node's config goes: root-owned 0644 outside /data, as the program uploads it. */
const NODE_CONF_PATH = "/usr/local/etc/redis/redis.conf";

/** A running hand-made group. */
export interface HandGroup {
    readonly target: FailoverTarget;
    /** Container name of each node ("a", "b") and sentinel. */
    readonly containers: { readonly a: string; readonly b: string; readonly sentinels: readonly string[] };
    readonly network: string;
    /** Removes every container, volume and the network. */
    remove(): Promise<void>;
    /**
     * Replaces a node's container by one with its original config plus `extraArgs` on the command
     * line (e.g. `--replicaof redis-b 6379`), on the same /data volume, and starts it.
     */
    recreateNode(node: "a" | "b", extraArgs: readonly string[]): Promise<void>;
}

function nodeConf(name: string, options: HandGroupOptions, replicaOf?: string): string {
    const p = HAND_PASSWORDS;
    return [
        "port 6379",
        "bind * -::*",
        `replica-announce-ip ${name}`,
        "masteruser replicator",
        `masterauth ${p.replication}`,
        "repl-diskless-sync yes",
        "repl-diskless-sync-delay 0",
        "repl-backlog-size 64mb",
        "save 3600 1 300 100 60 10000",
        "appendonly no",
        ...(options.minReplicas ? [`min-replicas-to-write ${options.minReplicas.toWrite}`, `min-replicas-max-lag ${options.minReplicas.maxLagSeconds}`] : []),
        ...(replicaOf ? [`replicaof ${replicaOf} 6379`] : []),
        `user default on >${p.application} ~* &* +@all -@admin -@dangerous`,
        `user admin on >${p.admin} ~* &* +@all`,
        `user replicator on >${p.replication} resetchannels -@all +psync +replconf +ping`,
        `user sentinel on >${p.sentinel} ${options.sentinelRules ?? SENTINEL_NODE_RULES}`,
        "",
    ].join("\n");
}

function sentinelConf(master: string, options: HandGroupOptions, quorum: number): string {
    const p = HAND_PASSWORDS;
    return [
        "port 26379",
        "sentinel resolve-hostnames yes",
        "sentinel announce-hostnames yes",
        `requirepass ${p.sentinelClient}`,
        // Sentinels log in to each other with the same password their clients use.
        `sentinel sentinel-pass ${p.sentinelClient}`,
        `sentinel monitor ${options.prefix}group ${master} 6379 ${quorum}`,
        `sentinel auth-user ${options.prefix}group sentinel`,
        `sentinel auth-pass ${options.prefix}group ${p.sentinel}`,
        `sentinel down-after-milliseconds ${options.prefix}group ${options.downAfterMs}`,
        `sentinel failover-timeout ${options.prefix}group ${options.failoverTimeoutMs ?? 60_000}`,
        `sentinel parallel-syncs ${options.prefix}group 1`,
        "",
    ].join("\n");
}

/** Creates and starts the group; waits until every sentinel knows the replica and the other two sentinels. */
export async function startHandGroup(options: HandGroupOptions): Promise<HandGroup> {
    const { prefix, image, hostPortBase: base } = options;
    const network = `${prefix}net`;
    const a = `${prefix}a`;
    const b = `${prefix}b`;
    const sentinels = [1, 2, 3].map((i) => `${prefix}s${i}`);
    const quorum = 2;
    const dir = mkdtempSync(join(tmpdir(), `${prefix}conf-`));
    const remove = async () => void (await removeLeftovers(prefix));
    try {
        await docker(["network", "create", network]);
        const create = async (name: string, hostPort: number, containerPort: number, cmd: string[], file: string, content: string) => {
            // A named volume for /data, so that a node recreated with other arguments keeps its RDB.
            const volume = ["-v", `${name}-data:/data`];
            await docker(["create", "--name", name, "--hostname", name, "--network", network, ...volume, "-p", `127.0.0.1:${hostPort}:${containerPort}`, image, ...cmd]);
            // docker cp creates a missing destination folder only when it copies a folder.
            const local = join(dir, name);
            mkdirSync(local, { mode: 0o755 });
            writeFileSync(join(local, basename(file)), content, { mode: 0o644 });
            await docker(["cp", `${local}/.`, `${name}:${dirname(file)}`]);
            await docker(["start", name]);
        };
        const nodeFile = NODE_CONF_PATH;
        await create(a, base + 1, 6379, ["redis-server", nodeFile], nodeFile, nodeConf(a, options));
        await create(b, base + 2, 6379, ["redis-server", nodeFile], nodeFile, nodeConf(b, options, a));
        // Sentinel rewrites its own file: it lives in /data, which the entrypoint hands to the redis user.
        for (const [i, s] of sentinels.entries()) {
            await create(s, base + 11 + i, 26379, ["redis-server", "/data/sentinel.conf", "--sentinel"], "/data/sentinel.conf", sentinelConf(a, options, quorum));
        }
    } catch (error) {
        await remove();
        throw error;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
    const group: FailoverTarget = {
        masterName: `${prefix}group`,
        group: {
            declaredMaster: a,
            quorum,
            sentinels: sentinels.map((name, i) => ({ name, host: "127.0.0.1", port: base + 11 + i })),
            natMap: { [`${a}:6379`]: { host: "127.0.0.1", port: base + 1 }, [`${b}:6379`]: { host: "127.0.0.1", port: base + 2 } },
        },
        sentinelPassword: HAND_PASSWORDS.sentinelClient,
        password: HAND_PASSWORDS.application,
        inspector: { username: "admin", password: HAND_PASSWORDS.admin },
    };
    try {
        await waitForSentinelsReady(group, 1, 30_000);
    } catch (error) {
        await remove();
        throw error;
    }
    const recreateNode = async (node: "a" | "b", extraArgs: readonly string[]) => {
        const name = node === "a" ? a : b;
        const dir2 = mkdtempSync(join(tmpdir(), `${prefix}conf-`));
        try {
            await docker(["rm", "--force", name]);
            await docker(["create", "--name", name, "--hostname", name, "--network", network, "-v", `${name}-data:/data`, "-p", `127.0.0.1:${base + (node === "a" ? 1 : 2)}:6379`, image, "redis-server", NODE_CONF_PATH, ...extraArgs]);
            mkdirSync(join(dir2, "c"), { mode: 0o755 });
            writeFileSync(join(dir2, "c", basename(NODE_CONF_PATH)), nodeConf(name, options, node === "b" ? a : undefined), { mode: 0o644 });
            await docker(["cp", `${join(dir2, "c")}/.`, `${name}:${dirname(NODE_CONF_PATH)}`]);
            await docker(["start", name]);
        } finally {
            rmSync(dir2, { recursive: true, force: true });
        }
    };
    return { target: group, containers: { a, b, sentinels }, network, remove, recreateNode };
}
