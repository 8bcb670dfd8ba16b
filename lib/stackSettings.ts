// Reads and validates the whole `redis-chain:*` stack config. Pure: index.ts hands it the raw
// values, so every rule is tested without Pulumi.
import { DockerHost, isIPv4, parseDockerHosts } from "./dockerHosts";
import { ConfigError } from "./configError";
import { parseTopology } from "./parseTopology";
import { DEFAULT_TUNING, ReplicationTuning } from "./redisConf";
import { Topology } from "./topology";

/** Raw values as `pulumi.Config` returns them: scalars as strings, `nodes` already parsed. */
export interface RawStackConfig {
    readonly nodes?: unknown;
    readonly image?: string;
    readonly namePrefix?: string;
    readonly networkName?: string;
    readonly publishAddress?: string;
    readonly postDeployCheck?: string;
    readonly checkTimeoutSeconds?: string;
    readonly replDisklessSyncDelaySeconds?: string;
    readonly replBacklogSizeMb?: string;
    /** Peak write rate on the masters, MB/s; with replOutageSeconds sizes the backlog. */
    readonly replWriteRateMbPerSecond?: string;
    /** Longest outage of a replica (restart included) that must end in a partial resync, s. */
    readonly replOutageSeconds?: string;
    readonly auth?: string;
    readonly restartPolicy?: string;
    /** Already parsed, like `nodes`. */
    readonly hosts?: unknown;
}

/** Everything the program needs, validated. */
export interface StackSettings {
    readonly topology: Topology;
    readonly image: string;
    readonly networkName: string;
    readonly publishAddress: string;
    readonly checkEnabled: boolean;
    readonly checkTimeoutMs: number;
    readonly tuning: ReplicationTuning;
    readonly authEnabled: boolean;
    readonly restartPolicy: RestartPolicy;
    /** Every Docker host, "local" first. */
    readonly hosts: readonly DockerHost[];
}

export type RestartPolicy = "no" | "on-failure" | "always" | "unless-stopped";
const RESTART_POLICIES: readonly RestartPolicy[] = ["no", "on-failure", "always", "unless-stopped"];

/** The tested Redis release; a pinned tag, so a deploy never changes Redis under the user. */
export const DEFAULT_IMAGE = "redis:7.0.15";


export function parseStackSettings(raw: RawStackConfig): StackSettings {
    const problems: string[] = [];
    let topology: Topology | undefined;
    const restartPolicy = (raw.restartPolicy ?? "unless-stopped") as RestartPolicy;
    if (!RESTART_POLICIES.includes(restartPolicy)) {
        problems.push(`restartPolicy: "${raw.restartPolicy}" is not a Docker restart policy; use one of ${RESTART_POLICIES.join(", ")}`);
    }
    const publishAddress = raw.publishAddress ?? "127.0.0.1";
    if (!isIPv4(publishAddress)) {
        problems.push(`publishAddress: "${publishAddress}" is not an IPv4 address; use 127.0.0.1 (default) or a host address`);
    }
    const hosts = parseDockerHosts(raw.hosts, publishAddress, problems);
    try {
        topology = parseTopology(raw.nodes, {
            namePrefix: raw.namePrefix,
            restartPolicy,
            publishAddress,
            hosts: new Map(hosts.map((h) => [h.name, h])),
        });
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(...error.problems);
    }
    const image = raw.image ?? DEFAULT_IMAGE;
    if (image.trim() === "" || /\s/.test(image)) {
        problems.push(`image: "${image}" is not an image reference; use e.g. ${DEFAULT_IMAGE}`);
    } else if (!image.includes("@") && (!/:[^/]+$/.test(image) || image.endsWith(":latest"))) {
        problems.push(`image: "${image}" is not pinned; name a version tag (e.g. ${DEFAULT_IMAGE}) or a digest`);
    }
    const networkName = raw.networkName ?? `${raw.namePrefix ?? ""}redis-chain`;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(networkName)) {
        problems.push(`networkName: "${networkName}" is not a Docker network name; use letters, digits, '_', '.', '-'`);
    }
    const checkEnabled = parseBoolean(raw.postDeployCheck, true, "postDeployCheck", problems);
    const authEnabled = parseBoolean(raw.auth, true, "auth", problems);
    const checkTimeoutSeconds = parseNumber(raw.checkTimeoutSeconds, 60, 1, 3600, "checkTimeoutSeconds", problems);
    const tuning: ReplicationTuning = {
        disklessSyncDelaySeconds: parseNumber(
            raw.replDisklessSyncDelaySeconds,
            DEFAULT_TUNING.disklessSyncDelaySeconds,
            0,
            60,
            "replDisklessSyncDelaySeconds",
            problems,
        ),
        backlogSizeMb: backlogSizeMb(raw, problems),
    };
    if (problems.length > 0 || !topology) throw new ConfigError(problems);
    return {
        topology,
        image,
        networkName,
        publishAddress,
        checkEnabled,
        checkTimeoutMs: checkTimeoutSeconds * 1000,
        tuning,
        authEnabled,
        restartPolicy,
        hosts,
    };
}

/**
 * The backlog a replica can fall behind by and still resync partially: given outright, or from the
 * write rate and the outage to ride out (twice their product, for bursts), else 64 MB.
 */
function backlogSizeMb(raw: RawStackConfig, problems: string[]): number {
    const sized = raw.replWriteRateMbPerSecond !== undefined || raw.replOutageSeconds !== undefined;
    if (raw.replBacklogSizeMb !== undefined && sized) {
        problems.push("replBacklogSizeMb: give either replBacklogSizeMb or replWriteRateMbPerSecond with replOutageSeconds, not both");
    }
    if (!sized) return parseNumber(raw.replBacklogSizeMb, DEFAULT_TUNING.backlogSizeMb, 1, 65536, "replBacklogSizeMb", problems);
    if (raw.replWriteRateMbPerSecond === undefined || raw.replOutageSeconds === undefined) {
        problems.push("replWriteRateMbPerSecond: give it together with replOutageSeconds (the backlog is 2 x rate x outage)");
        return DEFAULT_TUNING.backlogSizeMb;
    }
    const rate = parseNumber(raw.replWriteRateMbPerSecond, 1, 1, 4096, "replWriteRateMbPerSecond", problems);
    const outage = parseNumber(raw.replOutageSeconds, 1, 1, 86400, "replOutageSeconds", problems);
    const backlog = Math.max(16, 2 * rate * outage);
    if (backlog > 65536) problems.push(`replOutageSeconds: a ${backlog} MB backlog is over 64 GB; shorten the outage or lower the rate`);
    return backlog;
}

function parseBoolean(value: string | undefined, fallback: boolean, key: string, problems: string[]): boolean {
    if (value === undefined) return fallback;
    if (value === "true" || value === "false") return value === "true";
    problems.push(`${key}: "${value}" is not a boolean; use true or false`);
    return fallback;
}

function parseNumber(
    value: string | undefined,
    fallback: number,
    min: number,
    max: number,
    key: string,
    problems: string[],
): number {
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        problems.push(`${key}: "${value}" is out of range; use an integer from ${min} to ${max}`);
        return fallback;
    }
    return parsed;
}
