// The wait a rolling server change makes between two nodes: a node replaced with another server
// release is back when it answers as that release from a new process, and, for a replica, when its
// link is up, its sync done and its own replicas back online. Only then may its upstream go down.
import { ChainCredentials, NodeConnectionInfo } from "../connectionInfo";
import { ListenerTarget, NodeClient } from "./nodeClient";
import { observe, parseInfo, replicationProblem } from "./replicationStatus";
import { ServerIdentity, releaseLabel, serverIdentity } from "./serverIdentity";

/** The node to wait for and what it must report. */
export interface NodeReleaseTarget {
    readonly node: NodeConnectionInfo;
    /** PEM of the CA for TLS-only nodes. */
    readonly caCertPem: string;
    readonly credentials: ChainCredentials;
    /** The release the node must run. */
    readonly release: Pick<ServerIdentity, "kind" | "version">;
    /** The run id seen before the change: the same process still answering is the old container. */
    readonly previousRunId?: string;
}

/** Knobs of one wait. */
export interface AwaitOptions {
    readonly timeoutMs: number;
    /** Delay between polls, in ms (default 100). */
    readonly pollIntervalMs?: number;
    /** Receives a line whenever what the wait waits for changes. */
    readonly onProgress?: (line: string) => void;
}

/** How the wait ended. */
export interface AwaitResult {
    readonly ok: boolean;
    readonly elapsedMs: number;
    /** The run id of the process that answered last. */
    readonly runId?: string;
    /** Why the node is not back, when `ok` is false. */
    readonly problem?: string;
}

/** Why the node is not back yet, or undefined once it is; pure, from INFO server and replication. */
export function releaseProblem(target: NodeReleaseTarget, info: Record<string, string>): string | undefined {
    const { node, release, previousRunId } = target;
    const seen = serverIdentity(info);
    if (!seen) return `${node.name}: INFO server reports no version`;
    // A release declared without its patch (from a tag like `redis:8.0`) is met by any patch of the line.
    const versionMet = seen.version === release.version || seen.version.startsWith(`${release.version}.`);
    if (seen.kind !== release.kind || !versionMet) {
        return `${node.name} runs ${releaseLabel(seen)}, waiting for ${releaseLabel(release)}`;
    }
    if (previousRunId !== undefined && seen.runId === previousRunId) return `${node.name}: still the process from before the change`;
    if (info.master_sync_in_progress === "1") return `${node.name}: sync from its upstream in progress`;
    return replicationProblem(node, observe(info));
}

/** Polls the node until `releaseProblem` is clear or the timeout passes; never throws for a down node. */
export async function awaitNodeRelease(target: NodeReleaseTarget, options: AwaitOptions): Promise<AwaitResult> {
    const started = Date.now();
    const listener: ListenerTarget = target.node.plain
        ? { node: target.node.name, transport: "plain", endpoint: target.node.plain }
        : { node: target.node.name, transport: "tls", endpoint: target.node.tls! };
    const client = new NodeClient(listener, target.caCertPem, target.credentials);
    let last = "";
    let runId: string | undefined;
    try {
        for (;;) {
            let problem: string | undefined;
            try {
                const info = parseInfo(await client.run((c) => c.info("server").then(async (s) => s + (await c.info("replication")))));
                runId = serverIdentity(info)?.runId;
                problem = releaseProblem(target, info);
            } catch (error) {
                problem = `${target.node.name} unreachable: ${error instanceof Error ? error.message : String(error)}`;
            }
            if (problem === undefined) return { ok: true, elapsedMs: Date.now() - started, runId };
            if (problem !== last) options.onProgress?.(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${problem}`);
            last = problem;
            if (Date.now() - started >= options.timeoutMs) return { ok: false, elapsedMs: Date.now() - started, runId, problem };
            await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 100));
        }
    } finally {
        client.close();
    }
}
