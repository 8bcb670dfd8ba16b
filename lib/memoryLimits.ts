// How much memory a node's dataset may use (maxmemory) and how much its container may use in all:
// the container limit has to cover everything Redis allocates besides the dataset, or the kernel's
// OOM killer ends the node in the middle of the fork that serves a replica's full sync.

/** What Redis may do when the dataset reaches maxmemory (`maxmemory-policy`). */
export const MAXMEMORY_POLICIES = [
    "noeviction",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
] as const;

/** What Redis does when the dataset reaches maxmemory. */
export type MaxmemoryPolicy = (typeof MAXMEMORY_POLICIES)[number];

/**
 * Refuse writes (OOM error to the client) rather than drop data: a chain used as a store must not
 * lose keys silently, and eviction on a master is replayed on every replica anyway.
 */
export const DEFAULT_MAXMEMORY_POLICY: MaxmemoryPolicy = "noeviction";

/** Room for what no other term covers: the server binary, allocator fragmentation, client buffers, Lua. */
export const FIXED_OVERHEAD_MB = 64;

/**
 * The hard limit of a replica's output buffer, in MB, for a given backlog: never smaller than the
 * backlog, because a replica dropped for a full buffer needs a full sync, which a partial resync
 * from the backlog would have avoided.
 */
export function replicaOutputBufferHardLimitMb(backlogSizeMb: number): number {
    return Math.max(256, backlogSizeMb);
}

/** The memory settings every node of a stack shares. */
export interface MemorySettings {
    /** `maxmemory` in MB: the ceiling of each node's dataset. */
    readonly maxmemoryMb: number;
    /** `maxmemory-policy`. */
    readonly policy: MaxmemoryPolicy;
}

/**
 * 256 MB: small enough that a default chain of three nodes fits a small machine (each container
 * limited to about 1 GB, see containerMemoryLimitMb), large enough for a cache or queue to start
 * with; a store that grows past it gets OOM errors on writes, never silent loss.
 */
export const DEFAULT_MEMORY: MemorySettings = { maxmemoryMb: 256, policy: DEFAULT_MAXMEMORY_POLICY };

/** The memory settings of one node. */
export interface NodeMemoryArgs {
    /** `maxmemory` in MB: the ceiling of the dataset. */
    readonly maxmemoryMb: number;
    /** `maxmemory-policy`; `noeviction` unless configured. */
    readonly policy?: MaxmemoryPolicy;
    /** `repl-backlog-size` in MB. */
    readonly backlogSizeMb: number;
    /** How many replicas replicate from this node directly (its own downstream links). */
    readonly replicaCount: number;
}

/** The redis.conf lines of the node's memory settings. */
export function maxmemoryLines(args: NodeMemoryArgs): string[] {
    validate(args);
    return [`maxmemory ${args.maxmemoryMb}mb`, `maxmemory-policy ${args.policy ?? DEFAULT_MAXMEMORY_POLICY}`];
}

/**
 * The container's memory limit in MB (the Docker provider's `memory` field is in MB):
 *
 *     2 x maxmemory + backlog + replicas x replica output-buffer hard limit + fixed overhead
 *
 * - 2 x maxmemory: a full sync, BGSAVE or AOF rewrite forks; each page the parent writes while the
 *   child still runs is copied, so under writes the dataset can count twice.
 * - backlog: allocated once the first replica attaches, outside the dataset.
 * - replicas x hard limit: each directly attached replica can hold up to the hard limit in its
 *   output buffer (during a full sync the whole write stream accumulates there) before Redis drops
 *   it; Redis does not count these buffers against maxmemory.
 * - fixed overhead: see FIXED_OVERHEAD_MB.
 */
export function containerMemoryLimitMb(args: NodeMemoryArgs): number {
    validate(args);
    const replicaBuffers = args.replicaCount * replicaOutputBufferHardLimitMb(args.backlogSizeMb);
    return 2 * args.maxmemoryMb + args.backlogSizeMb + replicaBuffers + FIXED_OVERHEAD_MB;
}

function validate(args: NodeMemoryArgs): void {
    const whole = (name: string, value: number, min: number) => {
        if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number >= ${min}, got ${value}`);
    };
    // maxmemory 0 means "no limit" to Redis: then no container limit could be derived.
    whole("maxmemoryMb", args.maxmemoryMb, 1);
    whole("backlogSizeMb", args.backlogSizeMb, 1);
    whole("replicaCount", args.replicaCount, 0);
}
