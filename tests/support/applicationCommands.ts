// What an application does with the stack's application credential, as one round of real commands.
// Both ACL suites run it: the rendered rules on a bare server and the deployed stack.
import Redis from "ioredis";
import { expect } from "vitest";

/**
 * Commands the application user must be refused (NOPERM), each as a client sends it. The harmful
 * forms on purpose: should one get through, the damage shows as well.
 */
export const REFUSED_TO_APPLICATION: readonly (readonly string[])[] = [
    ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"],
    ["CONFIG", "GET", "masterauth"],
    ["ACL", "SETUSER", "intruder", "on", ">pw", "+@all", "~*"],
    ["ACL", "LIST"],
    ["MODULE", "LIST"],
    ["FLUSHALL"],
    ["FLUSHDB"],
    ["SHUTDOWN", "NOSAVE"],
    ["REPLICAOF", "NO", "ONE"],
    ["SCRIPT", "EXISTS", "0000000000000000000000000000000000000000"],
    ["EVAL", "return 1", "0"],
    ["FUNCTION", "LIST"],
    ["INFO"],
    ["KEYS", "*"],
    ["CLIENT", "LIST"],
    ["MONITOR"],
    ["BGSAVE"],
    ["ROLE"],
];

/** The clients and keys one round uses. */
export interface ApplicationRoundArgs {
    /** A connected client logged in as the application user. */
    readonly app: Redis;
    /** A second connected application client; it subscribes, so it can run nothing else afterwards. */
    readonly subscriber: Redis;
    /** Prefix of every key and of the channel the round uses, e.g. `lp:`. */
    readonly keyPrefix: string;
    /** Runs while the round's keys still exist (e.g. to read them on a replica); gets the hash's key. */
    readonly beforeDelete?: (hashKey: string) => Promise<void>;
}

/**
 * Asserts that the application user is `default` and runs, without an error: a MULTI of writes over
 * every data type plus SCAN, GET, a blocking pop, PUBLISH to a subscriber; then deletes its keys.
 */
export async function expectApplicationRound({ app, subscriber, keyPrefix: p, beforeDelete }: ApplicationRoundArgs): Promise<void> {
    expect(await app.call("ACL", "WHOAMI")).toBe("default");
    const channel = `${p}events`;
    const received = new Promise<string>((resolve) => subscriber.on("message", (_channel, message) => resolve(message)));
    await subscriber.subscribe(channel);
    const results = await app
        .multi()
        .set(`${p}s`, "1")
        .incr(`${p}s`)
        .hset(`${p}h`, "f", "v")
        .lpush(`${p}l`, "a")
        .sadd(`${p}set`, "m")
        .zadd(`${p}z`, 1, "m")
        .xadd(`${p}x`, "*", "f", "v")
        .pfadd(`${p}hll`, "a")
        .setbit(`${p}b`, 1, 1)
        .geoadd(`${p}g`, 13.36, 38.11, "p")
        .expire(`${p}s`, 60)
        .scan(0)
        .exec();
    expect(results?.filter(([error]) => error)).toEqual([]);
    expect(await app.get(`${p}s`)).toBe("2");
    expect(await app.blpop(`${p}l`, 1)).toEqual([`${p}l`, "a"]);
    expect(await app.publish(channel, "hello")).toBe(1);
    expect(await received).toBe("hello");
    await beforeDelete?.(`${p}h`);
    // The list is gone with its one element popped.
    const keys = ["s", "h", "set", "z", "x", "hll", "b", "g"].map((k) => `${p}${k}`);
    expect(await app.del(...keys)).toBe(keys.length);
}
