// Writes from inside a node's container, with redis-cli on its loopback: the client on the old
// master's side of a network partition. `docker network disconnect` cuts the container off the
// chain's network, and with it the published ports, so no client on the host reaches it; one inside
// still does, and sees what the isolated master acknowledges or refuses (NOREPLICAS).
import { ChildProcess, spawn } from "node:child_process";
import { docker } from "../harness/run";

/** One SET of the writer: when it was answered (Date ms, the engine host's clock) and how. */
export interface InsideWrite {
    readonly n: number;
    readonly at: number;
    /** The server answered OK. */
    readonly acknowledged: boolean;
    /** The reply otherwise ("NOREPLICAS Not enough good replicas to write.", "READONLY ..."). */
    readonly reply: string;
}

/** Knobs of one writer. */
export interface InsideWriterOptions {
    readonly container: string;
    /** Keys are `<keyPrefix><n>`, values `String(n)`. */
    readonly keyPrefix: string;
    /** The node's port inside the container. */
    readonly port: number;
    /** The application user's password (absent: no login). */
    readonly password?: string;
    /** Pause between two SETs in seconds (default 0.05). */
    readonly pauseSeconds?: number;
    /** The cli binary (default redis-cli). */
    readonly cli?: string;
}

/** A running writer. */
export interface InsideWriter {
    /** Writes answered so far. */
    readonly writes: readonly InsideWrite[];
    /** Stops the loop (a marker file it checks between writes) and returns every write. */
    stop(): Promise<InsideWrite[]>;
}

const STOP_FILE = "/tmp/redis-chain-inside-writer.stop";

/** Parses the loop's lines, `<ms> <n> <reply>`; other lines are ignored. */
export function parseInsideWrites(text: string): InsideWrite[] {
    const writes: InsideWrite[] = [];
    for (const line of text.split("\n")) {
        const match = /^(\d{13}) (\d+) ?(.*)$/.exec(line.replace(/\r$/, ""));
        if (!match) continue;
        const reply = match[3].replace(/^\(error\) /, "").trim();
        writes.push({ at: Number(match[1]), n: Number(match[2]), acknowledged: reply === "OK", reply });
    }
    return writes;
}

/** Starts the loop in the container: one redis-cli SET per iteration, each answer timestamped. */
export async function startInsideWriter(options: InsideWriterOptions): Promise<InsideWriter> {
    await docker(["exec", options.container, "rm", "-f", STOP_FILE]);
    const cli = options.cli ?? "redis-cli";
    const script = [
        // Milliseconds since the epoch: GNU date's %3N; busybox's date has no %N (the local Redis
        // 7.0 image is busybox), but its ts applet stamps a line with microseconds.
        "now() { date +%s%3N; }",
        "case \"$(date +%3N)\" in *N) now() { echo | ts %.s | sed -n 's/^\\([0-9]*\\)\\.\\([0-9][0-9][0-9]\\).*/\\1\\2/p'; } ;; esac",
        "i=0",
        `while [ ! -e ${STOP_FILE} ]; do`,
        `    r=$(${cli} --no-auth-warning -p ${options.port} SET "${options.keyPrefix}$i" "$i" 2>&1 | head -n 1)`,
        '    echo "$(now) $i $r"',
        "    i=$((i + 1))",
        `    sleep ${options.pauseSeconds ?? 0.05}`,
        "done",
    ].join("\n");
    const env = options.password === undefined ? [] : ["--env", `REDISCLI_AUTH=${options.password}`];
    const child: ChildProcess = spawn("docker", ["exec", ...env, options.container, "sh", "-c", script], { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    const writes: InsideWrite[] = [];
    child.stdout!.on("data", (d: Buffer) => {
        text += d.toString();
        const cut = text.lastIndexOf("\n");
        if (cut < 0) return;
        writes.push(...parseInsideWrites(text.slice(0, cut)));
        text = text.slice(cut + 1);
    });
    child.stderr!.resume();
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    return {
        writes,
        async stop() {
            await docker(["exec", options.container, "touch", STOP_FILE]).catch(() => child.kill());
            await exited;
            writes.push(...parseInsideWrites(text));
            text = "";
            return [...writes];
        },
    };
}
