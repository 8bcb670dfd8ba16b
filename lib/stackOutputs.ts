// Turns the stack outputs (`pulumi stack output --json --show-secrets`) back into what the check takes.
import { ChainConnectionInfo, ChainCredentials, NodeConnectionInfo } from "./connectionInfo";

/** The outputs index.ts exports that the check needs. */
export interface StackOutputs {
    readonly nodes: Record<string, NodeConnectionInfo>;
    readonly caCertPem: string;
    /** Absent when authentication is switched off. */
    readonly password?: string;
    /** Present when a node asks clients for a certificate. */
    readonly clientCertPem?: string;
    readonly clientKeyPem?: string;
}

export function chainFromOutputs(outputs: unknown): { chain: ChainConnectionInfo; credentials: ChainCredentials } {
    const o = outputs as Partial<StackOutputs> | null;
    if (!o || typeof o.nodes !== "object" || o.nodes === null || typeof o.caCertPem !== "string") {
        throw new Error("stack outputs lack `nodes` and `caCertPem`: is this a redis-chain stack, and was it deployed?");
    }
    if (o.password === "[secret]" || o.clientKeyPem === "[secret]") {
        throw new Error("the outputs hold secrets as [secret]; read them with --show-secrets");
    }
    return {
        chain: { nodes: Object.values(o.nodes), caCertPem: o.caCertPem },
        credentials: { password: o.password || undefined, clientCertPem: o.clientCertPem || undefined, clientKeyPem: o.clientKeyPem || undefined },
    };
}
