// Turns the stack outputs (`pulumi stack output --json --show-secrets`) back into what the check takes.
import { CHECK_USER } from "./aclUsers";
import { ChainConnectionInfo, ChainCredentials, NodeConnectionInfo } from "./connectionInfo";
import { FailoverOutput } from "./failoverOutputs";
import { StaticConfig } from "./scrapeConfig";

/** Every output index.ts exports, as `pulumi stack output --json --show-secrets` prints them. */
export interface StackOutputs {
    /** Per node: role, upstream, link, published endpoints and URLs. */
    readonly nodes: Record<string, NodeConnectionInfo>;
    /** The CA certificate TLS clients verify nodes with; empty when no node speaks TLS. */
    readonly caCertPem: string;
    /** The application user's password (`default`: data commands only); absent when authentication is switched off. */
    readonly password?: string;
    /** The `admin` user's password, for operators: every command. Absent when authentication is switched off. */
    readonly adminPassword?: string;
    /** The `check` user's password (PING, INFO, its own keys), for `npm run verify`. Absent when authentication is switched off. */
    readonly checkPassword?: string;
    /** Client certificate and key, present when a node asks clients for a certificate. */
    readonly clientCertPem?: string;
    readonly clientKeyPem?: string;
    /** Name of the chain's Docker network; the same on every Docker host. */
    readonly networkName: string;
    /** Container ID per node name. */
    readonly containerIds: Record<string, string>;
    /** How long the post-deploy check took, or "disabled". */
    readonly checkElapsedMs: number | "disabled";
    /** Per node with an exporter: its Prometheus `static_configs` entry. */
    readonly metricsTargets: Record<string, StaticConfig>;
    /** A Prometheus scrape config file (`scrape_configs` of one job) for those targets. */
    readonly scrapeConfig: string;
    /** The chain's Prometheus alert rules file. */
    readonly alertRules: string;
    /** Per failover group (Sentinel): declared master, quorum, sentinels and ioredis' natMap; empty without groups. */
    readonly failover: Record<string, FailoverOutput>;
    /** What clients authenticate to the sentinels with (secret); absent without failover groups. */
    readonly sentinelPassword?: string;
}

/** The chain and the check user's credentials, as `npm run verify` and the tests check the chain with. */
export function chainFromOutputs(outputs: unknown): { chain: ChainConnectionInfo; credentials: ChainCredentials } {
    const o = outputs as Partial<StackOutputs> | null;
    if (!o || typeof o.nodes !== "object" || o.nodes === null || typeof o.caCertPem !== "string") {
        throw new Error("stack outputs lack `nodes` and `caCertPem`: is this a redis-chain stack, and was it deployed?");
    }
    if ([o.password, o.checkPassword, o.clientKeyPem, o.sentinelPassword].includes("[secret]")) {
        throw new Error("the outputs hold secrets as [secret]; read them with --show-secrets");
    }
    // With authentication on, the check logs in as the check user; the application user may not run INFO.
    if (o.password && !o.checkPassword) {
        throw new Error("the outputs have no checkPassword: the stack predates the check user; run `pulumi up` first");
    }
    const user = o.checkPassword ? { username: CHECK_USER, password: o.checkPassword } : {};
    const groups = o.failover && Object.keys(o.failover).length > 0 ? { failover: o.failover } : {};
    return {
        chain: { nodes: Object.values(o.nodes), caCertPem: o.caCertPem, ...groups },
        credentials: {
            ...user,
            clientCertPem: o.clientCertPem || undefined,
            clientKeyPem: o.clientKeyPem || undefined,
            ...(o.sentinelPassword ? { sentinelPassword: o.sentinelPassword } : {}),
        },
    };
}
