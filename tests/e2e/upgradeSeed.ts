// Keys written before a server change, to find on every node after it.
import { readTransport, targetFor, withRedis } from "../../testkit/redisClient";
import { waitConverged } from "./chainProbes";

/** SETs `count` keys `<prefix><n>` on the master, waits until every replica has them, returns them. */
export async function seedKeys(outputs: any, prefix: string, count: number): Promise<Map<string, string>> {
    const master = (Object.values(outputs.nodes) as any[]).find((n) => n.role === "master");
    const keys = new Map(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, `value-${i}`] as const));
    await withRedis(targetFor(outputs, master.name, readTransport(outputs, master.name)), "poll", async (c) => {
        for (const [key, value] of keys) await c.set(key, value);
    });
    await waitConverged(outputs, 30_000);
    return keys;
}
