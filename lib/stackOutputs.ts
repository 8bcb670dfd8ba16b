// Turns the stack outputs (`pulumi stack output --json`) back into what the check takes.
import { ChainConnectionInfo, NodeConnectionInfo } from "./connectionInfo";

/** The outputs index.ts exports that the check needs. */
export interface StackOutputs {
    readonly nodes: Record<string, NodeConnectionInfo>;
    readonly caCertPem: string;
}

export function chainFromOutputs(outputs: unknown): ChainConnectionInfo {
    const o = outputs as Partial<StackOutputs> | null;
    if (!o || typeof o.nodes !== "object" || o.nodes === null || typeof o.caCertPem !== "string") {
        throw new Error("stack outputs lack `nodes` and `caCertPem`: is this a redis-chain stack, and was it deployed?");
    }
    return { nodes: Object.values(o.nodes), caCertPem: o.caCertPem };
}
