// The benchmark: the seed's configuration and ours, same image, same engine, one after the other,
// then our plain-only chain for the price of the TLS hop. Every chain is torn down right after its
// figures (also on failure), and a sweep by name removes leftovers of an interrupted earlier run.
import { availableParallelism, release, totalmem } from "node:os";
import { PROJECT_DIR } from "../testkit/harness/deployStack";
import { removeLeftovers } from "../testkit/dockerObjects";
import { docker, run } from "../testkit/harness/run";
import { BenchChain, infoOf, withNode } from "./chain";
import { measureCheck } from "./figures/check";
import { measureConverge } from "./figures/converge";
import { measureFullSync } from "./figures/fullSync";
import { measureLatency } from "./figures/latency";
import { MultiHostResult, measureMultiHost } from "./figures/multiHost";
import { measureRestart } from "./figures/restart";
import { deployOurs, oursConfig, oursPlainConfig } from "./oursChain";
import { BenchResult, MachineInfo, VariantFigures, markdown, writeReport } from "./report";
import { removeSeed, deploySeed } from "./seedChain";
import { BenchNames, BenchSizes, namesFor } from "./settings";

export interface BenchOptions {
    readonly sizes: BenchSizes;
    /** Where results.json, results.md and the SVGs go. */
    readonly outDir: string;
    /** Progress lines (default: stdout). */
    readonly log?: (line: string) => void;
}

export async function runBench(options: BenchOptions): Promise<{ result: BenchResult; files: string[] }> {
    const { sizes } = options;
    const names = namesFor(sizes.mode);
    const started = Date.now();
    const print = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
    const log = (line: string) => print(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
    const errors: string[] = [];
    const seed: VariantFigures = {};
    const ours: VariantFigures = {};
    const oursPlain: VariantFigures = {};
    let multiHost: MultiHostResult | undefined;
    let redisVersion = "unknown";
    // Containers of others on the same engine share the CPUs and skew timings: say where.
    const foreign = new Map<string, Set<string>>();
    const noteForeign = async (where: string) => {
        const names = (await docker(["ps", "--format", "{{.Names}}"]).catch(() => "")).split("\n").filter((n) => n && !n.startsWith("bench-"));
        for (const n of names) foreign.set(where, (foreign.get(where) ?? new Set()).add(n));
    };

    /** Runs one figure; a failure is recorded and the bench goes on with the next figure. */
    const figure = async <K extends keyof VariantFigures>(chain: BenchChain, into: VariantFigures, key: K, fn: () => Promise<VariantFigures[K]>) => {
        const where = `${chain.variant} ${key}`;
        await noteForeign(where);
        try {
            into[key] = await fn();
            await noteForeign(where);
        } catch (error) {
            const line = `${chain.variant} ${key}: ${(error as Error).message}`;
            errors.push(line);
            log(`FAILED ${line}`);
        }
    };
    /** Deploys, measures, and always tears the chain down. */
    const withChain = async (label: string, deploy: () => Promise<BenchChain>, measure: (chain: BenchChain) => Promise<void>) => {
        log(`${label}: deploying`);
        let chain: BenchChain;
        try {
            chain = await deploy();
        } catch (error) {
            errors.push(`${label} deploy: ${(error as Error).message}`);
            log(`FAILED ${label} deploy: ${(error as Error).message}`);
            return;
        }
        try {
            await measure(chain);
        } finally {
            log(`${label}: tearing down`);
            await chain.destroy();
        }
    };
    const allFigures = async (chain: BenchChain, into: VariantFigures) => {
        await figure(chain, into, "converge", () => measureConverge(chain, log));
        if (redisVersion === "unknown") {
            redisVersion = await withNode(chain, "a", async (c) => (await infoOf(c, "server")).redis_version).catch(() => "unknown");
        }
        await figure(chain, into, "latencyIdle", () => measureLatency(chain, sizes, false, log));
        await figure(chain, into, "latencyLoaded", () => measureLatency(chain, sizes, true, log));
        await figure(chain, into, "check", () => measureCheck(chain, sizes, log));
        await figure(chain, into, "restart", () => measureRestart(chain, sizes, log));
        await figure(chain, into, "fullSync", () => measureFullSync(chain, sizes, log));
    };

    log(`mode ${sizes.mode}; removing leftovers of an interrupted run, if any`);
    await sweep(names);
    try {
        await withChain("seed", () => deploySeed(names, log), (chain) => allFigures(chain, seed));
        await withChain("ours", () => deployOurs("ours", oursConfig(names), log), (chain) => allFigures(chain, ours));
        await withChain("ours plain-only", () => deployOurs("oursPlain", oursPlainConfig(names), log), async (chain) => {
            // Deployed without the post-deploy check: a replica's server listens only once its
            // upstream serves it, so the latency waits for the chain's links like every other figure.
            await figure(chain, oursPlain, "converge", () => measureConverge(chain, log));
            await figure(chain, oursPlain, "latencyIdle", () => measureLatency(chain, sizes, false, log));
            await figure(chain, oursPlain, "latencyLoaded", () => measureLatency(chain, sizes, true, log));
        });
        log("multi-host converge");
        // The smoke run lives inside npm test, where tests/e2e/multiHost.test.ts already deploys across
        // the two hosts; a second pair of deploys there would only cost time.
        multiHost = await (sizes.mode === "smoke" ? Promise.resolve({ skipped: "smoke mode (npm run bench measures it)" }) : measureMultiHost(names, log)).catch((error) => {
            errors.push(`ours multiHost: ${(error as Error).message}`);
            log(`FAILED ours multiHost: ${(error as Error).message}`);
            return undefined;
        });
    } finally {
        await sweep(names);
    }

    const result: BenchResult = {
        mode: sizes.mode,
        machine: await machineInfo(redisVersion),
        totalMs: Date.now() - started,
        seed,
        ours,
        oursPlain,
        multiHost,
        errors,
        notes: [
            ...notes(sizes),
            foreign.size === 0
                ? "No other container ran on the engine at the start or end of any figure."
                : "Other containers ran on the engine (they share the CPUs, so these figures are skewed): " +
                  [...foreign].map(([where, names]) => `${where} (${[...names].sort().join(", ")})`).join("; ") + ".",
        ],
    };
    const files = writeReport(result, options.outDir);
    print(`\n${markdown(result)}`);
    print(`written: ${files.join(", ")}`);
    return { result, files };
}

/** Removes every container, network and volume a run with these names may have left. */
async function sweep(names: BenchNames): Promise<void> {
    await removeSeed(names);
    await removeLeftovers(names.oursPrefix, names.plainPrefix, names.multiHostPrefix);
}

async function machineInfo(redisVersion: string): Promise<MachineInfo> {
    return {
        nproc: availableParallelism(),
        memoryGiB: totalmem() / (1 << 30),
        dockerEngine: (await docker(["version", "--format", "{{.Server.Version}}"])).trim(),
        redisVersion,
        node: process.version,
        kernel: release(),
        date: new Date().toISOString(),
        commit: (await run("git", ["rev-parse", "--short", "HEAD"], { cwd: PROJECT_DIR }).catch(() => "unknown")).trim(),
        uncommittedProgramFiles: (await run("git", ["status", "--porcelain", "--", "index.ts", "lib", "components"], { cwd: PROJECT_DIR }).catch(() => ""))
            .split("\n")
            .filter(Boolean)
            .map((l) => l.slice(3)),
    };
}

function notes(sizes: BenchSizes): string[] {
    const l = sizes.latency;
    const r = sizes.restart;
    const f = sizes.fullSync;
    return [
        "Seed: the write-up's setup with the docker CLI; files copied in with `docker cp` before start (the write-up bind-mounted " +
            "./certs and the config), /data on named volumes (the write-up: host folders), ports on 127.0.0.1 (the write-up: 0.0.0.0), " +
            "C with its own config (the write-up's compose file mounted B's into C). Redis defaults otherwise: repl-diskless-sync-delay 5, " +
            "repl-backlog-size 1mb, save 3600 1 300 100 60 10000, no auth, protected-mode no (image default).",
        "Ours: the real program through the e2e harness (testkit/harness/deployStack.ts), postDeployCheck false; auth on, " +
            "repl-diskless-sync-delay 0, repl-backlog-size 64mb, RDB persistence. Same local image and engine for both.",
        "1: times from the first `docker create` of a Redis container. Link-up instants from Redis's log line " +
            "(`MASTER <-> REPLICA sync: Finished with success`, Docker's receive timestamp), confirmed by INFO master_link_status:up; " +
            "the key is written once INFO shows both links up (ours: after the deploy hands over the password).",
        `2: ${l.probes} PUBLISH probes at ${l.probesPerSecond}/s on A, subscriber on C (TLS with the CA; the seed's certificate has no SAN, ` +
            `so hostname verification is off for the seed as in redis-cli), same process clock. Loaded: ${l.load.setsPerSecond} SET/s x ` +
            `${l.load.valueBytes} B random values on A from a separate process.`,
        `3: ${r.load.setsPerSecond} SET/s x ${r.load.valueBytes} B on A; docker stop B (graceful, Redis saves), ${r.downMs / 1000} s, docker start B. ` +
            "Resync kind from INFO stats deltas: A for A->B, B for B->C (B restarted, so its counters start at 0).",
        `4: ${f.values} x ${f.valueBytes} B random values; REPLICAOF NO ONE then REPLICAOF <upstream> on the replica; time to ` +
            "master_link_status:up with master_sync_in_progress:0; MiB/s of values. The seed pays its 5 s repl-diskless-sync-delay here.",
        "5: checkReplication (lib/check/checkReplication.ts) from the outputs via chainFromOutputs; one warm-up run not counted. " +
            "The seed is described in the outputs' shape for it.",
    ];
}
