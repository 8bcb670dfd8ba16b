import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { GuardedRelease } from "../lib/serverReleaseGuard";

// Serialized into the stack and run by the engine's dynamic-provider host (plain Node, no
// TypeScript loader): it loads lib/serverReleaseGuard.ts through tsx by absolute path and captures
// nothing but these two strings.
const TSX_API_PATH = require.resolve("tsx/cjs/api");
const GUARD_PATH = path.join(__dirname, "..", "lib", "serverReleaseGuard.ts");

/** Arguments of the stack's server-release guard. */
export interface ServerReleaseGuardArgs {
    /** Every node's declared server (from `guardedReleases`). */
    readonly nodes: readonly GuardedRelease[];
}

const guardProvider: pulumi.dynamic.ResourceProvider = {
    // The engine calls check on every registration, in preview and in `up`, before diff, create or
    // update; failures make the resource invalid and end the deployment before its step runs
    // (pulumi/pulumi pkg/resource/deploy/step_generator.go, continueStepsFromImport: issueCheckErrors,
    // then "resource %s is invalid"). Resources that `dependsOn` the guard are never registered then.
    async check(olds, news) {
        const { createRequire } = process.getBuiltinModule("node:module");
        const tsx = createRequire(TSX_API_PATH)(TSX_API_PATH);
        const failures = tsx.require(GUARD_PATH, GUARD_PATH).releaseRefusals(olds, news);
        return { inputs: news, failures };
    },
    async create(inputs) {
        return { id: "redis-chain-server-releases", outs: inputs };
    },
    async update(_id, _olds, news) {
        return { outs: news };
    },
};

/**
 * Holds each node's declared server in the stack state. Its check refuses a change that would open a
 * node's volume with a server that cannot read the data format written there (e.g. Redis 8.0 ->
 * 7.0); every node's volume and container `dependsOn` it, so a refused change touches no node.
 */
export class ServerReleaseGuard extends pulumi.dynamic.Resource {
    constructor(name: string, args: ServerReleaseGuardArgs, opts?: pulumi.CustomResourceOptions) {
        super(guardProvider, name, { nodes: args.nodes }, opts, "redis-chain", "ServerReleaseGuard");
    }
}
