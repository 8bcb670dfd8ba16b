// The rollout gate as the engine's dynamic-provider host runs it. A gate stands between a replica
// and its upstream's container: the upstream is replaced only once the gate's update returns, so a
// server change rolls from the leaves to the master, one node back and linked before the next.
import { ChainCredentials, NodeConnectionInfo } from "../connectionInfo";
import { awaitNodeRelease } from "./awaitNodeRelease";
import { ServerIdentity, releaseLabel } from "./serverIdentity";

/** Inputs of one node's rollout gate. */
export interface RolloutGateInputs {
    readonly node: NodeConnectionInfo;
    readonly caCertPem: string;
    /** Secret input: the engine stores it encrypted. */
    readonly credentials: ChainCredentials;
    /** The release the node is declared to run. */
    readonly release: Pick<ServerIdentity, "kind" | "version">;
    /** Bound for the node to come back, in ms. */
    readonly timeoutMs: number;
}

/** Outputs a gate keeps in the state. */
export interface RolloutGateOutputs {
    /** How long the last rollout waited for this node, ms; 0 when nothing changed. */
    readonly waitedMs: number;
}

/**
 * A first deploy creates every container at once, so creating a gate waits for nothing; only a
 * change of the node's release makes the gate wait for it.
 */
export async function runRolloutGate(olds: RolloutGateInputs | undefined, news: RolloutGateInputs): Promise<RolloutGateOutputs> {
    if (!olds || releaseLabel(olds.release) === releaseLabel(news.release)) return { waitedMs: 0 };
    const result = await awaitNodeRelease(news, {
        timeoutMs: news.timeoutMs,
        // Plugin stderr reaches the engine's log.
        onProgress: (line) => console.error(`redis-chain rollout ${line}`),
    });
    if (!result.ok) {
        throw new Error(
            `rolling change to ${releaseLabel(news.release)}: ${news.node.name} was not back within ${news.timeoutMs / 1000} s ` +
                `(${result.problem}); its upstream ${news.node.upstream ?? "-"} was left as it was`,
        );
    }
    return { waitedMs: result.elapsedMs };
}
