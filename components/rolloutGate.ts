import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ChainCredentials, NodeConnectionInfo } from "../lib/connectionInfo";
import { ServerIdentity } from "../lib/check/serverIdentity";

// Serialized into the stack and run by the engine's dynamic-provider host (plain Node, no
// TypeScript loader): it loads lib/check/deployRollout.ts through tsx by absolute path and
// captures nothing but these two strings.
const TSX_API_PATH = require.resolve("tsx/cjs/api");
const DEPLOY_ROLLOUT_PATH = path.join(__dirname, "..", "lib", "check", "deployRollout.ts");

/** Arguments of one replica's rollout gate. */
export interface RolloutGateArgs {
    /** The replica, as the stack outputs describe it. */
    readonly node: pulumi.Input<NodeConnectionInfo>;
    /** PEM of the CA, for TLS-only replicas. */
    readonly caCertPem: pulumi.Input<string>;
    /** Credentials the gate reads INFO with; made secret here. */
    readonly credentials: pulumi.Input<ChainCredentials>;
    /** The release the replica is declared to run. */
    readonly release: Pick<ServerIdentity, "kind" | "version">;
    /** Bound for the replica to come back after its container is replaced, ms. */
    readonly timeoutMs: number;
}

async function runRolloutGateInProviderHost(olds: unknown, news: unknown): Promise<Record<string, unknown>> {
    const { createRequire } = process.getBuiltinModule("node:module");
    const tsx = createRequire(TSX_API_PATH)(TSX_API_PATH);
    return tsx.require(DEPLOY_ROLLOUT_PATH, DEPLOY_ROLLOUT_PATH).runRolloutGate(olds, news);
}

const gateProvider: pulumi.dynamic.ResourceProvider = {
    // Creating a gate never waits (runRolloutGate without olds returns at once): answered here, so a
    // first deploy's upstream containers do not wait for the provider host to load the check code.
    async create(inputs) {
        return { id: `redis-chain-rollout-${Date.now()}`, outs: { ...inputs, waitedMs: 0 } };
    },
    async update(_id, olds, news) {
        return { outs: { ...news, ...(await runRolloutGateInProviderHost(olds, news)) } };
    },
};

/**
 * Stands between a replica and its upstream's container (the upstream `dependsOn` it). Its update
 * returns only once the replica runs its declared release and is linked again, so the engine
 * replaces the upstream after it: leaves first, the master last.
 */
export class RolloutGate extends pulumi.dynamic.Resource {
    declare readonly waitedMs: pulumi.Output<number>;

    constructor(name: string, args: RolloutGateArgs, opts?: pulumi.CustomResourceOptions) {
        super(gateProvider, name, { ...args, credentials: pulumi.secret(args.credentials), waitedMs: undefined }, opts, "redis-chain", "RolloutGate");
    }
}
