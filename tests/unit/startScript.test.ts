import { execFileSync, spawn, spawnSync } from "node:child_process";
import { AddressInfo, Server, createServer } from "node:net";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseTopology } from "../../lib/parseTopology";
import { LISTEN_SLICE_SECONDS, START_SCRIPT_NAME, StartScriptOptions, listeningWait, renderStartScript, startEntrypoint } from "../../lib/startScript";
import { NodeSpec, nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

const seed = parseTopology(seedNodes());
const options = (node: NodeSpec, topology = seed, more: Partial<StartScriptOptions> = {}): StartScriptOptions => ({
    upstream: node.link && nodeByName(topology, node.link.upstream),
    authEnabled: true,
    waitSeconds: 30,
    ...more,
});
const script = (name: string, topology = seed, more: Partial<StartScriptOptions> = {}) => {
    const node = nodeByName(topology, name);
    return renderStartScript(node, options(node, topology, more));
};
/** Writes `text` to `dir`/`file`, executable: a stand-in for a command the script runs. */
function writeExecutable(dir: string, file: string, text: string): void {
    writeFileSync(join(dir, file), text);
    chmodSync(join(dir, file), 0o755);
}

/** A temporary folder of stand-ins (file name -> script), removed after the enclosing describe block. */
function standIns(prefix: string, scripts: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    for (const [file, text] of Object.entries(scripts)) writeExecutable(dir, file, text);
    return dir;
}

/** The cli line that keeps asking INFO on one connection. */
const infoLine = (text: string) => text.split("\n").find((l) => l.includes(" -r 100 -i 0.01 info persistence replication"))!.trim();

describe("startEntrypoint", () => {
    it("runs the script with sh -c, named, so the container command follows as its arguments", () => {
        const node = nodeByName(seed, "redis-b");
        const entrypoint = startEntrypoint(node, options(node));
        expect(entrypoint).toEqual(["/bin/sh", "-c", renderStartScript(node, options(node)), START_SCRIPT_NAME]);
    });
});

describe("renderStartScript", () => {
    it.each([
        // B replicates A over plain TCP: no TLS flags.
        ["redis-b", 'redis-cli -h "$upstream_host" -p "$upstream_port" --user healthcheck -r 100 -i 0.01 info persistence replication >"$looks" 2>&1 &'],
        // C replicates B over TLS: the chain's CA; B asks no client certificate (tlsAuthClients no).
        [
            "redis-c",
            'redis-cli -h "$upstream_host" -p "$upstream_port" --tls --cacert /data/tls/ca.crt --user healthcheck -r 100 -i 0.01 info persistence replication >"$looks" 2>&1 &',
        ],
    ])("seed node %s probes its upstream with: %s", (name, line) => {
        expect(infoLine(script(name))).toBe(line);
    });

    it.each([
        ["redis-b", "upstream_host=redis-a\nupstream_port=6379\n"],
        ["redis-c", "upstream_host=redis-b\nupstream_port=6380\n"],
    ])("seed node %s waits for the address its replicaof names", (name, lines) => {
        expect(script(name)).toContain(lines);
    });

    it("presents the node's own certificate to an upstream that demands client certificates", () => {
        const topology = parseTopology([
            { name: "redis-a", tls: { hostPort: 6380 }, tlsAuthClients: "yes" },
            { name: "redis-b", replicaOf: "redis-a", link: "tls", tls: { hostPort: 16380 } },
        ]);
        expect(infoLine(script("redis-b", topology))).toContain("--tls --cacert /data/tls/ca.crt --cert /data/tls/redis.crt --key /data/tls/redis.key ");
    });

    it("uses the Valkey cli for a Valkey node", () => {
        const topology = parseTopology(seedNodes(), { image: "valkey/valkey:8.1.1" });
        expect(infoLine(script("redis-b", topology))).toMatch(/^valkey-cli -h /);
        expect(script("redis-b", topology)).not.toContain("redis-cli");
    });

    it("reads the healthcheck password once and exports it only inside the probe's subshell", () => {
        const text = script("redis-b");
        expect(text).toContain("password=$(cat /data/secrets/healthcheck.pass 2>/dev/null)");
        expect(text).toContain('ready() {\n    export REDISCLI_AUTH="$password"\n');
        expect(text).toContain("why=$(ready)");
        expect(text.match(/REDISCLI_AUTH/g)).toHaveLength(1);
    });

    it("without authentication, logs in as nobody and reads no password", () => {
        const text = script("redis-c", seed, { authEnabled: false });
        expect(text).not.toMatch(/REDISCLI_AUTH|--user|healthcheck\.pass/);
        expect(infoLine(text)).toMatch(/^redis-cli -h "\$upstream_host" -p "\$upstream_port" --tls --cacert \/data\/tls\/ca\.crt -r 100/);
    });

    it("bounds each attempt to reach the upstream, and the whole wait by waitSeconds", () => {
        const text = script("redis-b", seed, { waitSeconds: 45 });
        expect(text).toContain('        redis-cli -h "$upstream_host" -p "$upstream_port" --user healthcheck info persistence replication 2>&1 &\n');
        expect(text).toContain(`{ trap 'kill "\${nap:-}"; wait "\${nap:-}"; exit' TERM; sleep 0.3 & nap=$!; wait "$nap"; kill "$look"; } >/dev/null 2>&1 &`);
        expect(text).toContain("deadline=$((started + 45))");
    });

    it("a master waits for nothing and hands over at once", () => {
        expect(script("redis-a")).toBe(
            [
                "# redis-a: start script (redis-chain). Arguments: the server command.",
                "set -u",
                "trap 'exit 143' TERM INT",
                'log() { echo "redis-chain-start: $*"; }',
                'log "master: nothing to wait for"',
                'if [ "$(id -u)" = 0 ]; then',
                "    find /data \\! -user 999 -exec chown 999 '{}' +",
                '    [ "$(umask)" = 0022 ] && umask 0077',
                "    if command -v gosu >/dev/null 2>&1; then",
                '        exec gosu 999:999 "$@"',
                "    elif command -v su-exec >/dev/null 2>&1; then",
                '        exec su-exec 999:999 "$@"',
                "    elif command -v setpriv >/dev/null 2>&1; then",
                '        exec setpriv --reuid=999 --regid=999 --clear-groups -- "$@"',
                "    fi",
                "fi",
                'exec docker-entrypoint.sh "$@"',
                "",
            ].join("\n"),
        );
    });

    it("waitSeconds 0: a replica starts at once too", () => {
        const text = script("redis-c", seed, { waitSeconds: 0 });
        expect(text).not.toContain("ready()");
        expect(text).not.toContain("redis-cli");
        expect(text).toContain('log "replica of redis-b (redis-b:6380, tls): not waiting (bound 0 s)"');
    });

    it("aims a cross-host link at the upstream's host address and published port", () => {
        const hosts = new Map([
            ["local", { name: "local", address: "10.200.0.1", publishAddress: "127.0.0.1" }],
            ["host2", { name: "host2", address: "10.200.0.2", publishAddress: "127.0.0.1", docker: "unix:///x.sock" }],
        ]);
        const topology = parseTopology(
            [
                { name: "redis-a", plain: { hostPort: 6379 }, tls: { hostPort: 6380 } },
                { name: "redis-b", replicaOf: "redis-a", link: "tls", tls: { hostPort: 16380 }, host: "host2" },
            ],
            { hosts },
        );
        expect(script("redis-b", topology)).toContain("upstream_host=10.200.0.1\nupstream_port=6380\n");
    });

    it("refuses a replica whose upstream was not given", () => {
        const node = nodeByName(seed, "redis-b");
        expect(() => renderStartScript(node, { authEnabled: true, waitSeconds: 30 })).toThrow(/upstream redis-a was not given/);
    });

    it.each(["redis-a", "redis-b", "redis-c"])("the script of %s is valid POSIX sh (sh -n)", (name) => {
        expect(() => execFileSync("sh", ["-n", "-c", script(name)])).not.toThrow();
    });
});

// The script run by a real sh, with a stand-in cli (replies from a list), `timeout` and the image's
// entrypoint on PATH.
describe("the start script's behaviour", () => {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

    const INFO = (lines: string[]) => `# Persistence\r\n${lines.join("\r\n")}\r\n`;
    const MASTER_LOADED = INFO(["loading:0", "", "# Replication", "role:master", "connected_slaves:0"]);
    const MASTER_LOADING = INFO(["loading:1", "", "# Replication", "role:master"]);
    const REPLICA_UNLINKED = INFO(["loading:0", "", "# Replication", "role:slave", "master_host:redis-a", "master_link_status:down"]);
    const REPLICA_LINKED = INFO(["loading:0", "", "# Replication", "role:slave", "master_host:redis-a", "master_link_status:up"]);

    /** Runs the script of `name` against `infos` (one reply per cli call, the last repeated); returns its output. */
    function run(
        name: string,
        infos: string[],
        waitSeconds = 30,
        hangs: number[] = [],
        /** What every sentinel answers to GET-MASTER-ADDR-BY-NAME (the node then is a failover candidate). */
        sentinelAnswer?: string,
    ): { stdout: string; ms: number } {
        const dir = mkdtempSync(join(tmpdir(), "start-script-"));
        dirs.push(dir);
        hangs.forEach((i) => writeFileSync(join(dir, `hang.${i}`), ""));
        infos.forEach((reply, i) => writeFileSync(join(dir, `info.${i}`), reply));
        if (sentinelAnswer !== undefined) writeFileSync(join(dir, "sentinel"), sentinelAnswer);
        const stub = (file: string, text: string) => writeExecutable(dir, file, text);
        // Each call takes the next reply; the last one repeats.
        stub(
            "redis-cli",
            `#!/bin/sh
case " $* " in *" get-master-addr-by-name "*) cat "${dir}/sentinel"; exit ;; esac
n=$(cat "${dir}/n" 2>/dev/null || echo 0)
[ -e "${dir}/hang.$n" ] && { echo $((n + 1)) > "${dir}/n"; exec sleep 5; }
f="${dir}/info.$n"; [ -e "$f" ] || f=$(ls "${dir}"/info.[0-9]* | sort -t. -k2 -n | tail -1)
echo $((n + 1)) > "${dir}/n"
cat "$f"
# With -r, the cli goes on asking: here the same reply, for 5 s.
case " $* " in *" -r "*) i=0; while [ $i -lt 50 ]; do sleep 0.1; cat "$f" 2>/dev/null || exit 0; i=$((i + 1)); done ;; esac
`,
        );
        // The upstream listens: the listening wait is tested on its own below.
        stub("bash", "#!/bin/sh\nexit 0\n");
        // Not root: the script hands over to the image's entrypoint (the drop is tested below).
        stub("id", "#!/bin/sh\necho 1000\n");
        stub("docker-entrypoint.sh", `#!/bin/sh\necho "entrypoint: $* (REDISCLI_AUTH \${REDISCLI_AUTH-unset})"\n`);
        const node = nodeByName(seed, name);
        const sentinel =
            sentinelAnswer === undefined
                ? undefined
                : { group: "redis-a", sentinels: [{ host: "s1", port: 26379 }], transport: "plain" as const, self: { host: name, port: 6379 }, cli: "redis-cli", passwordFile: join(dir, "none"), masterConfPath: join(dir, "master.conf") };
        const [sh, dashC, text, arg0] = startEntrypoint(node, options(node, seed, { waitSeconds, sentinel }));
        const started = Date.now();
        const result = spawnSync(sh, [dashC, text, arg0, "redis-server", "/usr/local/etc/redis/redis.conf"], {
            env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
            encoding: "utf8",
            timeout: 20_000,
        });
        return { stdout: result.stdout, ms: Date.now() - started };
    }

    it("starts at once when the upstream master is loaded", () => {
        const { stdout } = run("redis-b", [MASTER_LOADED]);
        expect(stdout).toContain("redis-chain-start: redis-a ready after 0 failed probes; starting the server");
        expect(stdout.trim().split("\n").pop()).toBe("entrypoint: redis-server /usr/local/etc/redis/redis.conf (REDISCLI_AUTH unset)");
    });

    it("waits while the upstream is unreachable, loading, then not linked, and says why", () => {
        // Each probe: one look, then (reachable, not ready) one more "connection" of INFOs.
        const { stdout } = run("redis-c", [
            "Could not connect to Redis at redis-b:6380: Connection refused",
            MASTER_LOADING,
            MASTER_LOADING,
            REPLICA_UNLINKED,
            REPLICA_UNLINKED,
            REPLICA_LINKED,
        ]);
        const lines = stdout.trim().split("\n");
        expect(lines).toEqual([
            // A second may tick over between two probes, so the elapsed seconds are not pinned.
        // No password file on this machine: the script says so and goes on.
            "redis-chain-start: cannot read /data/secrets/healthcheck.pass; probing without a password",
            "redis-chain-start: replica of redis-b (redis-b:6380, tls): waiting up to 30 s for it to serve replicas; the server starts after",
            expect.stringMatching(/^redis-chain-start: redis-b: Could not connect to Redis at redis-b:6380: Connection refused \(\d+ s\)$/),
            expect.stringMatching(/^redis-chain-start: redis-b: loading its data \(\d+ s\)$/),
            expect.stringMatching(/^redis-chain-start: redis-b: not linked to its own master \(\d+ s\)$/),
            "redis-chain-start: redis-b ready after 3 failed probes; starting the server",
            "entrypoint: redis-server /usr/local/etc/redis/redis.conf (REDISCLI_AUTH unset)",
        ]);
    });

    it("cuts a look that hangs (a name lookup forwarded outside) after 0.3 s, not a whole second", () => {
        const { stdout, ms } = run("redis-b", ["(hangs)", MASTER_LOADED], 30, [0]);
        expect(stdout).toContain("redis-a: no answer (");
        expect(stdout).toContain("redis-a ready after 1 failed probes; starting the server");
        // The stand-in hangs for 5 s: the script did not wait for it.
        expect(ms).toBeLessThan(4000);
    });

    it("ends a repeating look as soon as the upstream is ready, without waiting for the cli's remaining repeats", () => {
        const { stdout, ms } = run("redis-c", [REPLICA_UNLINKED, REPLICA_LINKED]);
        expect(stdout).toContain("redis-chain-start: redis-b ready after 0 failed probes; starting the server");
        // The stand-in repeats the linked reply for 5 s: the script took the first and did not wait.
        expect(ms).toBeLessThan(4000);
    });

    it("a candidate the sentinels name master waits for nobody and starts as master", () => {
        const { stdout } = run("redis-b", [MASTER_LOADING], 30, [], "redis-b\n6379\n");
        expect(stdout).not.toContain("waiting up to");
        expect(stdout.trim().split("\n").pop()).toMatch(/^entrypoint: redis-server \/tmp\/start-script-\w+\/master\.conf \(REDISCLI_AUTH unset\)$/);
    });

    it("a candidate the sentinels name a replica of another master waits for that master, then replicates from it", () => {
        const { stdout } = run("redis-b", [MASTER_LOADED], 30, [], "redis-x\n6379\n");
        expect(stdout).toContain("redis-chain-start: replica of redis-x (redis-x:6379, plain): waiting up to 30 s");
        expect(stdout).toContain("redis-chain-start: redis-x ready after 0 failed probes; starting the server");
        expect(stdout.trim().split("\n").pop()).toBe("entrypoint: redis-server /usr/local/etc/redis/redis.conf --replicaof redis-x 6379 (REDISCLI_AUTH unset)");
    });

    it("with no sentinel answering (first deploy), a candidate waits for its declared upstream", () => {
        const { stdout } = run("redis-b", [MASTER_LOADED], 30, [], "");
        expect(stdout).toContain("redis-chain-start: replica of redis-a (redis-a:6379, plain): waiting up to 30 s");
        expect(stdout.trim().split("\n").pop()).toBe("entrypoint: redis-server /usr/local/etc/redis/redis.conf (REDISCLI_AUTH unset)");
    });

    it("reports a refused login as the reason", () => {
        const { stdout } = run("redis-b", ["AUTH failed: WRONGPASS invalid username-password pair or user is disabled.", MASTER_LOADED]);
        expect(stdout).toMatch(/redis-a: AUTH failed: WRONGPASS invalid username-password pair or user is disabled\. \(\d+ s\)\n/);
    });

    it("gives up at the bound and starts the server anyway", () => {
        const { stdout, ms } = run("redis-b", [MASTER_LOADING], 1);
        expect(stdout).toMatch(/redis-a not ready after 1 s \(loading its data\); starting anyway, the server retries once a second\n/);
        expect(stdout.trim().split("\n").pop()).toMatch(/^entrypoint: redis-server /);
        // One probe (the stand-in's 5 s of repeats) and the bound: far from the default 30 s.
        expect(ms).toBeLessThan(12_000);
    });
});

// The write fence's start, with stand-ins for the privilege-drop tool and the image's entrypoint.
describe("the start script starts the write fence", () => {
    const dir = standIns("start-fence-", {
        gosu: '#!/bin/sh\necho "gosu as $1"\nshift\nexec "$@"\n',
        id: "#!/bin/sh\necho 1000\n",
        "docker-entrypoint.sh": '#!/bin/sh\nsleep 0.3\necho "entrypoint: $*"\n',
    });

    it("runs the fence's script verbatim, in the background, as uid:gid 999 through the image's drop tool, then the entrypoint", () => {
        const node = nodeByName(seed, "redis-a");
        const fence = `printf '%s\\n' "fence: $0" 'literal $HOME "quoted"'`;
        const [sh, dashC, text, arg0] = startEntrypoint(node, options(node, seed, { writeFence: fence }));
        const result = spawnSync(sh, [dashC, text, arg0, "redis-server", "/usr/local/etc/redis/redis.conf"], {
            env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
            encoding: "utf8",
            timeout: 20_000,
        });
        expect(result.stdout.trim().split("\n")).toEqual([
            "redis-chain-start: master: nothing to wait for",
            "gosu as 999:999",
            "fence: redis-chain-fence",
            'literal $HOME "quoted"',
            "entrypoint: redis-server /usr/local/etc/redis/redis.conf",
        ]);
    });

    it("refuses a fence script holding its heredoc delimiter", () => {
        const node = nodeByName(seed, "redis-a");
        expect(() => renderStartScript(node, options(node, seed, { writeFence: "echo\nREDIS_CHAIN_FENCE_SCRIPT_END\n" }))).toThrow(/heredoc delimiter/);
    });
});

// The listening wait run by a real sh and bash against ports on 127.0.0.1.
describe("the listening wait", () => {
    /** Runs `listening` against 127.0.0.1:`port`; resolves with its status, what it said and how long it took. */
    function listening(port: number): Promise<{ status: number | null; said: string; ms: number }> {
        const text = [...listeningWait(), "upstream_host=127.0.0.1", `upstream_port=${port}`, 'why=$(listening); status=$?; echo "$why"; exit $status'].join("\n");
        const started = Date.now();
        return new Promise((resolve) => {
            const child = spawn("sh", ["-c", text, START_SCRIPT_NAME], { stdio: ["ignore", "pipe", "inherit"] });
            let said = "";
            child.stdout.on("data", (d) => (said += d));
            child.on("close", (status) => resolve({ status, said: said.trim(), ms: Date.now() - started }));
        });
    }
    const listen = (server: Server, port = 0) => new Promise<number>((resolve) => server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
    const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

    it("returns at once when the upstream accepts connections", async () => {
        const server = createServer((socket) => socket.destroy());
        const port = await listen(server);
        try {
            const result = await listening(port);
            expect(result).toMatchObject({ status: 0, said: "" });
        } finally {
            await close(server);
        }
    });

    it("after its slice, says the upstream refuses and fails, so the script checks its bound", async () => {
        const server = createServer();
        const port = await listen(server);
        await close(server);
        const result = await listening(port);
        expect(result.status).toBe(1);
        expect(result.said).toBe("not listening (connect: Connection refused)");
        expect(result.ms).toBeGreaterThanOrEqual(LISTEN_SLICE_SECONDS * 1000);
    });

    it("returns within its slice once the upstream starts listening", async () => {
        const probe = createServer();
        const port = await listen(probe);
        await close(probe);
        const server = createServer((socket) => socket.destroy());
        const late = new Promise<void>((resolve) => setTimeout(() => listen(server, port).then(() => resolve()), 150));
        try {
            const result = await listening(port);
            await late;
            expect(result).toMatchObject({ status: 0, said: "" });
        } finally {
            await close(server);
        }
    });
});

// The hand-over to the server as root, with stand-ins for id, find, the drop tools and the entrypoint.
describe("the start script hands over to the server", () => {
    const dir = standIns("start-handover-", {
        id: "#!/bin/sh\necho 0\n",
        find: '#!/bin/sh\necho "find $*"\n',
        "docker-entrypoint.sh": '#!/bin/sh\necho "entrypoint: $*"\n',
    });
    /** Runs the master's script (the hand-over is the same for every node) with `umask` set first; returns its output lines. */
    const handOver = (tools: Record<string, string>, umask = "0022") => {
        const bin = mkdtempSync(join(dir, "tools-"));
        for (const [name, text] of Object.entries(tools)) writeExecutable(bin, name, text);
        const node = nodeByName(seed, "redis-a");
        const [sh, dashC, text, arg0] = startEntrypoint(node, options(node));
        // Only the stand-ins and the shell's own directory: no real drop tool is found.
        const result = spawnSync(sh, [dashC, `umask ${umask}\n${text}`, arg0, "redis-server", "/usr/local/etc/redis/redis.conf"], {
            env: { PATH: `${bin}:${dir}:/nonexistent` },
            encoding: "utf8",
            timeout: 20_000,
        });
        return result.stdout.trim().split("\n");
    };
    const reportsUmask = (tool: string) => `#!/bin/sh\necho "${tool} $* (umask $(umask))"\n`;

    it("hands what under /data is not uid 999's to it, then execs the server as 999:999 with umask 0077", () => {
        expect(handOver({ gosu: reportsUmask("gosu") })).toEqual([
            "redis-chain-start: master: nothing to wait for",
            "find /data ! -user 999 -exec chown 999 {} +",
            "gosu 999:999 redis-server /usr/local/etc/redis/redis.conf (umask 0077)",
        ]);
    });

    it("keeps a umask other than the default", () => {
        expect(handOver({ gosu: reportsUmask("gosu") }, "0027").pop()).toBe("gosu 999:999 redis-server /usr/local/etc/redis/redis.conf (umask 0027)");
    });

    it.each([
        ["su-exec", "su-exec 999:999 redis-server /usr/local/etc/redis/redis.conf (umask 0077)"],
        ["setpriv", "setpriv --reuid=999 --regid=999 --clear-groups -- redis-server /usr/local/etc/redis/redis.conf (umask 0077)"],
    ])("uses %s where the image has no gosu", (tool, line) => {
        expect(handOver({ [tool]: reportsUmask(tool) }).pop()).toBe(line);
    });

    it("leaves it to the image's entrypoint where the image has no drop tool", () => {
        expect(handOver({}).pop()).toBe("entrypoint: redis-server /usr/local/etc/redis/redis.conf");
    });
});
