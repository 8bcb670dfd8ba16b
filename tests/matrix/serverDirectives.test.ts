// Checks the version tables of lib/ against the real server binaries: every directive the table
// says a release accepts is accepted (and reads back through CONFIG GET), every one it says the
// release lacks is refused at start, each server writes the RDB version lib/rdbFormats.ts states,
// and replication between every ordered pair of images succeeds exactly when canReplicateFrom says
// so. Plain docker CLI; no published ports; everything created is removed in afterAll.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VALKEY_MAGIC_FROM, canReplicateFrom, loadsRdb, rdbFileHeader, rdbFormat } from "../../lib/rdbFormats";
import { serverBinaries } from "../../lib/serverBinaries";
import { DIRECTIVES, directiveSupported } from "../../lib/serverDirectives";
import { ServerRelease, formatRelease, releaseFromImage } from "../../lib/serverRelease";
import { LOCAL_IMAGES } from "../../testkit/testBed";

/** The server images under test; each must exist locally (a missing one fails, it is not skipped). */
export const SERVER_IMAGES: readonly string[] = [LOCAL_IMAGES.redis7, LOCAL_IMAGES.redis8, LOCAL_IMAGES.redis86, LOCAL_IMAGES.valkey8, LOCAL_IMAGES.valkey91];

const PREFIX = `rc-srvdir-${process.pid}`;
const NETWORK = PREFIX;
const PASSWORD = "probe-secret";
const created: string[] = [];
let tempDir = "";
let sequence = 0;

function docker(args: string[], timeoutMs = 30_000): { code: number; out: string } {
    const r = spawnSync("docker", args, { encoding: "utf8", timeout: timeoutMs });
    return { code: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function mustDocker(args: string[]): string {
    const r = docker(args);
    if (r.code !== 0) throw new Error(`docker ${args.join(" ")} failed (${r.code}): ${r.out}`);
    return r.out.trim();
}

interface ServerImage {
    readonly image: string;
    readonly release: ServerRelease;
}

function serverImage(image: string): ServerImage {
    const found = releaseFromImage(image);
    if (!found.known) throw new Error(found.message);
    return { image, release: found.release };
}

const IMAGES = SERVER_IMAGES.map(serverImage);

/** Creates (not starts) a container on the test network running the server with `args`. */
function createServer(img: ServerImage, role: string, args: string[]): string {
    const name = `${PREFIX}-${role}-${sequence++}`;
    mustDocker(["create", "--name", name, "--network", NETWORK, "--network-alias", name, img.image, serverBinaries(img.release.kind).server, ...args]);
    created.push(name);
    return name;
}

function startServer(img: ServerImage, role: string, args: string[]): string {
    const name = createServer(img, role, args);
    mustDocker(["start", name]);
    return name;
}

/** Runs the image's own cli in `container`; `password` when the server asks for one. */
function cli(img: ServerImage, container: string, args: string[], password?: string): string {
    const auth = password ? ["-a", password, "--no-auth-warning"] : [];
    return mustDocker(["exec", container, serverBinaries(img.release.kind).cli, ...auth, ...args]);
}

async function waitFor(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (probe()) return;
        await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}`);
}

function answersPing(img: ServerImage, container: string, password?: string): boolean {
    const auth = password ? ["-a", password, "--no-auth-warning"] : [];
    return docker(["exec", container, serverBinaries(img.release.kind).cli, ...auth, "ping"]).out.includes("PONG");
}

/** A value for each directive, and what CONFIG GET must then contain (undefined: not readable by CONFIG GET). */
const SAMPLES: Readonly<Record<string, { line: string; readBack?: string }>> = {
    bind: { line: "0.0.0.0", readBack: "0.0.0.0" },
    "protected-mode": { line: "yes", readBack: "yes" },
    port: { line: "6379", readBack: "6379" },
    "tls-port": { line: "0", readBack: "0" },
    // No TLS listener or TLS replication, so the files are stored but never opened.
    "tls-cert-file": { line: "/data/probe.crt", readBack: "/data/probe.crt" },
    "tls-key-file": { line: "/data/probe.key", readBack: "/data/probe.key" },
    "tls-ca-cert-file": { line: "/data/probe-ca.crt", readBack: "/data/probe-ca.crt" },
    "tls-auth-clients": { line: "optional", readBack: "optional" },
    "tls-protocols": { line: '"TLSv1.2 TLSv1.3"', readBack: "TLSv1.2 TLSv1.3" },
    "tls-ciphersuites": { line: "TLS_AES_256_GCM_SHA384", readBack: "TLS_AES_256_GCM_SHA384" },
    "tls-ciphers": { line: "HIGH:!aNULL", readBack: "HIGH:!aNULL" },
    "tls-prefer-server-ciphers": { line: "yes", readBack: "yes" },
    "tls-session-caching": { line: "no", readBack: "no" },
    "tls-replication": { line: "no", readBack: "no" },
    // Points at nothing that answers: the server only retries in the background.
    replicaof: { line: "127.0.0.1 6390", readBack: "127.0.0.1 6390" },
    "replica-read-only": { line: "yes", readBack: "yes" },
    "repl-diskless-sync": { line: "yes", readBack: "yes" },
    "repl-diskless-sync-delay": { line: "0", readBack: "0" },
    "repl-diskless-sync-max-replicas": { line: "2", readBack: "2" },
    "repl-backlog-size": { line: "2097152", readBack: "2097152" },
    "repl-disable-tcp-nodelay": { line: "no", readBack: "no" },
    "client-output-buffer-limit": { line: "replica 268435456 67108864 60", readBack: "268435456 67108864 60" },
    "replica-announce-ip": { line: "10.200.0.9", readBack: "10.200.0.9" },
    "replica-announce-port": { line: "16379", readBack: "16379" },
    masteruser: { line: "replicator", readBack: "replicator" },
    masterauth: { line: "probe-replication", readBack: "probe-replication" },
    primaryuser: { line: "replicator", readBack: "replicator" },
    primaryauth: { line: "probe-replication", readBack: "probe-replication" },
    dir: { line: "/data", readBack: "/data" },
    dbfilename: { line: "probe.rdb", readBack: "probe.rdb" },
    save: { line: "3600 1 300 100", readBack: "3600 1 300 100" },
    appendonly: { line: "no", readBack: "no" },
    appendfsync: { line: "always", readBack: "always" },
    "shutdown-timeout": { line: "3", readBack: "3" },
    "replica-priority": { line: "0", readBack: "0" },
    "min-replicas-to-write": { line: "1", readBack: "1" },
    "min-replicas-max-lag": { line: "10", readBack: "10" },
    "rdb-version-check": { line: "strict", readBack: "strict" },
    include: { line: "/dev/null" },
    requirepass: { line: PASSWORD, readBack: PASSWORD },
    user: { line: "probe on nopass +ping" },
    "enable-debug-command": { line: "local", readBack: "local" },
    "enable-module-command": { line: "no", readBack: "no" },
    "enable-protected-configs": { line: "no", readBack: "no" },
    "hide-user-data-from-log": { line: "yes", readBack: "yes" },
    maxmemory: { line: "104857600", readBack: "104857600" },
    "maxmemory-policy": { line: "allkeys-lru", readBack: "allkeys-lru" },
};

/** Copies `text` into a created container as /data/server.conf (the entrypoint hands /data to the server user). */
function uploadConf(container: string, text: string): void {
    const file = join(tempDir, `${container}.conf`);
    writeFileSync(file, text, { mode: 0o644 });
    mustDocker(["cp", file, `${container}:/data/server.conf`]);
}

beforeAll(() => {
    tempDir = mkdtempSync(join(tmpdir(), "rc-srvdir-"));
    mustDocker(["network", "create", NETWORK]);
});

afterAll(() => {
    for (const name of created) docker(["rm", "-f", "-v", name]);
    docker(["network", "rm", NETWORK]);
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

it("every directive has a sample value here", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(DIRECTIVES).sort());
});

describe.each(IMAGES)("$image", (img) => {
    it("exists locally and runs the release its name says", () => {
        const inspect = docker(["image", "inspect", img.image]);
        expect(inspect.code, `image ${img.image} is missing: build it first`).toBe(0);
        const version = mustDocker(["run", "--rm", img.image, serverBinaries(img.release.kind).server, "--version"]);
        const prefix = img.release.kind === "valkey" ? "Valkey server v=" : "Redis server v=";
        expect(version).toContain(`${prefix}${img.release.major}.${img.release.minor}.${img.release.patch}`);
    });

    it("accepts every directive the table gives it, and reads each back", async () => {
        const supported = Object.keys(DIRECTIVES).filter((name) => directiveSupported(name, img.release));
        const conf = supported.map((name) => `${name} ${SAMPLES[name].line}`).join("\n");
        const container = createServer(img, "accepts", ["/data/server.conf"]);
        uploadConf(container, `${conf}\n`);
        mustDocker(["start", container]);
        await waitFor(`${container} to answer`, () => answersPing(img, container, PASSWORD), 10_000).catch((e) => {
            throw new Error(`${e.message}; its log:\n${docker(["logs", container]).out}`);
        });
        for (const name of supported) {
            const readBack = SAMPLES[name].readBack;
            if (readBack === undefined) continue;
            const reply = cli(img, container, ["CONFIG", "GET", name], PASSWORD).split("\n");
            expect(reply.length, `CONFIG GET ${name}`).toBe(2);
            expect(reply[1], `CONFIG GET ${name}`).toContain(readBack);
        }
        // `user` is a config-file keyword, not a config: the ACL user must exist.
        expect(cli(img, container, ["ACL", "GETUSER", "probe"], PASSWORD)).toContain("flags");
    });

    const unsupported = Object.keys(DIRECTIVES).filter((name) => !directiveSupported(name, img.release));
    it.each(unsupported.length ? unsupported : ["(none)"])("refuses to start on the directive it lacks: %s", (name) => {
        if (name === "(none)") {
            // The table gives this release every directive: nothing to refuse.
            expect(unsupported).toEqual([]);
            return;
        }
        const container = createServer(img, "refuses", ["/data/server.conf"]);
        uploadConf(container, `port 6379\n${name} ${SAMPLES[name].line}\n`);
        const run = docker(["start", "-a", container], 15_000);
        expect(run.code, `${name} was accepted; log:\n${run.out}`).not.toBe(0);
        // Redis 7.x and Valkey: "Bad directive"; Redis 8 holds unknown names for modules, then aborts
        // with "Unresolved Configuration(s) Detected".
        expect(run.out).toMatch(/Bad directive|Unresolved Configuration/);
    });

    it("writes the RDB version of its line", async () => {
        const container = startServer(img, "rdb", ["--port", "6379", "--dbfilename", "probe.rdb"]);
        await waitFor(`${container} to answer`, () => answersPing(img, container));
        cli(img, container, ["SET", "k", "v"]);
        expect(cli(img, container, ["SAVE"])).toBe("OK");
        const header = mustDocker(["exec", container, "head", "-c", "9", "/data/probe.rdb"]);
        expect(header).toBe(rdbFileHeader(rdbFormat(img.release).writes));
    });
});

/** Whether `img`'s server has hash field expiration (HEXPIRE): Redis 7.4+, Valkey 9.0+. */
function hasFieldTtl(img: ServerImage): boolean {
    const { kind, major, minor } = img.release;
    return kind === "redis" ? major > 7 || (major === 7 && minor >= 4) : major >= 9;
}

/** 102 keys; where the server has it, one hash field with a TTL, which RDB 11 cannot hold. */
function fillMaster(img: ServerImage, master: string, withFieldTtl: boolean): void {
    cli(img, master, ["EVAL", "for i=1,100 do redis.call('SET','k'..i,i) end redis.call('HSET','h','f','v','g','w') redis.call('RPUSH','l','a','b') return 1", "0"]);
    if (withFieldTtl) expect(cli(img, master, ["HEXPIRE", "h", "3600", "FIELDS", "1", "g"])).toBe("1");
}

/**
 * Where a refused full sync shows, and how. A Valkey 9 master (RDB 80 up) sends RDB 11 to a replica
 * that does not announce a Valkey 9 loader, and fails that save when a key does not fit RDB 11 (a
 * field TTL): the refusal is in the master's log. Every other master sends its own format, which the
 * replica's loader refuses.
 */
function refusalOf(upstream: ServerImage, master: string, replica: string): { container: string; text: string } {
    const writes = rdbFormat(upstream.release).writes;
    return writes >= VALKEY_MAGIC_FROM
        ? { container: master, text: "Can't store key (db 0) in RDB version 11" }
        : { container: replica, text: `Can't handle RDB format version ${writes}` };
}

describe.each(IMAGES.flatMap((upstream) => IMAGES.filter((r) => r !== upstream).map((replica) => ({ upstream, replica }))))(
    "a $replica.image replica of a $upstream.image master",
    ({ upstream, replica }) => {
        const verdict = canReplicateFrom(replica.release, upstream.release);
        it(`${verdict.ok ? "completes" : "never completes"} a full sync, as canReplicateFrom says`, async () => {
            const master = startServer(upstream, "master", ["--port", "6379", "--save", "", "--repl-diskless-sync-delay", "0"]);
            await waitFor(`${master} to answer`, () => answersPing(upstream, master));
            fillMaster(upstream, master, hasFieldTtl(upstream));
            const copy = startServer(replica, "replica", ["--port", "6379", "--save", "", "--replicaof", master, "6379"]);
            const info = () => docker(["exec", copy, serverBinaries(replica.release.kind).cli, "INFO", "replication"]).out;
            if (verdict.ok) {
                await waitFor(`${copy} to link`, () => info().includes("master_link_status:up"));
                expect(cli(replica, copy, ["DBSIZE"])).toBe("102");
            } else {
                const refusal = refusalOf(upstream, master, copy);
                await waitFor(`${refusal.container} to log "${refusal.text}"`, () => docker(["logs", refusal.container]).out.includes(refusal.text)).catch((e) => {
                    throw new Error(`${e.message}; the replica's log:\n${docker(["logs", copy]).out}\nthe master's log:\n${docker(["logs", master]).out}`);
                });
                expect(info()).toContain("master_link_status:down");
                expect(cli(replica, copy, ["DBSIZE"])).toBe("0");
            }
        }, 30_000);
    },
);

// canReplicateFrom refuses these pairs because success depends on the data; without a key RDB 11
// cannot hold, the master's fallback to RDB 11 completes the sync.
describe.each(
    IMAGES.flatMap((upstream) =>
        IMAGES.filter((r) => {
            const writes = rdbFormat(upstream.release).writes;
            return writes >= VALKEY_MAGIC_FROM && !loadsRdb(rdbFormat(r.release), writes) && loadsRdb(rdbFormat(r.release), 11);
        }).map((replica) => ({ upstream, replica })),
    ),
)("a $replica.image replica of a $upstream.image master holding no field TTL", ({ upstream, replica }) => {
    it("completes a full sync on RDB 11", async () => {
        const master = startServer(upstream, "fallback-master", ["--port", "6379", "--save", "", "--repl-diskless-sync-delay", "0"]);
        await waitFor(`${master} to answer`, () => answersPing(upstream, master));
        fillMaster(upstream, master, false);
        const copy = startServer(replica, "fallback-replica", ["--port", "6379", "--save", "", "--replicaof", master, "6379"]);
        await waitFor(`${copy} to link`, () => docker(["exec", copy, serverBinaries(replica.release.kind).cli, "INFO", "replication"]).out.includes("master_link_status:up"));
        expect(cli(replica, copy, ["DBSIZE"])).toBe("102");
    });
});

describe.each(IMAGES.filter((i) => i.release.kind === "valkey"))("$image in the middle of a chain under a Redis 7.0 master", (valkey) => {
    it("reports the INFO fields the program reads", async () => {
        const redis7 = IMAGES.find((i) => i.release.kind === "redis" && i.release.major === 7 && i.release.minor === 0);
        expect(redis7, "the Redis 7.0 image is in SERVER_IMAGES").toBeDefined();
        const top = redis7!;
        const master = startServer(top, "chain-a", ["--port", "6379", "--save", "", "--repl-diskless-sync-delay", "0"]);
        await waitFor(`${master} to answer`, () => answersPing(top, master));
        cli(top, master, ["SET", "k", "v"]);
        const middle = startServer(valkey, "chain-b", ["--port", "6379", "--save", "", "--repl-diskless-sync-delay", "0", "--replicaof", master, "6379"]);
        const bottom = startServer(valkey, "chain-c", ["--port", "6379", "--save", "", "--replicaof", middle, "6379"]);
        const info = (section: string) => cli(valkey, middle, ["INFO", section]);
        // Not `cli`: it throws while the server is still starting and refuses connections.
        const bottomLinked = () => docker(["exec", bottom, serverBinaries(valkey.release.kind).cli, "INFO", "replication"]).out.includes("master_link_status:up");
        await waitFor(`${bottom} to link`, bottomLinked);
        const replication = info("replication");
        for (const field of ["role:slave", `master_host:${master}`, "master_port:6379", "master_link_status:up", "connected_slaves:1", "slave0:", "slave_repl_offset:"]) {
            expect(replication, `${formatRelease(valkey.release)} INFO replication`).toContain(field);
        }
        const stats = info("stats");
        for (const field of ["sync_full:1", "sync_partial_ok:", "sync_partial_err:"]) {
            expect(stats, `${formatRelease(valkey.release)} INFO stats`).toContain(field);
        }
        expect(cli(valkey, bottom, ["GET", "k"])).toBe("v");
    });
});

// With `relaxed`, a Valkey 8.x loader still refuses every version above its own; a Valkey 9 loader
// tries the versions it reserves for other servers (12-79) and loads plain data from them. The
// program renders `strict`, which refuses them.
describe.each(IMAGES.filter((i) => directiveSupported("rdb-version-check", i.release)))("$image with rdb-version-check relaxed", (valkey) => {
    const format = rdbFormat(valkey.release);
    const foreign = IMAGES.filter((i) => i.release.kind === "redis" && !loadsRdb(format, rdbFormat(i.release).writes));
    it("has a Redis image writing an RDB its loader refuses", () => expect(foreign.length).toBeGreaterThan(0));
    it.each(foreign)(`${format.refuses ? "loads" : "still refuses"} a full sync from $image`, async (top) => {
        const master = startServer(top, "relaxed-master", ["--port", "6379", "--save", "", "--repl-diskless-sync-delay", "0"]);
        await waitFor(`${master} to answer`, () => answersPing(top, master));
        cli(top, master, ["SET", "k", "v"]);
        const copy = startServer(valkey, "relaxed-replica", ["--port", "6379", "--save", "", "--rdb-version-check", "relaxed", "--replicaof", master, "6379"]);
        if (format.refuses) {
            await waitFor(`${copy} to link`, () => docker(["exec", copy, serverBinaries(valkey.release.kind).cli, "INFO", "replication"]).out.includes("master_link_status:up"));
            expect(cli(valkey, copy, ["DBSIZE"])).toBe("1");
        } else {
            const refusal = `Can't handle RDB format version ${rdbFormat(top.release).writes}`;
            await waitFor(`${copy} to refuse the RDB`, () => docker(["logs", copy]).out.includes(refusal));
            expect(cli(valkey, copy, ["DBSIZE"])).toBe("0");
        }
    });
});
