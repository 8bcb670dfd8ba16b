// Figure 1: converge, from the first container create to both links up and a key read on C.
import { randomBytes } from "node:crypto";
import { BenchChain, LINK_UP_LINE, Log, NodeKey, linkUp, open, pollUntil, redisLog } from "../chain";
import { sleep } from "../../testkit/sleep";

export interface ConvergeResult {
    /** Epoch ms of the first container create; every *Ms below is relative to it. */
    readonly firstCreateAt: number;
    readonly startedMs: Record<NodeKey, number>;
    /** The deploy handed the chain over (seed: last `docker start` returned; ours: outputs resolved). */
    readonly readyMs: number;
    readonly bLinkUpMs: number;
    readonly cLinkUpMs: number;
    /** max(bLinkUpMs, cLinkUpMs). */
    readonly allLinksUpMs: number;
    /** A key written on A (as soon as INFO showed both links up) read back on A, B and C. */
    readonly keyReadableMs: number;
    /** Clients on A, B, C connected; the SET on A acknowledged; each node first returned the key. */
    readonly clientsOpenMs: number;
    readonly keyWrittenMs: number;
    readonly keySeenMs: Record<NodeKey, number>;
    /** When the bench's own INFO polling first saw master_link_status:up on both B and C. */
    readonly infoConfirmedMs: number;
    /** Where the link-up instants come from. */
    readonly linkUpSource: "redis log" | "INFO poll";
    /**
     * B's log: B reaped the RDB child of C's sync and now waits for C's REPLCONF ACK to stream
     * to C. When this comes after C's link up, C's immediate ACK was early and streaming starts
     * with C's next ACK, sent once a second: a key can take up to ~1 s more to reach C.
     */
    readonly bAwaitsAckFromCMs?: number;
}

export async function measureConverge(chain: BenchChain, log: Log): Promise<ConvergeResult> {
    const t0 = chain.deploy.firstCreateAt;
    const rel = (at: number) => at - t0;
    log(`${chain.variant}: converge: polling INFO replication on B and C`);
    const up = (node: "b" | "c") =>
        pollUntil(chain, node, linkUp, 60_000).then((seen) => {
            log(`${chain.variant}: converge: INFO shows ${node.toUpperCase()}'s link up at ${((seen.at - t0) / 1000).toFixed(2)} s`);
            return seen;
        });
    const [b, c] = await Promise.all([up("b"), up("c")]);
    const infoUpAt = Math.max(b.at, c.at);

    const key = `bench:converge:${randomBytes(6).toString("hex")}`;
    const value = randomBytes(8).toString("hex");
    const clients = await Promise.all((["a", "b", "c"] as const).map((n) => open(chain, n)));
    const openedAt = Date.now();
    let keyReadableAt: number;
    let keyWrittenAt: number;
    const seenAt: (number | undefined)[] = [undefined, undefined, undefined];
    try {
        await clients[0].set(key, value);
        keyWrittenAt = Date.now();
        const deadline = Date.now() + 10_000;
        while (seenAt.includes(undefined)) {
            const got = await Promise.all(clients.map((cl) => cl.get(key)));
            const now = Date.now();
            got.forEach((v, i) => (seenAt[i] ??= v === value ? now : undefined));
            if (now > deadline) throw new Error(`${chain.variant}: converge key not readable on every node after 10 s`);
            if (seenAt.includes(undefined)) await sleep(2);
        }
        keyReadableAt = Date.now();
    } finally {
        clients.forEach((cl) => cl.disconnect());
    }

    // Redis logs the instant a link turns up; the bench may only be able to look later (ours
    // hands over credentials when the deploy ends), so the log is the exact source.
    const upFromLog = async (node: "b" | "c") =>
        (await redisLog(chain.containers[node], t0 - 1000)).find((l) => LINK_UP_LINE.test(l.line))?.at;
    const [bLog, cLog] = await Promise.all([upFromLog("b"), upFromLog("c")]);
    const bAwaitsAck = (await redisLog(chain.containers.b, t0 - 1000)).find((l) => /Waiting for REPLCONF ACK from slave to enable streaming/.test(l.line))?.at;
    const fromLog = bLog !== undefined && cLog !== undefined;
    const bUp = fromLog ? bLog : b.at;
    const cUp = fromLog ? cLog : c.at;
    const { startedAt, readyAt } = chain.deploy;
    return {
        firstCreateAt: t0,
        startedMs: { a: rel(startedAt.a), b: rel(startedAt.b), c: rel(startedAt.c) },
        readyMs: rel(readyAt),
        bLinkUpMs: rel(bUp),
        cLinkUpMs: rel(cUp),
        allLinksUpMs: rel(Math.max(bUp, cUp)),
        keyReadableMs: rel(keyReadableAt),
        clientsOpenMs: rel(openedAt),
        keyWrittenMs: rel(keyWrittenAt),
        keySeenMs: { a: rel(seenAt[0]!), b: rel(seenAt[1]!), c: rel(seenAt[2]!) },
        infoConfirmedMs: rel(infoUpAt),
        linkUpSource: fromLog ? "redis log" : "INFO poll",
        bAwaitsAckFromCMs: bAwaitsAck === undefined ? undefined : rel(bAwaitsAck),
    };
}
