// The one way the failover tests and bench open a client that finds the master through Sentinel.
import Redis, { RedisOptions } from "ioredis";
import { FailoverTarget, announcedNameOf } from "./failoverOutputs";

/** How a Sentinel client behaves across a failover. */
export interface SentinelClientOptions {
    /**
     * ioredis' own +switch-master subscription (default false). Measured with ioredis 6.0.0: when
     * the switch arrives while the client is reconnecting (its master was killed), the client ends
     * for good (status "end", "Connection is closed."), because the detector closes the connector
     * in the middle of its connect. Without it, a client still connected to a cut-off old master
     * leaves it only on READONLY or NOREPLICAS (see `reconnectOnError`).
     */
    readonly failoverDetector?: boolean;
    /** Reconnect delay in ms after a lost connection (default 100). */
    readonly retryMs?: number;
    /** Command timeout in ms (default 3000): a partitioned master never answers. */
    readonly commandTimeoutMs?: number;
}

/**
 * A not yet connected client of the group's master, logged in as the application user. It never
 * queues or resends a command (each failure must show), asks the sentinels again on every
 * reconnect, and reconnects when a write meets READONLY or NOREPLICAS. It keeps to
 * the sentinels the outputs list: those the sentinels announce are container addresses.
 */
export function sentinelClient(target: FailoverTarget, options: SentinelClientOptions = {}, extra: RedisOptions = {}): Redis {
    const client = new Redis({
        sentinels: target.group.sentinels.map(({ host, port }) => ({ host, port })),
        name: target.masterName,
        role: "master",
        sentinelPassword: target.sentinelPassword,
        password: target.password,
        natMap: { ...target.group.natMap },
        updateSentinels: false,
        failoverDetector: options.failoverDetector ?? false,
        sentinelRetryStrategy: () => 100,
        retryStrategy: () => options.retryMs ?? 100,
        // READONLY: a demoted master; NOREPLICAS: a master cut off from its replicas, which a
        // failover may replace. Reconnect (asking the sentinels again), never resend the command.
        // Not ioredis' own reconnect (returning 1): it only half-closes the connection, and a master
        // cut off the network never answers the FIN, so the client would wait on it for good.
        // Destroying the socket closes it at once; the client then reconnects as after any loss.
        reconnectOnError: (error) => {
            if (/^(READONLY|NOREPLICAS)/.test(error.message)) client.stream?.destroy();
            return false;
        },
        lazyConnect: true,
        // The application user may not run INFO, which the ready check sends.
        enableReadyCheck: false,
        disableClientInfo: true,
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 2000,
        commandTimeout: options.commandTimeoutMs ?? 3000,
        ...extra,
    });
    client.on("error", () => undefined);
    return client;
}

/** The node a connected client talks to, as announced ("redis-b:6379"); undefined while disconnected or unmapped. */
export function connectedNode(target: FailoverTarget, client: Redis): string | undefined {
    const stream = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
    if (!stream?.remoteAddress || !stream.remotePort) return undefined;
    return announcedNameOf(target.group, { host: stream.remoteAddress, port: stream.remotePort });
}
