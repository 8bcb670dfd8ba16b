import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ChainConnectionInfo, ChainCredentials } from "../lib/connectionInfo";

// The provider below is serialized into the stack and run by the engine's dynamic-provider host,
// a separate Node process without a TypeScript loader. It loads the check through tsx by absolute
// path and captures nothing but these two strings: `require` is taken from node:module at run
// time, because a captured module-scoped `require` would be serialized by value.
const TSX_API_PATH = require.resolve("tsx/cjs/api");
const DEPLOY_CHECK_PATH = path.join(__dirname, "..", "lib", "check", "deployCheck.ts");

/** Arguments of the post-deploy check. */
export interface ReplicationCheckArgs {
    /** Every node and the CA, as the stack outputs describe them. */
    readonly chain: pulumi.Input<ChainConnectionInfo>;
    /** Password and client certificate; made secret here, so the state keeps them encrypted. */
    readonly credentials: pulumi.Input<ChainCredentials>;
    /** IDs of the containers checked: a replaced or new container reruns the check. */
    readonly containerIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Bound for all links to come up, in ms. */
    readonly timeoutMs: number;
}

/** Runs lib/check/deployCheck.ts in the provider host; serialized along with the provider. */
async function runDeployCheckInProviderHost(inputs: unknown): Promise<Record<string, unknown>> {
    const { createRequire } = process.getBuiltinModule("node:module");
    const tsx = createRequire(TSX_API_PATH)(TSX_API_PATH);
    return tsx.require(DEPLOY_CHECK_PATH, DEPLOY_CHECK_PATH).runDeployCheck(inputs);
}

/**
 * The check's outputs: its inputs without the credentials, and the results. The engine runs this
 * provider without secret support and hands it the credentials in plain text; echoed back, they
 * would be stored as outputs, kept secret only by the engine copying the input's secret bit.
 */
export function checkState(inputs: Record<string, unknown>, results: Record<string, unknown>): Record<string, unknown> {
    const { credentials: _credentials, ...rest } = inputs;
    return { ...rest, ...results };
}

const checkProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs) {
        const outs = await runDeployCheckInProviderHost(inputs);
        return { id: `redis-chain-check-${Date.now()}`, outs: checkState(inputs, outs) };
    },
    async update(_id, _olds, news) {
        return { outs: checkState(news, await runDeployCheckInProviderHost(news)) };
    },
};

/**
 * Proves replication after the containers exist: every link up as declared and a fresh key read on
 * every node. Failing fails `pulumi up`.
 */
export class ReplicationCheck extends pulumi.dynamic.Resource {
    declare readonly elapsedMs: pulumi.Output<number>;
    declare readonly linksUpMs: pulumi.Output<number>;
    declare readonly nodesChecked: pulumi.Output<number>;

    constructor(name: string, args: ReplicationCheckArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            checkProvider,
            name,
            {
                ...args,
                credentials: pulumi.secret(args.credentials),
                elapsedMs: undefined,
                linksUpMs: undefined,
                nodesChecked: undefined,
            },
            // Should an output named credentials appear again, the state keeps it encrypted.
            { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "credentials"] },
            "redis-chain",
            "ReplicationCheck",
        );
    }
}
