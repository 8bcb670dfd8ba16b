// Figure 2: propagation latency A -> C, idle and under a write load from another process.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type Redis from "ioredis";
import { LoadSummary, RunningLoad, startWriteLoadProcess } from "../../testkit/writeLoad/childProcess";
import { sleep } from "../../testkit/sleep";
import { BenchChain, Log, loadOptions, open } from "../chain";
import { BenchSizes } from "../settings";
import { percentile, round } from "./percentile";

export interface LatencyResult {
    readonly probes: number;
    readonly received: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
    /** Every received probe's latency, ascending (for the CDF). */
    readonly samplesMs: number[];
    /** Latency by probe number, in send order (null: never arrived); shows periodic stalls. */
    readonly byProbeMs: (number | null)[];
    /** The background SET load on A, when there was one. */
    readonly load?: LoadSummary;
}

/**
 * PUBLISH on A with the send time in the message; a subscriber on C (over TLS where C is TLS-only,
 * verifying the CA) takes the difference on the same clock. PUBLISH is replicated: A -> B -> C.
 */
export async function measureLatency(chain: BenchChain, sizes: BenchSizes, loaded: boolean, log: Log): Promise<LatencyResult> {
    const { probes, probesPerSecond, load: shape, loadWarmupMs } = sizes.latency;
    const channel = `bench:probe:${randomBytes(6).toString("hex")}`;
    const byProbe: (number | null)[] = new Array(probes).fill(null);
    let warm = false;
    let sub: Redis | undefined;
    let pub: Redis | undefined;
    let load: RunningLoad | undefined;
    let loadSummary: LoadSummary | undefined;
    try {
        sub = await open(chain, "c");
        pub = await open(chain, "a");
        sub.on("message", (_channel: string, message: string) => {
            const arrived = performance.now();
            if (message === "warmup") warm = true;
            else {
                const colon = message.indexOf(":");
                byProbe[Number(message.slice(0, colon))] = round(arrived - Number(message.slice(colon + 1)));
            }
        });
        await sub.subscribe(channel);
        const warmDeadline = Date.now() + 10_000;
        while (!warm) {
            if (Date.now() > warmDeadline) throw new Error(`${chain.variant}: no PUBLISH reached C within 10 s`);
            await pub.publish(channel, "warmup");
            await sleep(20);
        }
        if (loaded) {
            const probeSeconds = probes / probesPerSecond;
            load = await startWriteLoadProcess(chain.writer, loadOptions(shape, "bench:lat:"), Math.ceil(loadWarmupMs / 1000 + probeSeconds + 30));
            await sleep(loadWarmupMs);
        }
        log(`${chain.variant}: latency ${loaded ? `under ${shape.setsPerSecond} SET/s x ${shape.valueBytes} B` : "idle"}: ${probes} probes at ${probesPerSecond}/s`);
        const interval = 1000 / probesPerSecond;
        const start = performance.now();
        for (let i = 0; i < probes; i++) {
            const wait = start + i * interval - performance.now();
            if (wait > 0) await sleep(wait);
            pub.publish(channel, `${i}:${performance.now()}`).catch(() => undefined);
        }
        const deadline = Date.now() + 5000;
        while (byProbe.includes(null) && Date.now() < deadline) await sleep(10);
        if (load) loadSummary = await load.stop();
        load = undefined;
    } finally {
        await load?.stop().catch(() => undefined);
        sub?.disconnect();
        pub?.disconnect();
    }
    const sorted = byProbe.filter((v): v is number => v !== null).sort((x, y) => x - y);
    if (sorted.length === 0) throw new Error(`${chain.variant}: no probe reached C`);
    return {
        probes,
        received: sorted.length,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        maxMs: sorted[sorted.length - 1],
        samplesMs: sorted,
        byProbeMs: byProbe,
        load: loadSummary,
    };
}
