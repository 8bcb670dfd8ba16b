// Reads and validates the whole `redis-chain:*` stack config. Pure: index.ts hands it the raw
// values, so every rule is tested without Pulumi.
import {
    AlertThresholds,
    CONFIG_DEFAULTS,
    RawStackConfig,
    RestartPolicy,
    STACK_CONFIG_KEYS,
    StackConfigKey,
    isLoopback,
    issueLines,
    networkNameSchema,
    stackConfigSchema,
} from "./configSchema";
import { ApplicationAccess } from "./aclUsers";
import { ConfigError } from "./configError";
import { DockerHost, parseDockerHosts } from "./dockerHosts";
import { parseTopology } from "./parseTopology";
import { MemorySettings } from "./memoryLimits";
import { ReplicationTuning } from "./redisConf";
import { RolloutMode } from "./rolloutOrder";
import { Topology } from "./topology";

export type { RawStackConfig, RestartPolicy } from "./configSchema";

/** Everything the program needs, validated. */
export interface StackSettings {
    readonly topology: Topology;
    readonly image: string;
    /** Name of the chain's Docker network, the same on every host. */
    readonly networkName: string;
    readonly publishAddress: string;
    readonly checkEnabled: boolean;
    readonly checkTimeoutMs: number;
    /** Bound of a replica's wait for its upstream when its container starts, s (0: no wait). */
    readonly upstreamWaitSeconds: number;
    readonly tuning: ReplicationTuning;
    readonly authEnabled: boolean;
    /** What the application user may do beyond data commands. */
    readonly access: ApplicationAccess;
    readonly memory: MemorySettings;
    readonly restartPolicy: RestartPolicy;
    /** Every Docker host, "local" first. */
    readonly hosts: readonly DockerHost[];
    /** How a server change reaches the containers. */
    readonly rollout: RolloutMode;
    /** Exporter image, scrape interval and alert thresholds (which nodes have exporters is in the topology). */
    readonly metrics: MetricsSettings;
}

/** Stack-wide settings of the exporters and of the rendered scrape config and alert rules. */
export interface MetricsSettings {
    /** Image of every exporter container. */
    readonly exporterImage: string;
    readonly scrapeIntervalSeconds: number;
    /** Every threshold, defaults filled in. */
    readonly alerts: AlertThresholds;
    /** The outage the backlog rule checks against: replOutageSeconds, else the alerts default. */
    readonly outageSeconds: number;
}

type Shape = typeof stackConfigSchema.shape;
type Parsed = { [K in StackConfigKey]: ReturnType<Shape[K]["parse"]> };

/** What Pulumi knows about the raw values beyond their text. */
export interface StackConfigMeta {
    /** Keys `pulumi config set --secret` stored encrypted (a key counts when any part of its value is secret). */
    readonly secretKeys?: readonly StackConfigKey[];
}

/** Validates every key; throws ConfigError with all problems, in key order, before anything is built. */
export function parseStackSettings(raw: RawStackConfig, meta: StackConfigMeta = {}): StackSettings {
    // Each key parses on its own, so one bad key leaves the others' values (and defaults) in place
    // for the rules that combine them.
    const problemsByKey = new Map<StackConfigKey, string[]>();
    const parsed = {} as Record<StackConfigKey, unknown>;
    for (const key of STACK_CONFIG_KEYS) {
        const result = stackConfigSchema.shape[key].safeParse(raw[key]);
        problemsByKey.set(key, result.success ? [] : issueLines(result.error.issues, key, () => []));
        parsed[key] = result.success ? result.data : undefined;
    }
    const value = parsed as Parsed;
    const add = (key: StackConfigKey, problem: string) => problemsByKey.get(key)!.push(problem);
    const restartPolicy = value.restartPolicy ?? CONFIG_DEFAULTS.restartPolicy;
    const publishAddress = value.publishAddress ?? CONFIG_DEFAULTS.publishAddress;

    const hostProblems: string[] = [];
    const hosts = parseDockerHosts(value.hosts, publishAddress, hostProblems, meta.secretKeys?.includes("hosts") ?? false);
    hostProblems.forEach((p) => add("hosts", p));
    let topology: Topology | undefined;
    try {
        topology = parseTopology(value.nodes, {
            namePrefix: raw.namePrefix,
            restartPolicy,
            publishAddress,
            hosts: new Map(hosts.map((h) => [h.name, h])),
            image: value.image,
            server: value.server,
            metrics: {
                enabled: value.metrics ?? CONFIG_DEFAULTS.metrics,
                baseHostPort: value.metricsBaseHostPort ?? CONFIG_DEFAULTS.metricsBaseHostPort,
            },
        });
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        // The stack's own image/server refusals are reported under those keys, in key order.
        error.problems.forEach((p) => add(p.startsWith("image") ? "image" : p.startsWith("server") ? "server" : "nodes", p));
    }
    if (topology && !(value.auth ?? CONFIG_DEFAULTS.auth)) {
        const open = listenersOpenWithoutAuth(topology);
        if (open.length > 0) {
            add(
                "auth",
                `auth: false with ${open.join(", ")} on the network lets anyone there read and write; keep auth on, ` +
                    "publish on 127.0.0.1, or serve the network through TLS listeners with tlsAuthClients: yes",
            );
        }
    }
    const networkName = value.networkName ?? `${raw.namePrefix ?? ""}${CONFIG_DEFAULTS.networkSuffix}`;
    const networkCheck = networkNameSchema.safeParse(networkName);
    if (!networkCheck.success) issueLines(networkCheck.error.issues, "networkName", () => []).forEach((p) => add("networkName", p));
    const backlog = backlogSizeMb(value, raw, add);

    const problems = STACK_CONFIG_KEYS.flatMap((key) => problemsByKey.get(key)!);
    if (problems.length > 0 || !topology) throw new ConfigError(problems);
    return {
        topology,
        image: value.image,
        networkName,
        publishAddress,
        checkEnabled: value.postDeployCheck,
        checkTimeoutMs: value.checkTimeoutSeconds * 1000,
        upstreamWaitSeconds: value.upstreamWaitSeconds,
        tuning: { disklessSyncDelaySeconds: value.replDisklessSyncDelaySeconds, backlogSizeMb: backlog },
        authEnabled: value.auth,
        access: { allowScripting: value.allowScripting },
        memory: { maxmemoryMb: value.maxmemoryMb, policy: value.maxmemoryPolicy },
        restartPolicy,
        hosts,
        metrics: {
            exporterImage: value.metricsExporterImage,
            scrapeIntervalSeconds: value.metricsScrapeIntervalSeconds,
            alerts: { ...CONFIG_DEFAULTS.alerts, ...value.alerts },
            outageSeconds: value.replOutageSeconds ?? value.alerts?.backlogOutageSeconds ?? CONFIG_DEFAULTS.alerts.backlogOutageSeconds,
        },
        rollout: value.rollout,
    };
}

/**
 * The backlog a replica can fall behind by and still resync partially: given outright, or from the
 * write rate and the outage to ride out (twice their product, for bursts), else the default.
 */
function backlogSizeMb(value: Parsed, raw: RawStackConfig, add: (key: StackConfigKey, problem: string) => void): number {
    const sized = raw.replWriteRateMbPerSecond !== undefined || raw.replOutageSeconds !== undefined;
    if (raw.replBacklogSizeMb !== undefined && sized) {
        add("replBacklogSizeMb", "replBacklogSizeMb: give either replBacklogSizeMb or replWriteRateMbPerSecond with replOutageSeconds, not both");
    }
    if (!sized) return value.replBacklogSizeMb ?? CONFIG_DEFAULTS.replBacklogSizeMb;
    if (raw.replWriteRateMbPerSecond === undefined || raw.replOutageSeconds === undefined) {
        add("replWriteRateMbPerSecond", "replWriteRateMbPerSecond: give it together with replOutageSeconds (the backlog is 2 x rate x outage)");
        return CONFIG_DEFAULTS.replBacklogSizeMb;
    }
    const backlog = Math.max(16, 2 * (value.replWriteRateMbPerSecond ?? 1) * (value.replOutageSeconds ?? 1));
    if (backlog > 65536) add("replOutageSeconds", `replOutageSeconds: a ${backlog} MB backlog is over 64 GB; shorten the outage or lower the rate`);
    return backlog;
}

/** Listeners on an address other than loopback that let a client in without a certificate. */
function listenersOpenWithoutAuth(topology: Topology): string[] {
    return topology.nodes.flatMap((node) =>
        (["plain", "tls"] as const).flatMap((transport) => {
            const listener = node.listeners[transport];
            if (!listener || isLoopback(listener.publishAddress)) return [];
            if (transport === "tls" && node.tlsAuthClients === "yes") return [];
            return [`${node.name}.${transport} (${listener.publishAddress}:${listener.hostPort})`];
        }),
    );
}
