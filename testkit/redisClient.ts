// The one way tests and bench open ioredis clients: a listener described as a ClientTarget (from
// the stack outputs, or built by hand for the bench's seed chain) plus one of a few option presets.
import Redis, { RedisOptions } from "ioredis";
import { ADMIN_USER, CHECK_USER } from "../lib/aclUsers";
import { NodeConnectionInfo } from "../lib/connectionInfo";
import { StackOutputs } from "../lib/stackOutputs";

/** How a client reaches one listener from the host (a published port on 127.0.0.1). Plain data: a child process gets it as JSON. */
export interface ClientTarget {
    readonly host: string;
    readonly port: number;
    /** ACL user; absent: `default`, the application user. */
    readonly username?: string;
    readonly password?: string;
    /** TLS: the CA to verify with; `verifyHostname: false` only for a certificate without SANs (the seed's). */
    readonly tls?: { readonly ca: string; readonly cert?: string; readonly key?: string; readonly verifyHostname: boolean };
}

export type Transport = "plain" | "tls";

/**
 * What a client needs of the stack outputs: the credentials, and of each node only its listeners
 * (tests hand in outputs with a listener swapped or a credential removed).
 */
export type ClientOutputs = Pick<StackOutputs, "caCertPem" | "password" | "adminPassword" | "checkPassword" | "clientCertPem" | "clientKeyPem"> & {
    readonly nodes: Readonly<Record<string, Partial<Pick<NodeConnectionInfo, Transport>>>>;
};

/** Which of the stack's ACL users a client logs in as. */
export type StackUser = "application" | "admin" | "check";

/**
 * What every preset sends on connect: nothing but the login (HELLO 3 AUTH). ioredis' ready check runs
 * INFO, which the application user may not run: ioredis then skips the check with a console warning,
 * after a refusal the server logs, on every connect; and it sends CLIENT SETINFO, which the check user
 * may not run and Redis 7.0 does not know. The ready check only waits out LOADING, which these
 * clients see as a failed command and retry themselves.
 */
const CONNECT_QUIETLY = { enableReadyCheck: false, disableClientInfo: true } as const;

/**
 * Option presets, where callers truly differ. Every preset is lazy (the caller connects, or the first
 * command does) and never resends a command: a test must see each failure.
 */
export const CLIENT_PRESETS = {
    /**
     * One-shot reads and checks: no reconnect, so a node that is away shows as an error at once; the
     * offline queue stays on so a lazy client connects on its first command.
     */
    probe: { ...CONNECT_QUIETLY, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 },
    /**
     * Polls while nodes restart or are partitioned: like probe, and a command times out (a partitioned
     * node never answers) and is refused while disconnected instead of waiting in a queue.
     */
    poll: { ...CONNECT_QUIETLY, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000, enableOfflineQueue: false, commandTimeout: 5000 },
    /**
     * The bench's figures: like poll with a longer command bound, since a loaded node may take seconds
     * to answer (a full sync's fork) and that is a figure, not a failure.
     */
    bench: { ...CONNECT_QUIETLY, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000, enableOfflineQueue: false, commandTimeout: 15_000 },
    /**
     * A write load across faults: reconnects every 200 ms so the load resumes when the node is back;
     * no offline queue and no resend, so a SET issued while the node is away fails at once and a SET
     * whose reply was lost counts as failed even if it ran.
     */
    load: {
        ...CONNECT_QUIETLY,
        maxRetriesPerRequest: 0,
        retryStrategy: () => 200,
        connectTimeout: 2000,
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        commandTimeout: 3000,
    },
} as const satisfies Record<string, RedisOptions>;

export type ClientPreset = keyof typeof CLIENT_PRESETS;

/** A not yet connected client for `target`; errors surface through commands, not as events. */
export function redisClient(target: ClientTarget, preset: ClientPreset = "probe", extra: RedisOptions = {}): Redis {
    const client = new Redis({
        host: target.host,
        port: target.port,
        username: target.username,
        password: target.password,
        tls: target.tls && {
            ca: [target.tls.ca],
            cert: target.tls.cert,
            key: target.tls.key,
            // redis-cli checks the chain but not the name; Node checks both unless told otherwise.
            ...(target.tls.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
        },
        lazyConnect: true,
        ...CLIENT_PRESETS[preset],
        ...extra,
    });
    // Without a listener ioredis logs every connection error loudly.
    client.on("error", () => undefined);
    return client;
}

/** The login of one of the stack's users, from the outputs; empty with authentication off. */
export function loginFor(outputs: ClientOutputs, user: StackUser): Pick<ClientTarget, "username" | "password"> {
    if (outputs.password === undefined) return {};
    const login = {
        application: { password: outputs.password },
        admin: { username: ADMIN_USER, password: outputs.adminPassword },
        check: { username: CHECK_USER, password: outputs.checkPassword },
    }[user];
    if (login.password === undefined) throw new Error(`the outputs hold no password for the ${user} user`);
    return login;
}

/**
 * One node's listener from the stack outputs, logged in as `user` (the application user unless the
 * test needs INFO, CONFIG or another administrative command); TLS verifies the CA and the host name.
 */
export function targetFor(outputs: ClientOutputs, node: string, transport: Transport, user: StackUser = "application"): ClientTarget {
    const endpoint = outputs.nodes[node]?.[transport];
    if (!endpoint) throw new Error(`${node} has no ${transport} listener in the outputs`);
    return {
        host: endpoint.host,
        port: endpoint.port,
        ...loginFor(outputs, user),
        tls: transport === "tls" ? { ca: outputs.caCertPem, cert: outputs.clientCertPem, key: outputs.clientKeyPem, verifyHostname: true } : undefined,
    };
}

/** A not yet connected client for one node's listener, from the stack outputs. */
export function clientFor(
    outputs: ClientOutputs,
    node: string,
    transport: Transport,
    preset: ClientPreset = "probe",
    extra: RedisOptions = {},
    user: StackUser = "application",
): Redis {
    return redisClient(targetFor(outputs, node, transport, user), preset, extra);
}

/** The listener tests read a node through: plain where there is one, else TLS. */
export function readTransport(outputs: ClientOutputs, node: string): Transport {
    return outputs.nodes[node].plain ? "plain" : "tls";
}

/** Runs `fn` on a fresh connected client, then closes it (nodes restart under tests and bench). */
export async function withRedis<T>(target: ClientTarget, preset: ClientPreset, fn: (c: Redis) => Promise<T>): Promise<T> {
    const client = redisClient(target, preset);
    try {
        await client.connect();
        return await fn(client);
    } finally {
        client.disconnect();
    }
}
