// Turns a BenchResult into the Markdown tables, the JSON file and two hand-written SVG pictures.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckResult } from "./figures/check";
import type { ConvergeResult } from "./figures/converge";
import type { FullSyncResult } from "./figures/fullSync";
import type { LatencyResult } from "./figures/latency";
import type { MultiHostResult } from "./figures/multiHost";
import type { HopResync, RestartResult } from "./figures/restart";

export interface MachineInfo {
    readonly nproc: number;
    readonly memoryGiB: number;
    readonly dockerEngine: string;
    readonly redisVersion: string;
    readonly node: string;
    readonly kernel: string;
    readonly date: string;
    /** The program measured as "ours": HEAD, plus the files under index.ts, lib/ and components/ changed since. */
    readonly commit: string;
    readonly uncommittedProgramFiles: string[];
}

/** Figures of one chain; a figure that failed is absent and named in `errors`. */
export interface VariantFigures {
    converge?: ConvergeResult;
    latencyIdle?: LatencyResult;
    latencyLoaded?: LatencyResult;
    check?: CheckResult;
    restart?: RestartResult;
    fullSync?: FullSyncResult;
}

export interface BenchResult {
    readonly mode: "full" | "smoke";
    readonly machine: MachineInfo;
    readonly totalMs: number;
    readonly seed: VariantFigures;
    readonly ours: VariantFigures;
    /** Our plain-only chain: figure 2 only, to price the TLS hop. */
    readonly oursPlain: VariantFigures;
    /** Figure 6: our chain's converge with C on a second Docker host vs one host; absent when it failed. */
    readonly multiHost?: MultiHostResult;
    /** "<variant> <figure>: <message>" for every figure that could not be measured. */
    readonly errors: string[];
    readonly notes: string[];
}

const s = (ms: number | undefined) => (ms === undefined ? "n/a" : `${(ms / 1000).toFixed(2)} s`);
const ms = (v: number | undefined) => (v === undefined ? "n/a" : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`);
const mbps = (v: number | undefined) => (v === undefined ? "n/a" : `${v.toFixed(1)} MiB/s`);
function ratio(seed: number | undefined, ours: number | undefined): string {
    if (seed === undefined || ours === undefined || !(ours > 0)) return "n/a";
    return `${(seed / ours).toFixed(2)}x`;
}
function hop(h: HopResync | undefined): string {
    if (!h) return "n/a";
    return `**${h.kind}** (sync_full +${h.full}, partial_ok +${h.partialOk}, partial_err +${h.partialErr})`;
}

type Row = [string, string, string, string];

/** The short reason a check failed: the TLS error code and nodes where a Node handshake failed, else the check's own words. */
function failureCause(c: CheckResult): string {
    const bad = (c.tlsDiagnosis ?? []).filter((d) => !d.endsWith(": ok"));
    if (bad.length === 0) return c.failure ?? "?";
    const codes = [...new Set(bad.map((d) => /: (\w+): /.exec(d)?.[1] ?? "TLS error"))];
    return `TLS ${codes.join(", ")} on ${bad.map((d) => d.split(" ")[0]).join(", ")}`;
}

function mainRows(r: BenchResult): Row[] {
    const { seed, ours } = r;
    const rows: Row[] = [];
    const num = (label: string, pick: (v: VariantFigures) => number | undefined, fmt: (v: number | undefined) => string) =>
        rows.push([label, fmt(pick(seed)), fmt(pick(ours)), ratio(pick(seed), pick(ours))]);

    num("1a. converge: B link up (from 1st container create)", (v) => v.converge?.bLinkUpMs, s);
    num("1b. converge: C link up = all links up", (v) => v.converge?.allLinksUpMs, s);
    num("1c. converge: key written on A readable on A, B, C", (v) => v.converge?.keyReadableMs, s);
    for (const [key, label] of [["latencyIdle", "idle"], ["latencyLoaded", "under SET load"]] as const) {
        num(`2. A->C PUBLISH ${label}: p50`, (v) => v[key]?.p50Ms, ms);
        num(`2. A->C PUBLISH ${label}: p99`, (v) => v[key]?.p99Ms, ms);
        num(`2. A->C PUBLISH ${label}: max`, (v) => v[key]?.maxMs, ms);
    }
    num("2. load achieved during the loaded probes (SET/s)", (v) => v.latencyLoaded?.load?.setsPerSecond, (v) => (v === undefined ? "n/a" : v.toFixed(0)));
    num("3a. restart B: docker start -> both links up", (v) => v.restart?.linksUpMs, s);
    rows.push(["3b. restart B: A->B hop resync (INFO stats on A)", hop(seed.restart?.hops.ab), hop(ours.restart?.hops.ab), "-"]);
    rows.push(["3c. restart B: B->C hop resync (INFO stats on B)", hop(seed.restart?.hops.bc), hop(ours.restart?.hops.bc), "-"]);
    num("3d. write load during the restart (value MiB/s)", (v) => v.restart?.load.valueMBps, mbps);
    const ds = ours.fullSync?.datasetMiB ?? seed.fullSync?.datasetMiB;
    num(`4a. full sync ${ds ?? "?"} MiB over TLS (B->C): time`, (v) => v.fullSync?.tlsHop.ms, s);
    num("4b. full sync over TLS (B->C): throughput", (v) => v.fullSync?.tlsHop.MBps, mbps);
    num(`4c. full sync ${ds ?? "?"} MiB plain (A->B): time`, (v) => v.fullSync?.plainHop.ms, s);
    num("4d. full sync plain (A->B): throughput", (v) => v.fullSync?.plainHop.MBps, mbps);
    for (const [hopKey, label] of [["tlsHop", "TLS"], ["plainHop", "plain"]] as const) {
        const phases = (v: VariantFigures) => v.fullSync?.[hopKey].phasesMs;
        const cell = (v: VariantFigures) => {
            const p = phases(v);
            return p ? `${s(p.delay)} / ${s(p.transfer)} / ${s(p.load)}` : "n/a";
        };
        rows.push([`4${hopKey === "tlsHop" ? "e" : "f"}. full sync ${label}: delay / transfer / load (Redis logs)`, cell(seed), cell(ours), "-"]);
    }
    const check = (c: CheckResult | undefined, field: "p50Ms" | "maxMs") =>
        !c ? "n/a" : c.ok ? ms(c[field]) : `fails (${failureCause(c)})`;
    const checkNum = (c: CheckResult | undefined, field: "p50Ms" | "maxMs") => (c?.ok ? c[field] : undefined);
    rows.push([`5. post-deploy check on a healthy chain: p50 (${ours.check?.runs ?? "?"} runs)`, check(seed.check, "p50Ms"), check(ours.check, "p50Ms"), ratio(checkNum(seed.check, "p50Ms"), checkNum(ours.check, "p50Ms"))]);
    rows.push(["5. post-deploy check: max", check(seed.check, "maxMs"), check(ours.check, "maxMs"), ratio(checkNum(seed.check, "maxMs"), checkNum(ours.check, "maxMs"))]);
    return rows;
}

function tlsRows(r: BenchResult): Row[] {
    const { ours, oursPlain } = r;
    const rows: Row[] = [];
    const tlsRatio = (a: number | undefined, b: number | undefined) => (a === undefined || !(b! > 0) ? "n/a" : `${(a / b!).toFixed(2)}x`);
    for (const [key, label] of [["latencyIdle", "idle"], ["latencyLoaded", "under SET load"]] as const) {
        for (const f of ["p50Ms", "p99Ms", "maxMs"] as const) {
            rows.push([`A->C PUBLISH ${label}: ${f.replace("Ms", "")}`, ms(ours[key]?.[f]), ms(oursPlain[key]?.[f]), tlsRatio(ours[key]?.[f], oursPlain[key]?.[f])]);
        }
    }
    return rows;
}

function table(header: Row, rows: Row[]): string {
    return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function multiHostLine(m: MultiHostResult | undefined): string {
    if (!m) return "Multi-host converge (figure 6): not measured (see the failures below).";
    if ("skipped" in m) return `Multi-host converge (figure 6): skipped: ${m.skipped}.`;
    return `Multi-host converge (figure 6), ours, first container create -> check done: one host ${m.oneHostMs} ms, C on a second Docker host ${m.twoHostsMs} ms.`;
}

export function markdown(r: BenchResult): string {
    const m = r.machine;
    return [
        `## redis-chain bench (${r.mode}), ${m.date}`,
        "",
        `Machine: ${m.nproc} CPUs, ${m.memoryGiB.toFixed(1)} GiB RAM, Docker engine ${m.dockerEngine}, Redis ${m.redisVersion}, ` +
            `Node ${m.node}, kernel ${m.kernel}. Program at commit ${m.commit}` +
            (m.uncommittedProgramFiles.length > 0 ? ` plus uncommitted changes to ${m.uncommittedProgramFiles.join(", ")}` : "") +
            `. Total bench time ${(r.totalMs / 1000).toFixed(1)} s.`,
        "",
        table(["figure", "seed", "ours", "ratio seed/ours"], mainRows(r)),
        "",
        "TLS hop cost: our TLS chain (B->C over TLS, subscriber on C over TLS) vs our plain-only chain.",
        "",
        table(["figure", "ours (TLS hop)", "ours plain-only", "ratio TLS/plain"], tlsRows(r)),
        "",
        multiHostLine(r.multiHost),
        "",
        ...(r.errors.length > 0 ? ["Figures that could not be measured:", ...r.errors.map((e) => `- ${e}`), ""] : []),
        ...(["seed", "ours"] as const)
            .filter((v) => r[v].check && !r[v].check!.ok)
            .flatMap((v) => [
                `Figure 5 on ${v}: the check fails, so it has no time on a healthy chain: ${r[v].check!.failure}`,
                ...(r[v].check!.tlsDiagnosis ?? []).map((d) => `- Node TLS handshake (CA, hostname verified) to ${d}`),
                "",
            ]),
        "Notes:",
        ...r.notes.map((n) => `- ${n}`),
        "",
    ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// SVG, by hand

const esc = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Converge timeline: per variant one row per node, from the first container create to its link up. */
export function convergeSvg(r: BenchResult): string {
    const lanes = (["seed", "ours"] as const).filter((v) => r[v].converge).map((v) => ({ v, c: r[v].converge! }));
    const width = 900;
    const left = 80;
    const right = 150;
    const rowH = 24;
    const top = 50;
    const laneGap = 26;
    const laneH = 3 * rowH + laneGap;
    const height = top + lanes.length * laneH + 10;
    const maxMs = Math.max(1000, ...lanes.map((l) => Math.max(l.c.keyReadableMs, l.c.readyMs)));
    const span = Math.ceil((maxMs * 1.02) / 1000) * 1000;
    const x = (t: number) => (left + ((width - left - right) * t) / span).toFixed(1);
    const out: string[] = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
        `<rect width="100%" height="100%" fill="white"/>`,
        `<text x="${left}" y="20" font-size="14">Converge: from the first container create (0 s) to links up and a key readable on A, B, C</text>`,
        `<g font-size="10" fill="#333">` +
            `<rect x="${left}" y="28" width="14" height="8" fill="#ccc"/><text x="${left + 18}" y="36">create, copy files, start</text>` +
            `<rect x="${left + 170}" y="28" width="14" height="8" fill="#9ecae1"/><text x="${left + 188}" y="36">running, link not up</text>` +
            `<circle cx="${left + 330}" cy="32" r="4" fill="#2ca02c"/><text x="${left + 338}" y="36">link up</text>` +
            `<line x1="${left + 400}" y1="26" x2="${left + 400}" y2="38" stroke="#d62728" stroke-width="2"/><text x="${left + 406}" y="36">key readable on A, B, C</text>` +
            `<line x1="${left + 540}" y1="26" x2="${left + 540}" y2="38" stroke="#777" stroke-dasharray="3,2"/><text x="${left + 546}" y="36">deploy handed over</text></g>`,
    ];
    const step = span <= 3000 ? 250 : span <= 8000 ? 500 : span <= 20_000 ? 1000 : 2000;
    const axisY = top + lanes.length * laneH - laneGap + 8;
    for (let t = 0; t <= span; t += step) {
        out.push(`<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${axisY}" stroke="#eee"/>`);
        out.push(`<text x="${x(t)}" y="${axisY + 14}" text-anchor="middle" fill="#555">${(t / 1000).toFixed(step < 1000 ? 2 : 0)} s</text>`);
    }
    lanes.forEach(({ v, c }, i) => {
        const laneTop = top + i * laneH;
        const rows: [string, number, number | undefined][] = [
            ["A", c.startedMs.a, undefined],
            ["B", c.startedMs.b, c.bLinkUpMs],
            ["C", c.startedMs.c, c.cLinkUpMs],
        ];
        rows.forEach(([node, startMs, upMs], j) => {
            const y = laneTop + j * rowH;
            out.push(`<text x="10" y="${y + 15}"><tspan font-weight="bold">${v}</tspan> ${node}</text>`);
            out.push(`<rect x="${x(0)}" y="${y + 5}" width="${(Number(x(startMs)) - left).toFixed(1)}" height="12" fill="#ccc"/>`);
            const end = upMs ?? c.keyReadableMs;
            out.push(`<rect x="${x(startMs)}" y="${y + 5}" width="${(Number(x(end)) - Number(x(startMs))).toFixed(1)}" height="12" fill="${upMs === undefined ? "#deebf7" : "#9ecae1"}"/>`);
            if (upMs !== undefined) {
                out.push(`<circle cx="${x(upMs)}" cy="${y + 11}" r="5" fill="#2ca02c"/>`);
                out.push(`<text x="${Number(x(upMs)) + 8}" y="${y + 15}" fill="#2ca02c">${(upMs / 1000).toFixed(2)} s</text>`);
            } else {
                out.push(`<text x="${Number(x(startMs)) + 6}" y="${y + 15}" fill="#555">master (started ${(startMs / 1000).toFixed(2)} s)</text>`);
            }
        });
        const bottom = laneTop + 3 * rowH;
        out.push(`<line x1="${x(c.readyMs)}" y1="${laneTop}" x2="${x(c.readyMs)}" y2="${bottom}" stroke="#777" stroke-dasharray="3,2"/>`);
        out.push(`<line x1="${x(c.keyReadableMs)}" y1="${laneTop}" x2="${x(c.keyReadableMs)}" y2="${bottom}" stroke="#d62728" stroke-width="2"/>`);
        out.push(`<text x="${Number(x(c.keyReadableMs)) + 4}" y="${bottom + 12}" fill="#d62728">key on A, B, C: ${(c.keyReadableMs / 1000).toFixed(2)} s</text>`);
    });
    out.push("</svg>");
    return out.join("\n");
}

/** Latency CDF (log time axis) of every A->C probe series. */
export function latencySvg(r: BenchResult): string {
    const series: { label: string; samples: number[]; color: string; dash?: string }[] = [];
    const add = (label: string, l: LatencyResult | undefined, color: string, dash?: string) => {
        if (l && l.samplesMs.length > 0) series.push({ label, samples: l.samplesMs, color, dash });
    };
    add("seed idle", r.seed.latencyIdle, "#d62728", "5,3");
    add("seed loaded", r.seed.latencyLoaded, "#d62728");
    add("ours idle", r.ours.latencyIdle, "#1f77b4", "5,3");
    add("ours loaded", r.ours.latencyLoaded, "#1f77b4");
    add("ours plain-only idle", r.oursPlain.latencyIdle, "#2ca02c", "5,3");
    add("ours plain-only loaded", r.oursPlain.latencyLoaded, "#2ca02c");
    const width = 800;
    const height = 420;
    const left = 60;
    const right = 190;
    const top = 40;
    const bottom = 50;
    const all = series.flatMap((s) => s.samples).filter((v) => v > 0);
    const lo = Math.pow(10, Math.floor(Math.log10(Math.max(0.01, Math.min(...all, 1)))));
    const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all, 1))));
    const x = (v: number) => left + ((width - left - right) * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
    const y = (p: number) => top + (height - top - bottom) * (1 - p);
    const out: string[] = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
        `<rect width="100%" height="100%" fill="white"/>`,
        `<text x="${left}" y="20" font-size="14">A -&gt; C replicated PUBLISH latency, CDF (log scale)</text>`,
    ];
    for (let d = lo; d <= hi * 1.0001; d *= 10) {
        out.push(`<line x1="${x(d)}" y1="${top}" x2="${x(d)}" y2="${y(0)}" stroke="#ddd"/>`);
        out.push(`<text x="${x(d)}" y="${y(0) + 16}" text-anchor="middle" fill="#555">${d >= 1 ? d.toFixed(0) : d} ms</text>`);
    }
    for (const p of [0, 0.25, 0.5, 0.75, 0.9, 0.99]) {
        out.push(`<line x1="${left}" y1="${y(p)}" x2="${width - right}" y2="${y(p)}" stroke="#eee"/>`);
        out.push(`<text x="${left - 6}" y="${y(p) + 4}" text-anchor="end" fill="#555">${p}</text>`);
    }
    series.forEach((s, i) => {
        const n = s.samples.length;
        const points = s.samples.map((v, j) => `${x(v).toFixed(1)},${y((j + 1) / n).toFixed(1)}`);
        out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""} points="${points.join(" ")}"/>`);
        const ly = top + 10 + i * 18;
        out.push(`<line x1="${width - right + 12}" y1="${ly}" x2="${width - right + 40}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
        out.push(`<text x="${width - right + 46}" y="${ly + 4}">${esc(s.label)}</text>`);
    });
    out.push(`<text x="${(left + width - right) / 2}" y="${height - 10}" text-anchor="middle">latency (ms)</text>`);
    out.push("</svg>");
    return out.join("\n");
}

/** Writes results.json, results.md, converge.svg and latency-cdf.svg into `outDir`. */
export function writeReport(r: BenchResult, outDir: string): string[] {
    mkdirSync(outDir, { recursive: true });
    const files: [string, string][] = [
        ["results.json", `${JSON.stringify(r, null, 2)}\n`],
        ["results.md", markdown(r)],
        ["converge.svg", `${convergeSvg(r)}\n`],
        ["latency-cdf.svg", `${latencySvg(r)}\n`],
    ];
    for (const [name, text] of files) writeFileSync(join(outDir, name), text);
    return files.map(([name]) => join(outDir, name));
}
