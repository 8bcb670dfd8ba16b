// What the sentinels of a group say, and what the nodes themselves say (ROLE): the checks around a
// failover. Every call opens short-lived clients that never retry, so a sentinel or node that is
// away shows up as an error in the answer instead of a hang.
import Redis from "ioredis";
import { redisClient } from "../redisClient";
import { sleep } from "../sleep";
import { FailoverTarget, HostAddress, SentinelEndpoint } from "./failoverOutputs";

/** One sentinel's answer, or why there is none. */
export type SentinelAnswer<T> = { readonly sentinel: string } & ({ readonly value: T } | { readonly error: string });

/** Runs `fn` on a fresh client of one sentinel (plain, the sentinel client password). */
export async function withSentinel<T>(target: FailoverTarget, sentinel: SentinelEndpoint, fn: (c: Redis) => Promise<T>): Promise<T> {
    const client = redisClient({ host: sentinel.host, port: sentinel.port, password: target.sentinelPassword }, "poll", { commandTimeout: 2000 });
    try {
        await client.connect();
        return await fn(client);
    } finally {
        client.disconnect();
    }
}

/** Asks every sentinel at once. */
export function askSentinels<T>(target: FailoverTarget, fn: (c: Redis) => Promise<T>): Promise<SentinelAnswer<T>[]> {
    return Promise.all(
        target.group.sentinels.map(async (s): Promise<SentinelAnswer<T>> => {
            try {
                return { sentinel: s.name, value: await withSentinel(target, s, fn) };
            } catch (error) {
                return { sentinel: s.name, error: (error as Error).message };
            }
        }),
    );
}

/** The master address each sentinel reports (as announced: container name and port), and whether all of them answered the same. */
export interface MasterAddresses {
    readonly answers: SentinelAnswer<HostAddress>[];
    /** The address when every sentinel answered and all agree; undefined otherwise. */
    readonly agreed?: HostAddress;
}

/** `SENTINEL GET-MASTER-ADDR-BY-NAME` on every sentinel. */
export async function masterAddresses(target: FailoverTarget): Promise<MasterAddresses> {
    const answers = await askSentinels(target, async (c) => {
        const reply = (await c.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", target.masterName)) as [string, string] | null;
        if (!reply) throw new Error(`no master named ${target.masterName}`);
        return { host: reply[0], port: Number(reply[1]) };
    });
    return { answers, agreed: agreedAddress(answers) };
}

/** The one address every answer holds; undefined when one failed or two differ. */
export function agreedAddress(answers: readonly SentinelAnswer<HostAddress>[]): HostAddress | undefined {
    const values = answers.map((a) => ("value" in a ? a.value : undefined));
    const first = values[0];
    if (!first || values.some((v) => !v || v.host !== first.host || v.port !== first.port)) return undefined;
    return first;
}

/** `SENTINEL CKQUORUM` on every sentinel: "OK <n> usable Sentinels…" or the refusal. */
export function checkQuorum(target: FailoverTarget): Promise<SentinelAnswer<string>[]> {
    return askSentinels(target, async (c) => String(await c.call("SENTINEL", "CKQUORUM", target.masterName)));
}

/** What `SENTINEL MASTER` says of the group on each sentinel: field -> value. */
export function sentinelMasterState(target: FailoverTarget): Promise<SentinelAnswer<Record<string, string>>[]> {
    return askSentinels(target, async (c) => {
        const flat = (await c.call("SENTINEL", "MASTER", target.masterName)) as string[];
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
        return fields;
    });
}

/** Progress lines of the waits (default: none). */
export type Progress = (line: string) => void;

/**
 * Waits until every sentinel sees `replicas` replicas and all the other sentinels, and CKQUORUM
 * passes on each: before that a failover cannot be authorized or has no replica to promote.
 */
export async function waitForSentinelsReady(target: FailoverTarget, replicas: number, timeoutMs = 30_000, progress?: Progress): Promise<void> {
    const others = target.group.sentinels.length - 1;
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
        const states = await sentinelMasterState(target);
        const quorum = await checkQuorum(target);
        const ready =
            states.every((s) => "value" in s && Number(s.value["num-slaves"]) >= replicas && Number(s.value["num-other-sentinels"]) >= others) &&
            quorum.every((q) => "value" in q && q.value.startsWith("OK"));
        if (ready) return;
        const line = states.map((s) => ("value" in s ? `${s.sentinel}: ${s.value["num-slaves"]} replicas, ${s.value["num-other-sentinels"]} sentinels` : `${s.sentinel}: ${s.error}`)).join("; ");
        if (line !== last) progress?.(`sentinels not ready: ${line}`);
        last = line;
        if (Date.now() > deadline) throw new Error(`sentinels of ${target.masterName} not ready after ${timeoutMs} ms: ${line}; ckquorum ${JSON.stringify(quorum)}`);
        await sleep(250);
    }
}

/** A finished failover as the sentinels report it. */
export interface FailoverSeen {
    /** The new master as announced ("redis-b", 6379). */
    readonly master: HostAddress;
    /** From the call to the first poll where every sentinel reported it. */
    readonly elapsedMs: number;
    /** When that poll returned (Date ms). */
    readonly at: number;
}

/**
 * Polls until every sentinel reports a master other than `from` (all the same one), and returns it;
 * throws after `timeoutMs` with the last answers.
 */
export async function waitForFailover(target: FailoverTarget, from: HostAddress, timeoutMs = 60_000, progress?: Progress, pollMs = 100): Promise<FailoverSeen> {
    const started = Date.now();
    let last = "";
    for (;;) {
        const { answers, agreed } = await masterAddresses(target);
        if (agreed && (agreed.host !== from.host || agreed.port !== from.port)) return { master: agreed, elapsedMs: Date.now() - started, at: Date.now() };
        const line = answers.map((a) => `${a.sentinel}: ${"value" in a ? `${a.value.host}:${a.value.port}` : a.error}`).join("; ");
        if (line !== last) progress?.(`+${Date.now() - started} ms ${line}`);
        last = line;
        if (Date.now() - started > timeoutMs) throw new Error(`no failover away from ${from.host}:${from.port} within ${timeoutMs} ms: ${line}`);
        await sleep(pollMs);
    }
}

/** What one node says it is (ROLE's first field), or why it did not answer. */
export interface NodeRole {
    readonly address: HostAddress;
    readonly role?: "master" | "slave" | "sentinel";
    readonly error?: string;
}

/** ROLE on each node (logged in as the target's inspector); the nodes that answered "master". */
export async function rolesOf(target: FailoverTarget, nodes: readonly HostAddress[]): Promise<{ roles: NodeRole[]; masters: HostAddress[] }> {
    const roles = await Promise.all(
        nodes.map(async (address): Promise<NodeRole> => {
            const client = redisClient({ ...address, ...target.inspector }, "poll", { commandTimeout: 2000 });
            try {
                await client.connect();
                const reply = (await client.call("ROLE")) as [NodeRole["role"], ...unknown[]];
                return { address, role: reply[0] };
            } catch (error) {
                return { address, error: (error as Error).message };
            } finally {
                client.disconnect();
            }
        }),
    );
    return { roles, masters: roles.filter((r) => r.role === "master").map((r) => r.address) };
}

/**
 * Waits until every sentinel lists at least `replicas` replicas, each flagged plain "slave" (not
 * s_down, not disconnected), reporting the replica role with its link up: the group can fail over again.
 */
export async function waitForReplicasUp(target: FailoverTarget, replicas: number, timeoutMs = 60_000, progress?: Progress): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
        const answers = await askSentinels(target, async (c) => {
            const list = (await c.call("SENTINEL", "REPLICAS", target.masterName)) as string[][];
            return list.map((flat) => {
                const f: Record<string, string> = {};
                for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]] = flat[i + 1];
                // A node that came back as a master is listed as a replica (flags "slave") before
                // Sentinel reconfigures it: only its reported role and link tell.
                return `${f.name}=${f.flags}/${f["role-reported"]}/${f["master-link-status"]}`;
            });
        });
        const up = answers.every((a) => "value" in a && a.value.length >= replicas && a.value.every((r) => r.endsWith("=slave/slave/ok")));
        if (up) return;
        const line = answers.map((a) => `${a.sentinel}: ${"value" in a ? a.value.join(",") : a.error}`).join("; ");
        if (line !== last) progress?.(`replicas: ${line}`);
        last = line;
        if (Date.now() > deadline) throw new Error(`replicas of ${target.masterName} not up after ${timeoutMs} ms: ${line}`);
        await sleep(250);
    }
}
