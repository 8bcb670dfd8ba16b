// The write load in its own process, so that it never delays the caller's timers and probes (the
// bench measures latencies while it runs). Parent side: `startWriteLoadProcess()`. Child side: this
// file run directly with its job as JSON in argv[2]; it prints "ready" once connected and one JSON
// summary line when it stops (SIGTERM, or after maxSeconds).
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { ClientTarget } from "../redisClient";
import { WriteLoadOptions, startWriteLoad } from "./writeLoad";

interface LoadJob {
    readonly target: ClientTarget;
    readonly options: WriteLoadOptions;
    /** The child stops by itself after this long, should the parent never stop it. */
    readonly maxSeconds: number;
}

/** What a load did, as the child reports it. */
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
export async function startWriteLoadProcess(target: ClientTarget, options: WriteLoadOptions, maxSeconds: number): Promise<RunningLoad> {
    const job: LoadJob = { target, options, maxSeconds };
    const child = spawn(process.execPath, ["--import", "tsx", __filename, JSON.stringify(job)], {
        cwd: __dirname,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    await new Promise<void>((done, reject) => {
        const finish = (error?: Error) => {
            clearInterval(poll);
            clearTimeout(deadline);
            if (error) reject(error);
            else done();
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
    const load = await startWriteLoad(job.target, job.options);
    process.stdout.write("ready\n");
    const stop = async () => {
        const r = await load.stop();
        const summary: LoadSummary = {
            sets: r.acknowledgedCount,
            errors: r.failed,
            elapsedMs: r.elapsedMs,
            setsPerSecond: (r.acknowledgedCount * 1000) / r.elapsedMs,
            valueMBps: (r.acknowledgedBytes * 1000) / r.elapsedMs / (1 << 20),
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
