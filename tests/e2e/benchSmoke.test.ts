// The benchmark in its small mode on the real engine: every figure is measured for the seed and
// for ours, and the result has the promised shape. Timings are never asserted here.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LatencyResult } from "../../bench/figures/latency";
import type { BenchResult } from "../../bench/report";
import { runBench } from "../../bench/runBench";
import { SMOKE } from "../../bench/settings";
import { expectNothingLeft } from "./support";

const outDir = mkdtempSync(join(tmpdir(), "bench-smoke-"));
let result: BenchResult;
let files: string[];

afterAll(async () => {
    rmSync(outDir, { recursive: true, force: true });
    await expectNothingLeft("bench-smoke-");
}, 120_000);

const positive = (value: unknown, what: string) => {
    expect(typeof value, what).toBe("number");
    expect(Number.isFinite(value as number) && (value as number) > 0, `${what} = ${value}`).toBe(true);
};

function expectLatency(l: LatencyResult | undefined, what: string): void {
    expect(l, what).toBeDefined();
    for (const f of ["p50Ms", "p99Ms", "maxMs", "received"] as const) positive(l![f], `${what}.${f}`);
    expect(l!.samplesMs.length).toBe(l!.received);
}

describe("npm run bench, smoke mode", () => {
    it("measures every figure for the seed and ours, and writes the report", async () => {
        ({ result, files } = await runBench({ sizes: SMOKE, outDir, log: (line) => console.log(line) }));
        expect(result.errors).toEqual([]);
        expect(result.mode).toBe("smoke");
        for (const f of ["results.json", "results.md", "converge.svg", "latency-cdf.svg"]) {
            expect(files).toContain(join(outDir, f));
            expect(existsSync(join(outDir, f))).toBe(true);
        }
        expect(JSON.parse(readFileSync(join(outDir, "results.json"), "utf8")).mode).toBe("smoke");
        expect(readFileSync(join(outDir, "converge.svg"), "utf8")).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        expect(readFileSync(join(outDir, "results.md"), "utf8")).toMatch(/\| figure \| seed \| ours \| ratio seed\/ours \|/);
    }, 300_000);

    it("reports the machine", () => {
        const m = result.machine;
        positive(m.nproc, "nproc");
        positive(m.memoryGiB, "memoryGiB");
        expect(m.dockerEngine).toMatch(/^\d+\.\d+/);
        expect(m.redisVersion).toMatch(/^\d+\.\d+\.\d+$/);
        expect(Number.isNaN(Date.parse(m.date))).toBe(false);
        expect(m.commit).toMatch(/^[0-9a-f]{7,}$/);
        positive(result.totalMs, "totalMs");
    });

    for (const variant of ["seed", "ours"] as const) {
        it(`has every figure for ${variant}, with finite positive numbers`, () => {
            const v = result[variant];
            const c = v.converge!;
            expect(c).toBeDefined();
            for (const f of ["bLinkUpMs", "cLinkUpMs", "allLinksUpMs", "keyReadableMs", "readyMs", "infoConfirmedMs"] as const) {
                positive(c[f], `${variant}.converge.${f}`);
            }
            expect(c.allLinksUpMs).toBe(Math.max(c.bLinkUpMs, c.cLinkUpMs));

            expectLatency(v.latencyIdle, `${variant}.latencyIdle`);
            expectLatency(v.latencyLoaded, `${variant}.latencyLoaded`);
            positive(v.latencyLoaded!.load?.sets, `${variant}.latencyLoaded.load.sets`);

            const r = v.restart!;
            expect(r).toBeDefined();
            for (const f of ["stopMs", "bLinkUpMs", "cLinkUpMs", "linksUpMs"] as const) positive(r[f], `${variant}.restart.${f}`);
            for (const hop of [r.hops.ab, r.hops.bc]) expect(["partial", "full"]).toContain(hop.kind);
            positive(r.load.sets, `${variant}.restart.load.sets`);

            const s = v.fullSync!;
            expect(s).toBeDefined();
            for (const [hop, transport] of [[s.tlsHop, "tls"], [s.plainHop, "plain"]] as const) {
                expect(hop.transport).toBe(transport);
                positive(hop.ms, `${variant}.fullSync.${transport}.ms`);
                positive(hop.MBps, `${variant}.fullSync.${transport}.MBps`);
                expect(hop.fullSyncsServed, `${variant} ${transport} hop served a full sync`).toBeGreaterThanOrEqual(1);
            }

            const check = v.check!;
            expect(check).toBeDefined();
            if (check.ok) {
                positive(check.p50Ms, `${variant}.check.p50Ms`);
                positive(check.maxMs, `${variant}.check.maxMs`);
            } else {
                // Only the seed may fail the check, and the report must say why.
                expect(variant).toBe("seed");
                expect(check.failure).toMatch(/\S/);
            }
        });
    }

    it("has our check passing, and the plain-only chain's latency for the TLS comparison", () => {
        expect(result.ours.check!.ok).toBe(true);
        expectLatency(result.oursPlain.latencyIdle, "oursPlain.latencyIdle");
        expectLatency(result.oursPlain.latencyLoaded, "oursPlain.latencyLoaded");
    });
});
