// The shape of one failover group as the stack outputs describe it (`failover[group]`), and the
// client-side view of it. Plain data: the bench hands it to a child process as JSON.

/** Where a client on the host reaches a container port: a published port on 127.0.0.1. */
export interface HostAddress {
    readonly host: string;
    readonly port: number;
}

/** One sentinel of a group as the outputs list it. */
export interface SentinelEndpoint extends HostAddress {
    /** Its container name. */
    readonly name: string;
}

/** `failover[group]` of the stack outputs. */
export interface FailoverGroup {
    /** The node Sentinel was told to monitor first (a later failover moves the master elsewhere). */
    readonly declaredMaster: string;
    /** Sentinels that must agree a master is down before one of them fails it over. */
    readonly quorum: number;
    readonly sentinels: readonly SentinelEndpoint[];
    /** "<announced host>:<port>" as Sentinel reports a node -> where the host reaches it. */
    readonly natMap: Readonly<Record<string, HostAddress>>;
}

/** What a test or the bench needs to drive one group: its outputs plus the logins. */
export interface FailoverTarget {
    /** The master name the sentinels monitor (the group's name). */
    readonly masterName: string;
    readonly group: FailoverGroup;
    /** Password of the sentinels' default user (stack output `sentinelPassword`). */
    readonly sentinelPassword?: string;
    /** Login of the application user on the nodes. */
    readonly password?: string;
    /** A login on the nodes that may run ROLE and INFO (the admin or check user). */
    readonly inspector: { readonly username?: string; readonly password?: string };
}

/** The host address of a node Sentinel reports as `host:port`; throws when the natMap lacks it. */
export function hostAddressOf(group: FailoverGroup, announced: HostAddress): HostAddress {
    const mapped = group.natMap[`${announced.host}:${announced.port}`];
    if (!mapped) throw new Error(`no natMap entry for ${announced.host}:${announced.port} (known: ${Object.keys(group.natMap).join(", ")})`);
    return mapped;
}

/** The announced name ("redis-b:6379") of the node the host reaches at `address`, if the natMap has it. */
export function announcedNameOf(group: FailoverGroup, address: HostAddress): string | undefined {
    return Object.entries(group.natMap).find(([, a]) => a.host === address.host && a.port === address.port)?.[0];
}
