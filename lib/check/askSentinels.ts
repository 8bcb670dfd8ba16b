// Asks each sentinel of a group what the check judges (lib/check/failoverView.ts): the master's
// address, CKQUORUM, the replicas it knows and the config epoch.
import Redis from "ioredis";
import { FailoverCheckGroup } from "../connectionInfo";
import { SentinelAnswer } from "./failoverView";

/** Flat `[key, value, ...]` replies of SENTINEL MASTER / REPLICAS as objects. */
function fields(flat: unknown): Record<string, string> {
    const list = Array.isArray(flat) ? (flat as string[]) : [];
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < list.length; i += 2) out[list[i]] = list[i + 1];
    return out;
}

/** One sentinel's answers; never throws, an unreachable sentinel is an answer too. */
async function askOne(
    name: string,
    group: FailoverCheckGroup,
    sentinel: { name: string; host: string; port: number },
    password: string | undefined,
    caCertPem: string,
): Promise<SentinelAnswer> {
    const client = new Redis({
        host: sentinel.host,
        port: sentinel.port,
        password,
        tls: group.transport === "tls" ? { ca: [caCertPem] } : undefined,
        lazyConnect: true,
        connectTimeout: 2000,
        commandTimeout: 2000,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        enableReadyCheck: false,
        retryStrategy: () => null,
    });
    client.on("error", () => undefined);
    try {
        await client.connect();
        const addr = (await client.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)) as string[] | null;
        const ckquorum = await (client.call("SENTINEL", "CKQUORUM", name) as Promise<string>).catch((e: Error) => e.message);
        const replicas = ((await client.call("SENTINEL", "REPLICAS", name)) as unknown[]).map(fields);
        const master = fields(await client.call("SENTINEL", "MASTER", name));
        return {
            sentinel: sentinel.name,
            master: addr ? `${addr[0]}:${addr[1]}` : undefined,
            ckquorum,
            replicasUp: replicas.filter((r) => !/(s_down|o_down|disconnected)/.test(r.flags ?? "")).length,
            configEpoch: Number(master["config-epoch"] ?? 0),
        };
    } catch (error) {
        return { sentinel: sentinel.name, error: error instanceof Error ? error.message : String(error) };
    } finally {
        client.disconnect();
    }
}

/** Every sentinel of the group, at once. */
export function askSentinels(name: string, group: FailoverCheckGroup, password: string | undefined, caCertPem: string): Promise<SentinelAnswer[]> {
    return Promise.all(group.sentinels.map((s) => askOne(name, group, s, password, caCertPem)));
}
