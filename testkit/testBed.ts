// The test bed the e2e tests and the bench share: the local images, read from tests/infra/images.env
// (the one place their names and tags are written; the shell scripts source the same file), and the
// script that starts the second Docker host.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** NAME=value lines of a file the shell can source; comments and blank lines are skipped. */
export function parseImagesEnv(text: string): Record<string, string> {
    const vars: Record<string, string> = {};
    for (const line of text.split("\n")) {
        const match = /^([A-Z0-9_]+)=(\S+)$/.exec(line.trim());
        if (match) vars[match[1]] = match[2];
    }
    return vars;
}

const vars = parseImagesEnv(readFileSync(join(__dirname, "..", "tests", "infra", "images.env"), "utf8"));

function image(key: string): string {
    const value = vars[key];
    if (!value) throw new Error(`tests/infra/images.env has no ${key}`);
    return value;
}

/** Local stand-ins for the official images, by the name each test asks for. */
export const LOCAL_IMAGES = {
    redis7: image("REDIS_7_0_IMAGE"),
    redis8: image("REDIS_8_0_IMAGE"),
    redis86: image("REDIS_8_6_IMAGE"),
    valkey8: image("VALKEY_8_1_IMAGE"),
    valkey91: image("VALKEY_9_1_IMAGE"),
    redisExporter: image("REDIS_EXPORTER_IMAGE"),
    prometheus: image("PROMETHEUS_IMAGE"),
} as const;

/**
 * The image the e2e stacks run unless REDIS_CHAIN_LOCAL_IMAGE names another: the local counterpart of
 * the program's default image (a Redis 8.6 release). scripts/test.sh and tests/infra/second-docker-host.sh
 * name the same image for the shell.
 */
export const DEFAULT_LOCAL_IMAGE = process.env.REDIS_CHAIN_LOCAL_IMAGE ?? LOCAL_IMAGES.redis86;

/**
 * The image the bench runs both chains on: the reference setup's server (Redis 7.0, whose image also
 * has the /usr/local/etc/redis the reference setup copies its config into), so the two differ only
 * in how they are deployed.
 */
export const BENCH_IMAGE = LOCAL_IMAGES.redis7;

/** A server image the e2e suites run on. */
export interface SuiteImage {
    /** For test titles, e.g. "Valkey 8.1". */
    readonly label: string;
    readonly image: string;
    /** The server's executable there: PID 1 of every node once the entrypoint has dropped root. */
    readonly serverBinary: string;
    /** Short tag for container, network and volume names, so stacks of different images never share one. */
    readonly key: string;
    /** Added to every host port of a suite's stack, so stacks of different images never share a port. */
    readonly portShift: number;
}

/** Every server image the program supports as first-class, with its own names and host ports. */
export const SERVER_IMAGES: readonly SuiteImage[] = [
    { label: "Redis 8.6", image: LOCAL_IMAGES.redis86, serverBinary: "redis-server", key: "r86", portShift: 0 },
    { label: "Redis 8.0", image: LOCAL_IMAGES.redis8, serverBinary: "redis-server", key: "r8", portShift: 10 },
    { label: "Redis 7.0", image: LOCAL_IMAGES.redis7, serverBinary: "redis-server", key: "r7", portShift: 20 },
    { label: "Valkey 8.1", image: LOCAL_IMAGES.valkey8, serverBinary: "valkey-server", key: "v8", portShift: 30 },
    { label: "Valkey 9.1", image: LOCAL_IMAGES.valkey91, serverBinary: "valkey-server", key: "v91", portShift: 40 },
];

/**
 * The images the e2e suites run on: the default image alone, or every server image when
 * REDIS_CHAIN_MATRIX=1 (`npm run test:matrix`).
 */
export function suiteImages(): readonly SuiteImage[] {
    if (process.env.REDIS_CHAIN_MATRIX === "1") return SERVER_IMAGES;
    const image = DEFAULT_LOCAL_IMAGE;
    const known = SERVER_IMAGES.find((i) => i.image === image);
    if (!known) throw new Error(`REDIS_CHAIN_LOCAL_IMAGE=${image} is none of the server images: ${SERVER_IMAGES.map((i) => i.image).join(", ")}`);
    return [known];
}

/** Starts, stops and inspects the second Docker engine (a network namespace at 10.200.0.2); root only. */
export const SECOND_HOST_SCRIPT = join(__dirname, "..", "tests", "infra", "second-docker-host.sh");
