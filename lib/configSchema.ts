// The shape of the `redis-chain:*` stack config, stated once: the TypeScript types, the list of keys
// index.ts reads, the per-field messages and the defaults all come from here. Rules that relate
// fields or nodes to each other (links, cycles, host ports, persistence, hosts) stay in plain code in
// parseTopology.ts, dockerHosts.ts and stackSettings.ts, which report them in the same format.
//
// zod rather than valibot: its issues carry a typed `path` and `code` that map onto our
// `nodes[2] (redis-c).link: ...; use ...` lines, `z.infer` derives the types, and it is the most
// widely known schema library for TypeScript config.
import { z } from "zod";
import { DEFAULT_APPLICATION_ACCESS } from "./aclUsers";
import { DEFAULT_MEMORY, MAXMEMORY_POLICIES } from "./memoryLimits";
import { DEFAULT_TUNING } from "./redisConf";
import { ROLLOUT_MODES } from "./rolloutOrder";
import { SERVER_KINDS } from "./serverRelease";

/** Every default of the stack config, in one place. */
export const CONFIG_DEFAULTS = {
    /**
     * The newest Redis line SUPPORTED_LINES accepts (8.6), at the newest patch the official `redis`
     * image publishes for it; a line Redis still lists as supported (8.0 is not), and past the
     * CVE-2025-49844 fix (Lua use-after-free, CVSS 10, patched in 8.0.4 and 8.2.2). A pinned tag, so
     * a deploy never changes the server under the user.
     */
    image: "redis:8.6.7",
    restartPolicy: "unless-stopped",
    /** Published ports stay on the deploying machine unless the user says otherwise. */
    publishAddress: "127.0.0.1",
    postDeployCheck: true,
    auth: true,
    checkTimeoutSeconds: 60,
    /**
     * How long a replica's container holds its server back until its upstream can serve it (listening,
     * loaded, and linked itself when it is a replica); then the server starts anyway and retries
     * once a second, as Redis does.
     */
    upstreamWaitSeconds: 30,
    replDisklessSyncDelaySeconds: DEFAULT_TUNING.disklessSyncDelaySeconds,
    replBacklogSizeMb: DEFAULT_TUNING.backlogSizeMb,
    /** Network name after the name prefix. */
    networkSuffix: "redis-chain",
    /** One-way TLS, as in the seed. */
    tlsAuthClients: "no",
    /** Only a restart from RDB keeps the replication ID, so replicas resume partially. */
    persistence: "rdb",
    /** The application user gets no EVAL/FCALL/SCRIPT/FUNCTION: a script runs any command it holds, unreviewed. */
    allowScripting: DEFAULT_APPLICATION_ACCESS.allowScripting,
    maxmemoryMb: DEFAULT_MEMORY.maxmemoryMb,
    /** Writes past maxmemory fail; nothing replicated is dropped silently. */
    maxmemoryPolicy: DEFAULT_MEMORY.policy,
    /** No exporter containers unless asked for. */
    metrics: false,
    /** The exporter the monitoring charts and operators ship beside Redis; a pinned tag. */
    metricsExporterImage: "oliver006/redis_exporter:v1.88.0",
    /** Host port of the first node's exporter; the next nodes take the following ports in config order. */
    metricsBaseHostPort: 9121,
    /** How often the rendered scrape config asks Prometheus to scrape, s. */
    metricsScrapeIntervalSeconds: 15,
    /** Alert thresholds (see lib/alertRules.ts for what each rule does with them). */
    alerts: {
        /** A replica link (or a node's declared replica count) may be down this long before alerting, s. */
        linkDownSeconds: 30,
        /** Bytes a replica may trail its upstream's replication offset. */
        lagBytes: 16 * 1024 * 1024,
        /** Seconds since a replica last heard from its upstream; the upstream pings every 10 s when idle. */
        lagSeconds: 30,
        /** How long a lag must last before alerting, s. */
        lagForSeconds: 60,
        /** A full resync on an upstream alerts for this long after it happened, s. */
        fullResyncWindowSeconds: 600,
        /** Window over which the replication write rate is measured, s. */
        writeRateWindowSeconds: 300,
        /** Outage the backlog must cover when replOutageSeconds is not set, s. */
        backlogOutageSeconds: 60,
        /** An exporter may be unreachable, or see its node down, this long before alerting, s. */
        exporterDownSeconds: 30,
    },
    /**
     * Leaves first, the master last, each node back and linked before its upstream goes down: a
     * replica never runs an older server than its upstream while a server change rolls out.
     */
    rollout: "rolling",
    /** A master's `failover` block (Redis Sentinel); the quorum's default, a majority, follows the sentinel count. */
    failover: {
        /** Three sentinels: the smallest count that survives the loss of one and still has a majority. */
        sentinels: 3,
        /**
         * Host port of the first sentinel; the next take the following free ports on their host. Clear
         * of the reference stack's ports (6379, 16379, 16380, 26380) and of Sentinel's own 26379.
         */
        baseHostPort: 26479,
        /** A master unreachable this long is subjectively down (Sentinel's own default is 30 s). */
        downAfterMs: 5000,
        /** Sentinel's failover-timeout (its default is 3 min). */
        failoverTimeoutMs: 60000,
        /** Replicas resynchronised with the new master at once after a failover. */
        parallelSyncs: 1,
        /**
         * A master accepts writes only while this many replicas acknowledge within minReplicasMaxLagS:
         * a master cut off from its replicas stops taking writes that a failover would discard.
         */
        minReplicasToWrite: 1,
        minReplicasMaxLagS: 10,
    },
} as const;

/** The port every sentinel listens on inside its container (Sentinel's registered port). */
export const SENTINEL_PORT = 26379;

// Docker network aliases are DNS names, and the node name is also a certificate SAN.
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for a dotted-quad IPv4 address (Docker publishes ports on IPs, not names). */
export function isIPv4(value: string): boolean {
    return IPV4.test(value);
}

/** True for an address only its own machine reaches (127.0.0.0/8). 0.0.0.0 is every interface, not loopback. */
export function isLoopback(address: string): boolean {
    return address.startsWith("127.");
}

const quoted = (value: unknown) => JSON.stringify(value);

// ---- images and servers ----

/** A pinned image reference: a version tag or a digest, so a deploy never changes the server under the user. */
export const imageSchema = z
    .string()
    .superRefine((image, ctx) => {
        if (image.trim() === "" || /\s/.test(image)) {
            ctx.addIssue({ code: "custom", message: `"${image}" is not an image reference; use e.g. ${CONFIG_DEFAULTS.image}` });
        } else if (!image.includes("@") && (!/:[^/]+$/.test(image) || image.endsWith(":latest"))) {
            ctx.addIssue({ code: "custom", message: `"${image}" is not pinned; name a version tag (e.g. ${CONFIG_DEFAULTS.image}) or a digest` });
        }
    });

/** The `server:` block: which server and release an image runs, when its name does not tell. */
export const serverSchema = z.strictObject(
    {
        kind: z.enum(SERVER_KINDS, { error: (iss) => `${quoted(iss.input)} is not a server kind; use ${SERVER_KINDS.join(" or ")}` }),
        /** `X.Y.Z` (or `X.Y`). */
        version: z.string({ error: 'expected a version string, e.g. "8.6.7"' }),
    },
    { error: (iss) => (iss.code === "invalid_type" ? 'expected { kind: redis|valkey, version: "X.Y.Z" }' : undefined) },
);

// ---- nodes ----

const notAPort = (iss: { input?: unknown }) => `${quoted(iss.input)} is not a port; use an integer from 1 to 65535`;
const port = z
    .number({ error: notAPort })
    .refine((n) => Number.isInteger(n) && n >= 1 && n <= 65535, { error: notAPort });

export const listenerSchema = z.strictObject(
    {
        /** Port on the Docker host (published on the stack's publish address). */
        hostPort: port,
        /** Port inside the container; defaults to 6379 (plain) or 6380 (TLS). */
        port: port.optional(),
    },
    { error: (iss) => (iss.code === "invalid_type" ? "expected { hostPort: <1-65535>, port: <optional container port> }" : undefined) },
);

const transportSchema = z.enum(["plain", "tls"], {
    error: (iss) => `${quoted(iss.input)} is not a transport; use "plain" or "tls"`,
});
const tlsAuthClientsSchema = z.enum(["no", "optional", "yes"], { error: "use one of no, optional, yes" });
const persistenceSchema = z.enum(["rdb", "aof", "none"], { error: "use one of rdb, aof, none" });
const flag = z.boolean({ error: "use true or false" });

export const nodeNameSchema = z.string().regex(DNS_LABEL);

const count = (what: string, min: number, max: number) =>
    z
        .number({ error: `expected a number of ${what}` })
        .int({ error: `expected a whole number of ${what}` })
        .min(min, { error: `use at least ${min}` })
        .max(max, { error: `use at most ${max}` });

/**
 * A master's `failover` block: Redis Sentinel watches the master's replication tree and promotes a
 * direct replica when the master is down. Every field is optional (defaults in CONFIG_DEFAULTS.failover).
 */
export const failoverSchema = z.strictObject(
    {
        /** Sentinel's name of the group (its "master name"); default the master node's name. */
        name: z.string().regex(DNS_LABEL, { error: "use 1-63 lowercase letters, digits or '-' (Sentinel's master name, also in container names)" }).optional(),
        /** How many sentinel containers watch the group. */
        sentinels: count("sentinels", 1, 9).optional(),
        /** Host port of each sentinel, one per sentinel; default the free ports from CONFIG_DEFAULTS.failover.baseHostPort up. */
        hostPorts: z.array(port, { error: "expected a list of host ports, one per sentinel" }).optional(),
        /** Docker host of each sentinel, one per sentinel; default round-robin over the group's hosts. */
        hosts: z.array(z.string({ error: "expected a host name" }), { error: "expected a list of host names, one per sentinel" }).optional(),
        /** Sentinels that must agree the master is down; default a majority of the sentinels. */
        quorum: count("sentinels", 1, 9).optional(),
        downAfterMs: count("milliseconds", 100, 3_600_000).optional(),
        failoverTimeoutMs: count("milliseconds", 1000, 86_400_000).optional(),
        parallelSyncs: count("replicas", 1, 64).optional(),
        /** 0 lets a master write without any replica (a failover may then lose every write since it was cut off). */
        minReplicasToWrite: count("replicas", 0, 64).optional(),
        minReplicasMaxLagS: count("seconds", 1, 3600).optional(),
        /**
         * Accept a placement where the loss of one host leaves fewer sentinels than the quorum, or
         * fewer than the majority Sentinel needs to authorize a failover.
         */
        allowQuorumOnOneHost: flag.optional(),
    },
    { error: (iss) => (iss.code === "invalid_type" ? "expected an object, e.g. { sentinels: 3 }" : undefined) },
);

export type FailoverConfig = Readonly<z.infer<typeof failoverSchema>>;
export const NODE_NAME_FIX = "is not a valid container/DNS name; use 1-63 lowercase letters, digits or '-', not starting or ending with '-'";

/** One Redis node as written in `redis-chain:nodes`. */
export const nodeSchema = z.strictObject(
    {
        /** The network alias other nodes use, and the container name after the prefix. */
        name: nodeNameSchema,
        /** Name of the node this one replicates from; absent for a master. */
        replicaOf: z.string({ error: "expected the name of another node" }).optional(),
        /** Transport of the link to `replicaOf`. */
        link: transportSchema.optional(),
        /** Plain TCP listener; absent means `port 0`. */
        plain: listenerSchema.optional(),
        /** TLS listener; absent means no `tls-port`. */
        tls: listenerSchema.optional(),
        /** `tls-auth-clients` of the TLS listener; whether it asks clients (and replicas) for a certificate. */
        tlsAuthClients: tlsAuthClientsSchema.optional(),
        /** How the node keeps its data across restarts: RDB snapshots, an append-only file, or not at all. */
        persistence: persistenceSchema.optional(),
        /**
         * Accept a master without persistence under an automatic restart policy. Redis's docs warn that
         * such a master comes back empty and its replicas then wipe themselves to match.
         */
        allowAutoRestartWithoutPersistence: flag.optional(),
        /** Name of the Docker host (from `redis-chain:hosts`) the node runs on; default "local". */
        host: z.string({ error: "expected a host name" }).optional(),
        /** Accept a plain link from a node on another host (unencrypted between machines). */
        allowPlainAcrossHosts: flag.optional(),
        /**
         * Accept this node's plain listener published on an address other than loopback, where anyone
         * on that network reaches it without encryption (and sees the password pass).
         */
        allowPlainOnNetwork: flag.optional(),
        /** The node's own image, e.g. to upgrade the chain node by node; default the stack's image. */
        image: imageSchema.optional(),
        /** The node's own `server:` block; default the stack's. */
        server: serverSchema.optional(),
        /** Run an exporter beside this node; default the stack's `metrics`. */
        metrics: flag.optional(),
        /** Host port the node's exporter is published on; default from metricsBaseHostPort. */
        metricsHostPort: port.optional(),
        /** On a master: Redis Sentinel failover for its whole replication tree (failoverSchema). */
        failover: failoverSchema.optional(),
    },
    { error: (iss) => (iss.code === "invalid_type" ? "expected an object with at least a name and one listener" : undefined) },
);

export type Transport = z.infer<typeof transportSchema>;
export type TlsAuthClients = z.infer<typeof tlsAuthClientsSchema>;
export type Persistence = z.infer<typeof persistenceSchema>;
export type ListenerConfig = Readonly<z.infer<typeof listenerSchema>>;
export type NodeConfig = Readonly<z.infer<typeof nodeSchema>>;

// ---- hosts ----

const ENGINE_URL = /^(unix|tcp|ssh):\/\/.+/;
const pem = z.string({ error: "expected a PEM string" }).optional();

/** One Docker host as written in `redis-chain:hosts`. */
export const dockerHostSchema = z.strictObject(
    {
        /** How to reach its engine: unix:///path, tcp://host:port (TLS with the *Pem fields) or ssh://user@host. */
        docker: z
            .string({ error: (iss) => `"${String(iss.input)}" is not a Docker engine URL; use unix://, tcp:// or ssh://` })
            .regex(ENGINE_URL, { error: (iss) => `"${String(iss.input)}" is not a Docker engine URL; use unix://, tcp:// or ssh://` })
            .optional(),
        /** Address other hosts and the deploying machine use to reach ports published there. */
        address: z.string({ error: (iss) => `${quoted(iss.input)} is not an IPv4 address other hosts can reach; set the host's address` }).optional(),
        /** Address ports no other machine needs are published on; default 127.0.0.1 (the stack's publishAddress for local). */
        publishAddress: z.string({ error: (iss) => `${quoted(iss.input)} is not an IPv4 address` }).optional(),
        /** PEMs of the engine's CA and of a client certificate and key, for tcp:// with TLS; keyPem from secret config. */
        caCertPem: pem,
        certPem: pem,
        keyPem: pem,
        /**
         * Accept a tcp:// engine without TLS. Its API is root on that host to anyone who reaches the
         * port, and the uploads (passwords, keys) cross the network in plain text.
         */
        allowInsecureEngine: flag.optional(),
    },
    { error: (iss) => (iss.code === "invalid_type" ? "expected { docker, address }" : undefined) },
);

export type DockerHostConfig = Readonly<z.infer<typeof dockerHostSchema>>;

// ---- the stack's keys ----

// Pulumi hands every key over as the string `pulumi config set` stored; object-valued keys (nodes,
// hosts) are JSON text then. Tests pass them already parsed; both arrive here.
const jsonValue = z.unknown().transform((value) => {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value) as unknown;
    } catch {
        return value; // reported by the rules for that key, which expect a list or a map
    }
});

const booleanString = z
    .enum(["true", "false"], { error: (iss) => `"${String(iss.input)}" is not a boolean; use true or false` })
    .transform((value) => value === "true");

const integerString = (min: number, max: number) =>
    z
        .string()
        .refine((value) => Number.isInteger(Number(value)) && Number(value) >= min && Number(value) <= max, {
            error: (iss) => `"${String(iss.input)}" is out of range; use an integer from ${min} to ${max}`,
        })
        .transform(Number);

const seconds = (max: number) =>
    z.number({ error: "expected a number of seconds" }).int({ error: "expected a whole number of seconds" }).min(1).max(max);

/** `redis-chain:alerts`: thresholds of the rendered alert rules. */
export const alertThresholdsSchema = z.strictObject(
    {
        linkDownSeconds: seconds(86400).optional(),
        lagBytes: z.number({ error: "expected a number of bytes" }).int().min(1).optional(),
        lagSeconds: seconds(86400).optional(),
        lagForSeconds: seconds(86400).optional(),
        fullResyncWindowSeconds: seconds(604800).optional(),
        writeRateWindowSeconds: seconds(86400).optional(),
        backlogOutageSeconds: seconds(86400).optional(),
        exporterDownSeconds: seconds(86400).optional(),
    },
    { error: (iss) => (iss.code === "invalid_type" ? "expected an object of thresholds, e.g. { linkDownSeconds: 30 }" : undefined) },
);

/** Every alert threshold, defaults filled in. */
export type AlertThresholds = { readonly [K in keyof typeof CONFIG_DEFAULTS.alerts]: number };

const RESTART_POLICIES = ["no", "on-failure", "always", "unless-stopped"] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

/**
 * Every `redis-chain:*` key, in the order problems are reported. Scalars are strings (as Pulumi
 * stores them); each parses to its typed value or its default.
 */
export const stackConfigSchema = z.object({
    restartPolicy: z
        .enum(RESTART_POLICIES, {
            error: (iss) => `"${String(iss.input)}" is not a Docker restart policy; use one of ${RESTART_POLICIES.join(", ")}`,
        })
        .default(CONFIG_DEFAULTS.restartPolicy),
    publishAddress: z
        .string()
        .refine(isIPv4, {
            error: (iss) => `"${String(iss.input)}" is not an IPv4 address; use ${CONFIG_DEFAULTS.publishAddress} (default) or a host address`,
        })
        .default(CONFIG_DEFAULTS.publishAddress),
    /** A map of host name to a host (dockerHostSchema); checked by parseDockerHosts. */
    hosts: jsonValue,
    /** The list of nodes (nodeSchema); checked by parseTopology. */
    nodes: jsonValue,
    /** Prepended to every container name, so several stacks share one engine; checked by parseTopology. */
    namePrefix: z.string().default(""),
    image: imageSchema.default(CONFIG_DEFAULTS.image),
    /** The server the stack's image runs, for images whose name does not tell (a digest, a private name). */
    server: jsonValue.pipe(serverSchema.optional()),
    /** Default: the name prefix followed by CONFIG_DEFAULTS.networkSuffix. */
    networkName: z.string().optional(),
    postDeployCheck: booleanString.default(CONFIG_DEFAULTS.postDeployCheck),
    auth: booleanString.default(CONFIG_DEFAULTS.auth),
    checkTimeoutSeconds: integerString(1, 3600).default(CONFIG_DEFAULTS.checkTimeoutSeconds),
    /** Bound of a replica's wait for its upstream at start, s; 0 starts at once. */
    upstreamWaitSeconds: integerString(0, 3600).default(CONFIG_DEFAULTS.upstreamWaitSeconds),
    replDisklessSyncDelaySeconds: integerString(0, 60).default(CONFIG_DEFAULTS.replDisklessSyncDelaySeconds),
    /** Backlog size given outright; default CONFIG_DEFAULTS.replBacklogSizeMb unless sized from rate and outage. */
    replBacklogSizeMb: integerString(1, 65536).optional(),
    /** Give the application user @scripting (EVAL, EVALSHA, SCRIPT, FCALL, FUNCTION). */
    allowScripting: booleanString.default(CONFIG_DEFAULTS.allowScripting),
    /** `maxmemory` of every node, MB; the container memory limit is derived from it. */
    maxmemoryMb: integerString(16, 1048576).default(CONFIG_DEFAULTS.maxmemoryMb),
    maxmemoryPolicy: z
        .enum(MAXMEMORY_POLICIES, {
            error: (iss) => `"${String(iss.input)}" is not a maxmemory policy; use one of ${MAXMEMORY_POLICIES.join(", ")}`,
        })
        .default(CONFIG_DEFAULTS.maxmemoryPolicy),
    /** Peak write rate on the masters, MB/s; with replOutageSeconds sizes the backlog. */
    replWriteRateMbPerSecond: integerString(1, 4096).optional(),
    /** Longest outage of a replica (restart included) that must end in a partial resync, s. */
    replOutageSeconds: integerString(1, 86400).optional(),
    /** An exporter beside every node (a node's own `metrics` overrides it). */
    metrics: booleanString.default(CONFIG_DEFAULTS.metrics),
    metricsExporterImage: imageSchema.default(CONFIG_DEFAULTS.metricsExporterImage),
    metricsBaseHostPort: integerString(1, 65535).default(CONFIG_DEFAULTS.metricsBaseHostPort),
    metricsScrapeIntervalSeconds: integerString(1, 3600).default(CONFIG_DEFAULTS.metricsScrapeIntervalSeconds),
    /** Alert thresholds; each field optional, defaults in CONFIG_DEFAULTS.alerts. */
    alerts: jsonValue.pipe(alertThresholdsSchema.optional()),
    /** How a server change reaches the containers: `rolling` (one node after the other, leaves first) or `parallel`. */
    rollout: z
        .enum(ROLLOUT_MODES, { error: (iss) => `"${String(iss.input)}" is not a rollout mode; use ${ROLLOUT_MODES.join(" or ")}` })
        .default(CONFIG_DEFAULTS.rollout),
});

export type StackConfigKey = keyof typeof stackConfigSchema.shape;
/** The keys index.ts reads from the Pulumi config. */
export const STACK_CONFIG_KEYS = Object.keys(stackConfigSchema.shape) as StackConfigKey[];
/** The stack config as index.ts hands it over: strings, with objects as JSON text or already parsed. */
export type RawStackConfig = {
    readonly [K in StackConfigKey]?: unknown extends z.input<(typeof stackConfigSchema.shape)[K]> ? unknown : string;
};

/** A Docker network name; checked on the resolved name, since the default follows the name prefix. */
export const networkNameSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, {
    error: (iss) => `"${String(iss.input)}" is not a Docker network name; use letters, digits, '_', '.', '-'`,
});

/** Turns zod issues into our problem lines: `<where>.<path>: <message>`, one line per unknown field. */
export function issueLines(issues: readonly z.core.$ZodIssue[], where: string, knownFields: (path: PropertyKey[]) => readonly string[]): string[] {
    const at = (path: readonly PropertyKey[]) => [where, ...path.map(String)].filter((p) => p !== "").join(".");
    const unknown = issues
        .filter((iss) => iss.code === "unrecognized_keys")
        .flatMap((iss) => (iss as z.core.$ZodIssueUnrecognizedKeys).keys.map((key) => `${at([...iss.path, key])}: unknown field; known fields are ${knownFields(iss.path).join(", ")}`));
    const rest = issues.filter((iss) => iss.code !== "unrecognized_keys").map((iss) => `${at(iss.path)}: ${iss.message}`);
    // A value that breaks two checks of one schema (e.g. 0.5 for a port) is said once.
    return [...new Set([...unknown, ...rest])];
}
