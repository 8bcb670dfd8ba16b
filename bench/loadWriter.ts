// A steady SET load on one Redis node, run as its own process so that it never delays the bench's
// own timers and probes. Parent side: `startLoad()`. Child side: this file run directly, with its
// job as JSON in argv[2]; it prints "ready" once connected and one JSON summary line when it stops
// (SIGTERM, or after maxSeconds).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import Redis from "ioredis";
import { LoadShape } from "./settings";

interface LoadJob extends LoadShape {
    readonly host: string;
    readonly port: number;
    readonly password?: string;
    readonly maxSeconds: number;
    readonly keyPrefix: string;
}

/** What a load did. */
export interface LoadSummary {
    readonly sets: number;
    readonly errors: number;
    readonly elapsedMs: number;
    /** Acknowledged SETs per second and value megabytes (MiB) per second. */
    readonly setsPerSecond: number;
    readonly valueMBps: number;
}

export interface RunningLoad {
    stop(): Promise<LoadSummary>;
}

/** Starts the load in a child process and resolves once it is connected and writing. */
export async function startLoad(job: LoadJob): Promise<RunningLoad> {
    const child = spawn(process.execPath, ["--import", "tsx", __filename, JSON.stringify(job)], {
        cwd: __dirname,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
        const finish = (error?: Error) => {
            clearInterval(poll);
            clearTimeout(deadline);
            if (error) reject(error);
            else resolve();
        };
        const poll = setInterval(() => {
            if (out.includes("ready\n")) finish();
        }, 5);
        const deadline = setTimeout(() => {
            child.kill("SIGKILL");
            finish(new Error(`load writer not ready after 15 s: ${err.trim()}`));
        }, 15_000);
        exited.then((code) => finish(new Error(`load writer exited ${code} before it was ready: ${err.trim()}`)));
    });
    return {
        async stop() {
            if (child.exitCode === null) child.kill("SIGTERM");
            const code = await exited;
            const line = out.split("\n").find((l) => l.startsWith("{"));
            if (code !== 0 || !line) throw new Error(`load writer exited ${code}: ${err.trim()}`);
            return JSON.parse(line) as LoadSummary;
        },
    };
}

async function main(job: LoadJob): Promise<void> {
    const client = new Redis({
        host: job.host,
        port: job.port,
        password: job.password,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => 200,
        commandTimeout: 5000,
    });
    client.on("error", () => undefined);
    await new Promise<void>((resolve) => client.once("ready", () => resolve()));
    // Random, hence incompressible (RDB's LZF gains nothing); a pool so generating them costs nothing.
    const values = Array.from({ length: 64 }, () => randomBytes(job.valueBytes));
    const maxInFlight = Math.max(100, Math.ceil(job.setsPerSecond / 10));
    let issued = 0;
    let sets = 0;
    let errors = 0;
    let inFlight = 0;
    const started = Date.now();
    process.stdout.write("ready\n");

    const tick = setInterval(() => {
        const due = Math.floor(((Date.now() - started) * job.setsPerSecond) / 1000);
        while (issued < due && inFlight < maxInFlight) {
            const n = issued++;
            inFlight++;
            client.set(`${job.keyPrefix}${n % job.keyspace}`, values[n % values.length]).then(
                () => sets++,
                () => errors++,
            ).finally(() => inFlight--);
        }
        // A slow server: skip the slots instead of bursting later.
        if (due - issued > maxInFlight) issued = due;
    }, 5);

    const stop = async () => {
        clearInterval(tick);
        const elapsedMs = Date.now() - started;
        while (inFlight > 0) await new Promise((r) => setTimeout(r, 5));
        client.disconnect();
        const summary: LoadSummary = {
            sets,
            errors,
            elapsedMs,
            setsPerSecond: (sets * 1000) / elapsedMs,
            valueMBps: (sets * job.valueBytes * 1000) / elapsedMs / (1 << 20),
        };
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        process.exit(0);
    };
    process.once("SIGTERM", () => void stop());
    setTimeout(() => void stop(), job.maxSeconds * 1000);
}

// Run as a script (the child), not imported (the parent).
if (process.argv[1] && resolve(process.argv[1]) === __filename) {
    main(JSON.parse(process.argv[2]) as LoadJob).catch((error) => {
        process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
        process.exit(1);
    });
}
