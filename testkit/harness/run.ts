// Runs a command and returns its stdout; a failure carries the command and its stderr.
import { spawn } from "node:child_process";

export interface RunOptions {
    /** Bytes written to the command's stdin. */
    readonly input?: Buffer | string;
    readonly cwd?: string;
    readonly env?: NodeJS.ProcessEnv;
    /** Receives stderr as it arrives (progress of long commands). */
    readonly onStderr?: (chunk: string) => void;
}

export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (d: Buffer) => stdout.push(d));
        child.stderr.on("data", (d: Buffer) => {
            stderr.push(d);
            options.onStderr?.(d.toString());
        });
        child.on("error", reject);
        // A command that exits without reading its stdin would otherwise raise EPIPE unhandled.
        child.stdin.on("error", () => undefined);
        child.on("close", (code) => {
            const out = Buffer.concat(stdout).toString();
            const err = Buffer.concat(stderr).toString();
            if (code === 0) resolve(out);
            else reject(Object.assign(new Error(`${command} ${args.join(" ")} exited ${code}: ${err.trim()}`), { code, stdout: out, stderr: err }));
        });
        child.stdin.end(options.input ?? "");
    });
}

/** `docker …` on the local engine. */
export function docker(args: readonly string[], options: RunOptions = {}): Promise<string> {
    return run("docker", args, options);
}

/** One Docker engine: the local one (host undefined) or another, by DOCKER_HOST URL. */
export class DockerEngine {
    constructor(readonly host?: string) {}

    docker(args: readonly string[], options: RunOptions = {}): Promise<string> {
        if (!this.host) return docker(args, options);
        return docker(args, { ...options, env: { ...(options.env ?? process.env), DOCKER_HOST: this.host } });
    }
}
