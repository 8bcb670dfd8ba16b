// `npm run bench:orders -- <stack> [runs] [serial]`: converge in forced start orders (bench/figures/startOrders.ts).
//   stack: reference (Pulumi.dev.yaml; runs cycle through all 6 orders), reference-nowait (the same
//   with upstreamWaitSeconds 0: every server starts at once), fanout, fourhop (each run a random
//   order, the first one leaves-first), seed (the reference setup as the write-up deploys it).
//   serial: also time the Docker floor with the creates serialized upstream first (dependsOn).
//   `npm run bench:orders -- table` prints the README's table from every sample file.
// Appends every sample to .bench/orders/<stack>.jsonl and prints p50/p90/max over the whole file,
// so several short runs (each under the shared Docker lock) add up to one table.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LOCAL_IMAGE, PROJECT_DIR, StackConfig, readStackConfig } from "../testkit/harness/deployStack";
import { removeLeftovers } from "../testkit/dockerObjects";
import { sleep } from "../testkit/sleep";
import { testStack, withHostPorts } from "../testkit/stacks";
import { OrderSample, connectWhenUp, measureOrder } from "./figures/startOrders";
import { percentile } from "./figures/percentile";
import { deploySeed, removeSeed } from "./seedChain";
import { namesFor } from "./settings";
import { runMain } from "./runMain";

const PREFIX = "bench-orders-";
/** Between two starts of a forced order: the starts overlap, as in a parallel deploy. */
const GAP_MS = 60;

const STACKS: Record<string, StackConfig> = {
    // The program as it was: every server starts at once and retries once a second.
    "reference-nowait": {
        ...withHostPorts(testStack(readStackConfig("dev"), PREFIX, 0), {
            "redis-a": { plain: 48810 },
            "redis-b": { plain: 48811, tls: 48812 },
            "redis-c": { tls: 48813 },
        }),
        postDeployCheck: "false",
        upstreamWaitSeconds: "0",
    },
    reference: {
        ...withHostPorts(testStack(readStackConfig("dev"), PREFIX, 0), {
            "redis-a": { plain: 48810 },
            "redis-b": { plain: 48811, tls: 48812 },
            "redis-c": { tls: 48813 },
        }),
        postDeployCheck: "false",
    },
    fanout: {
        namePrefix: PREFIX,
        image: LOCAL_IMAGE,
        postDeployCheck: "false",
        nodes: [
            { name: "hub", plain: { hostPort: 48820 }, tls: { hostPort: 48821 } },
            { name: "leaf-plain", replicaOf: "hub", link: "plain", plain: { hostPort: 48822 } },
            { name: "leaf-tls", replicaOf: "hub", link: "tls", tls: { hostPort: 48823 }, tlsAuthClients: "yes" },
            { name: "deep", replicaOf: "leaf-tls", link: "tls", plain: { hostPort: 48824 } },
        ],
    },
    fourhop: {
        namePrefix: PREFIX,
        image: LOCAL_IMAGE,
        postDeployCheck: "false",
        nodes: [
            { name: "hop-a", plain: { hostPort: 48830 } },
            { name: "hop-b", replicaOf: "hop-a", link: "plain", plain: { hostPort: 48831 }, tls: { hostPort: 48832 } },
            { name: "hop-c", replicaOf: "hop-b", link: "tls", tls: { hostPort: 48833 } },
            { name: "hop-d", replicaOf: "hop-c", link: "tls", tls: { hostPort: 48834 } },
            { name: "hop-e", replicaOf: "hop-d", link: "tls", tls: { hostPort: 48835 } },
        ],
    },
};

function permutations<T>(items: readonly T[]): T[][] {
    if (items.length <= 1) return [[...items]];
    return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

function shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
}

function summary(label: string, values: number[]): string {
    const sorted = [...values].sort((a, b) => a - b);
    return `${label}: p50 ${percentile(sorted, 0.5)} ms, p90 ${percentile(sorted, 0.9)} ms, max ${sorted[sorted.length - 1]} ms`;
}

async function seedRun(log: (line: string) => void): Promise<{ keyReadableMs: number }> {
    const names = namesFor("full");
    await removeSeed(names);
    const chain = await deploySeed(names, log);
    try {
        const deadline = Date.now() + 60_000;
        const clients = await Promise.all((["a", "b", "c"] as const).map((k) => connectWhenUp(() => chain.client(k), deadline)));
        try {
            await clients[0].set("bench:orders:seed", "1");
            for (;;) {
                const got = await Promise.all(clients.map((c) => c.get("bench:orders:seed").catch(() => null)));
                if (got.every((v) => v === "1")) return { keyReadableMs: Date.now() - chain.deploy.firstCreateAt };
                if (Date.now() > deadline) throw new Error("seed: key not readable on every node within 60 s");
                await sleep(5);
            }
        } finally {
            clients.forEach((c) => c.disconnect());
        }
    } finally {
        await chain.destroy();
    }
}

const triple = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const s = (ms: number) => (ms / 1000).toFixed(2);
    return `${s(percentile(sorted, 0.5))} / ${s(percentile(sorted, 0.9))} / ${s(sorted[sorted.length - 1])} s`;
};
const ms3 = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${percentile(sorted, 0.5)} / ${percentile(sorted, 0.9)} / ${sorted[sorted.length - 1]} ms`;
};

/** The README's table, from every sample file there is. */
function table(dir: string): string {
    const read = (name: string) =>
        existsSync(join(dir, `${name}.jsonl`)) ? readFileSync(join(dir, `${name}.jsonl`), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
    const rows = [
        "| stack | deploys | start orders seen | converge p50 / p90 / max | Docker floor p50 / p90 / max | converge p90 - floor p90 | Redis part p50 / p90 / max | deploys with a refused attempt | a key written after converge: readable everywhere, p50 / p90 / max |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ];
    for (const name of ["reference", "reference-nowait", "fanout", "fourhop"]) {
        const samples = read(name) as OrderSample[];
        if (samples.length === 0) continue;
        const p90 = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.9);
        const orders = new Set(samples.map((s) => s.observedOrder.join(">"))).size;
        rows.push(
            `| ${name} | ${samples.length} | ${orders} | ${triple(samples.map((s) => s.keyReadableMs))} | ${triple(samples.map((s) => s.floorMs))} | ` +
                `${((p90(samples.map((s) => s.keyReadableMs)) - p90(samples.map((s) => s.floorMs))) / 1000).toFixed(2)} s | ` +
                `${ms3(samples.map((s) => s.redisPartMs))} | ${samples.filter((s) => s.refused.length > 0).length} | ${ms3(samples.map((s) => s.secondKeyMs))} |`,
        );
    }
    const seed = read("seed");
    if (seed.length > 0) rows.push(`| reference setup (seed) | ${seed.length} | compose order | ${triple(seed.map((s: any) => s.keyReadableMs))} | | | | | |`);
    const reference = read("reference") as OrderSample[];
    const serial = reference.filter((s) => s.serialFloorMs !== undefined);
    const lines = [rows.join("\n")];
    if (serial.length > 0) {
        lines.push(`Docker floor with the creates serialized upstream first (dependsOn), ${serial.length} deploys: ${triple(serial.map((s) => s.serialFloorMs!))}; ` +
            `parallel in the same deploys: ${triple(serial.map((s) => s.floorMs))}.`);
    }
    const byOrder = new Map<string, number[]>();
    for (const s of reference) byOrder.set(s.observedOrder.join(">"), [...(byOrder.get(s.observedOrder.join(">")) ?? []), s.redisPartMs]);
    if (byOrder.size > 0) {
        lines.push(
            "Reference stack, Redis part by the order the containers started (p50 / p90 / max, deploys): " +
                [...byOrder].sort().map(([order, v]) => `${order.replace(/redis-/g, "").toUpperCase()} ${ms3(v)} (${v.length})`).join("; ") + ".",
        );
    }
    return lines.join("\n\n");
}

async function main(): Promise<void> {
    const [stackName = "reference", runsText, serialText] = process.argv.slice(2);
    const log = (line: string) => process.stdout.write(`[orders ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
    const dir = join(PROJECT_DIR, ".bench", "orders");
    mkdirSync(dir, { recursive: true });
    if (stackName === "table") {
        process.stdout.write(`${table(dir)}\n`);
        return;
    }
    const file = join(dir, `${stackName}.jsonl`);
    const previous = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];

    if (stackName === "seed") {
        const runs = Number(runsText ?? 3);
        for (let i = 0; i < runs; i++) {
            const sample = await seedRun(log);
            log(`seed: converge ${sample.keyReadableMs} ms`);
            appendFileSync(file, `${JSON.stringify(sample)}\n`);
            previous.push(sample);
        }
        log(summary(`seed converge (${previous.length} deploys)`, previous.map((s) => s.keyReadableMs)));
        return;
    }

    const config = STACKS[stackName];
    if (!config) throw new Error(`unknown stack ${stackName}; use reference, fanout, fourhop or seed`);
    const names = (config.nodes as { name: string }[]).map((n) => n.name);
    const runs = Number(runsText ?? 6);
    // The reference stack goes through all 6 orders in turn (continuing where the file left off);
    // bigger stacks take random orders, the first of each run leaves-first (the worst).
    const all = permutations(names);
    const orders =
        stackName.startsWith("reference")
            ? Array.from({ length: runs }, (_, i) => all[(previous.length + i) % all.length])
            : Array.from({ length: runs }, (_, i) => (i === 0 ? [...names].reverse() : shuffled(names)));
    await removeLeftovers(PREFIX);
    for (const order of orders) {
        const sample = await measureOrder(stackName, config, order, GAP_MS, log, serialText === "serial");
        appendFileSync(file, `${JSON.stringify(sample)}\n`);
        previous.push(sample);
    }
    await removeLeftovers(PREFIX);
    const samples = previous as OrderSample[];
    const observed = new Map<string, number>();
    for (const s of samples) observed.set(s.observedOrder.join(">"), (observed.get(s.observedOrder.join(">")) ?? 0) + 1);
    log(`${stackName}: ${samples.length} deploys; observed start orders: ${[...observed].map(([o, n]) => `${o} x${n}`).join(", ")}`);
    log(summary("converge", samples.map((s) => s.keyReadableMs)));
    log(summary("Docker floor", samples.map((s) => s.floorMs)));
    const serial = samples.filter((s) => s.serialFloorMs !== undefined).map((s) => s.serialFloorMs!);
    if (serial.length > 0) log(summary(`Docker floor, creates serialized upstream first (${serial.length} deploys)`, serial));
    log(summary("links up (from the first create)", samples.map((s) => s.linksUpMs)));
    log(summary("last container running (from the first create)", samples.map((s) => s.lastRunningMs)));
    log(summary("Redis part", samples.map((s) => s.redisPartMs)));
    log(summary("second key, write -> readable everywhere", samples.map((s) => s.secondKeyMs)));
    log(`deploys with a refused attempt: ${samples.filter((s) => s.refused.length > 0).length}`);
}

runMain(main);
