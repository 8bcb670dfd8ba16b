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

/** The image the e2e stacks run unless REDIS_CHAIN_LOCAL_IMAGE names another. */
export const DEFAULT_LOCAL_IMAGE = process.env.REDIS_CHAIN_LOCAL_IMAGE ?? LOCAL_IMAGES.redis7;

/** Starts, stops and inspects the second Docker engine (a network namespace at 10.200.0.2); root only. */
export const SECOND_HOST_SCRIPT = join(__dirname, "..", "tests", "infra", "second-docker-host.sh");
