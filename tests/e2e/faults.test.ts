// Faults and hostile clients against the seed topology on the real engine, under a steady
// write load on A. Every scenario ends the same way: the chain converges (C's offset reaches what A
// had when the load stopped), every acknowledged SET is read back from A, B (plain) and C (TLS) with
// its value, and the post-deploy check passes. Partial vs full resync is judged from INFO stats
// counters (sync_full / sync_partial_ok / sync_partial_err) on the upstream of each hop. On the
// default image; on every server image under REDIS_CHAIN_MATRIX=1.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkReplication } from "../../lib/check/checkReplication";
import { CHECK_KEY_PREFIX } from "../../lib/aclUsers";
import { chainFromOutputs } from "../../lib/stackOutputs";
import { DeployedStack, deployStack, readStackConfig } from "../../testkit/harness/deployStack";
import { docker } from "../../testkit/harness/run";
import { expectPartial, rdbReplicationInfo, upstreamBacklog } from "./rdbReplicationInfo";
import { removeLeftovers } from "../../testkit/dockerObjects";
import { testStack, withHostPorts } from "../../testkit/stacks";
import { suiteImages } from "../../testkit/testBed";
import { aclPassword, expectNothingLeft, redisCli, runVerify } from "./support";
import { redisClient, targetFor } from "../../testkit/redisClient";
import { sleep } from "../../testkit/sleep";
import { SyncCounters, SyncDelta, syncDelta } from "../../testkit/syncCounters";
import { WriteLoad, WriteLoadResult, startWriteLoad } from "../../testkit/writeLoad/writeLoad";
import { info, readBack, syncCounters, waitConverged, waitLinksUp, withClient } from "./chainProbes";

// The stack under test: one image's block runs at a time (vitest runs a file's describe blocks in
// sequence), and the helpers below judge whichever stack that block deployed.
let outputs: Record<string, any>;
const summary: string[] = [];

describe.each(suiteImages())("faults and hostile clients, the seed stack on $label ($image)", ({ image, key, portShift, serverBinary }) => {
    const PREFIX = `e2e-fault-${key}-`;
    const A = `${PREFIX}redis-a`;
    const B = `${PREFIX}redis-b`;
    const C = `${PREFIX}redis-c`;
    // The seed's host ports span 6379..26380, wider than the 1000 ports reserved for this file, so no
    // single offset fits: testStack() names the stack, withHostPorts() places it in 49000-49999.
    const PORTS = {
        "redis-a": { plain: 49379 + portShift },
        "redis-b": { plain: 49479 + portShift, tls: 49480 + portShift },
        "redis-c": { tls: 49580 + portShift },
    };
    let stack: DeployedStack | undefined;
    let started = 0;

    beforeAll(async () => {
        // Set here: describe bodies all run when the file loads, before any image's block starts.
        started = Date.now();
        summary.length = 0;
        await removeLeftovers(PREFIX);
        const config = { ...withHostPorts(testStack(readStackConfig("dev"), PREFIX, 0), PORTS), image };
        stack = await deployStack(config, (line) => console.log(`[deploy ${PREFIX}] ${line}`));
        outputs = stack.outputs;
        console.log(`[deploy ${PREFIX}] stack deployed and checked in ${stack.deployMs} ms`);
    }, 180_000);

    afterAll(async () => {
        console.log(`[faults ${PREFIX}] summary (${((Date.now() - started) / 1000).toFixed(1)} s):\n  ${summary.join("\n  ")}`);
        try {
            if (stack) {
                await stack.destroy();
            } else {
                // The deploy failed: the harness tore down what it knew of, but a registration made just
                // before the failure may still be creating its resource. Wait for the engine to go quiet.
                await sleep(5000);
            }
            await expectNothingLeft(PREFIX);
        } finally {
            // Never leave anything behind, even when the assertion above fails (it still fails the run).
            const swept = await removeLeftovers(PREFIX);
            if (swept.length > 0) console.log(`[faults] removed leftovers: ${swept.join(", ")}`);
        }
    }, 120_000);

    it("publishes every host port inside 49000-49999, on 127.0.0.1", async () => {
        for (const container of [A, B, C]) {
            for (const line of (await docker(["port", container])).trim().split("\n")) {
                const [, ip, port] = line.match(/-> ([\d.]+):(\d+)$/)!;
                expect(ip).toBe("127.0.0.1");
                expect(Number(port)).toBeGreaterThanOrEqual(49000);
                expect(Number(port)).toBeLessThanOrEqual(49999);
            }
        }
    });

    describe("hostile clients", () => {
        const plainA = () => outputs.nodes["redis-a"].plain;
        const tlsC = () => outputs.nodes["redis-c"].tls;

        /**
         * A client that sends nothing on its own: RESP2 (ioredis 6 otherwise opens with HELLO 3), no
         * ready check, no CLIENT SETINFO, no reconnects.
         */
        function bareClient(endpoint: { host: string; port: number }, extra: Record<string, unknown> = {}): Redis {
            return redisClient(endpoint, "poll", { protocol: 2, enableReadyCheck: false, disableClientInfo: true, commandTimeout: 3000, ...extra });
        }

        /** Connects a default (RESP3) ioredis client to A and returns the error events it saw. */
        async function connectErrors(extra: Record<string, unknown>): Promise<string[]> {
            const errors: string[] = [];
            const client = redisClient(plainA(), "probe", extra);
            client.on("error", (e: Error) => errors.push(e.message));
            try {
                await client.connect().then(() => client.ping()).catch((e: Error) => errors.push(`rejected: ${e.message}`));
            } finally {
                client.disconnect();
            }
            return errors;
        }

        async function using<T>(client: Redis, fn: (c: Redis) => Promise<T>): Promise<T> {
            try {
                return await fn(client);
            } finally {
                client.disconnect();
            }
        }

        it("answers a client without the password with NOAUTH", async () => {
            await using(bareClient(plainA()), async (c) => {
                await c.connect();
                await expect(c.get("anything")).rejects.toThrow(/^NOAUTH Authentication required\.$/);
                await expect(c.set("anything", "1")).rejects.toThrow(/^NOAUTH Authentication required\.$/);
            });
            // A default ioredis 6 client opens with HELLO 3, which is refused the same way.
            const errors = await connectErrors({});
            expect(errors[0]).toMatch(/^NOAUTH HELLO must be called with the client already authenticated/);
        });

        it("answers a wrong password with WRONGPASS", async () => {
            await using(bareClient(plainA()), async (c) => {
                await c.connect();
                await expect(c.call("AUTH", "not-the-password")).rejects.toThrow(
                    /^WRONGPASS invalid username-password pair or user is disabled\.$/,
                );
                await expect(c.call("AUTH", "default", "not-the-password")).rejects.toThrow(/^WRONGPASS/);
                // Still unauthenticated afterwards.
                await expect(c.get("anything")).rejects.toThrow(/^NOAUTH/);
            });
            // A default ioredis 6 client given a wrong password (HELLO 3 AUTH default <password>).
            const errors = await connectErrors({ password: "not-the-password" });
            expect(errors[0]).toMatch(/^WRONGPASS invalid username-password pair or user is disabled\.$/);
        });

        it("refuses a TLS client whose CA did not sign the node certificate (the client rejects the chain)", async () => {
            const error = await tlsHandshake({ ...tlsC(), ca: [otherCa()] });
            expect(error?.code, error?.message).toBe("SELF_SIGNED_CERT_IN_CHAIN");
            expect(error?.message).toBe("self-signed certificate in certificate chain");
            // Control: the same client with the stack's CA gets through.
            expect(await tlsHandshake({ ...tlsC(), ca: [outputs.caCertPem] })).toBeUndefined();
        });

        it("gives a plain client on a TLS port no reply and closes the connection", async () => {
            const seen = await rawExchange(tlsC(), `AUTH ${outputs.password}\r\nPING\r\n`);
            expect(seen.closedByServer).toBe(true);
            // No RESP reply (+PONG, -ERR, ...): at most a TLS alert record (content type 0x15).
            expect(seen.data.length === 0 || seen.data[0] === 0x15, seen.data.toString("hex")).toBe(true);
            expect(seen.data.toString("latin1")).not.toMatch(/PONG|\+OK|-ERR|-NOAUTH/);
        });

        it("refuses a TLS 1.1 client (the node sends a protocol_version alert)", async () => {
            const legacy = { minVersion: "TLSv1.1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" } as const;
            const error = await tlsHandshake({ ...tlsC(), ca: [outputs.caCertPem], ...legacy });
            expect(error?.code, error?.message).toBe("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION");
            expect(error?.message).toMatch(/tlsv1 alert protocol version/);
            // Control: the same permissive client allowed TLS 1.2 gets through, so the version was the reason.
            expect(await tlsHandshake({ ...tlsC(), ca: [outputs.caCertPem], ...legacy, maxVersion: "TLSv1.2" })).toBeUndefined();
        });

        it("refuses writes on the replicas with READONLY", async () => {
            for (const [node, transport] of [["redis-b", "plain"], ["redis-c", "tls"]] as const) {
                await withClient(outputs, node, transport, async (c) => {
                    await expect(c.set("hostile:write", "1")).rejects.toThrow(/^READONLY You can't write against a read only replica\.$/);
                });
            }
        });

        // Redis 7.0 says "this user", Redis 7.2 and later and Valkey name the user.
        it("lets the replicator ACL user PING but not GET or SET (NOPERM)", async () => {
            const password = await aclPassword(C, "replicator");
            expect(password).not.toBe(outputs.password);
            await using(bareClient(outputs.nodes["redis-b"].plain, { username: "replicator", password }), async (c) => {
                await c.connect();
                expect(await c.ping()).toBe("PONG");
                await expect(c.get("anything")).rejects.toThrow(/^NOPERM (this user|User replicator) has no permissions to run the 'get' command$/);
                await expect(c.set("anything", "1")).rejects.toThrow(/^NOPERM (this user|User replicator) has no permissions to run the 'set' command$/);
                await expect(c.call("CONFIG", "GET", "requirepass")).rejects.toThrow(/^NOPERM .*'config\|get' command$/);
            });
        });

        it("lets the healthcheck ACL user PING and INFO only", async () => {
            const password = await aclPassword(A, "healthcheck");
            await using(bareClient(plainA(), { username: "healthcheck", password }), async (c) => {
                await c.connect();
                expect(await c.ping()).toBe("PONG");
                expect(await c.info("replication")).toMatch(/^role:master$/m);
                await expect(c.get("anything")).rejects.toThrow(/^NOPERM (this user|User healthcheck) has no permissions to run the 'get' command$/);
                await expect(c.set("anything", "1")).rejects.toThrow(/^NOPERM (this user|User healthcheck) has no permissions to run the 'set' command$/);
                await expect(c.call("CONFIG", "GET", "requirepass")).rejects.toThrow(/^NOPERM .*'config\|get' command$/);
                await expect(c.call("ACL", "LIST")).rejects.toThrow(/^NOPERM .*'acl\|list' command$/);
            });
        });
        // The exported application credential: data commands only. Each refusal comes before the
        // command runs, so none may change the chain the faults below then load: by ACL (NOPERM), or
        // for DEBUG and MODULE by enable-debug-command/enable-module-command, which Redis 8.6 checks
        // before the ACL.
        it("refuses the application user every administrative door, on the master and on a replica", async () => {
            const doors: readonly (readonly string[])[] = [
                ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"],
                ["CONFIG", "GET", "masterauth"],
                ["ACL", "SETUSER", "intruder", "on", ">pw", "+@all", "~*"],
                ["FLUSHALL"],
                ["REPLICAOF", "NO", "ONE"],
                ["SHUTDOWN", "NOSAVE"],
                ["DEBUG", "SLEEP", "0"],
                ["MODULE", "LIST"],
                ["EVAL", "return 1", "0"],
                ["FUNCTION", "LIST"],
            ];
            for (const node of ["redis-a", "redis-b"] as const) {
                await using(bareClient(outputs.nodes[node].plain, { password: outputs.password }), async (c) => {
                    await c.connect();
                    // Control: the same connection may use data commands.
                    expect(await c.get("hostile:absent")).toBeNull();
                    for (const command of doors) {
                        const refusal = await c.call(command[0], ...command.slice(1)).then(
                            (reply) => `answered ${JSON.stringify(reply)}`,
                            (e: Error) => e.message,
                        );
                        expect({ node, command: command.join(" "), refusal }).toEqual({
                            node,
                            command: command.join(" "),
                            refusal: expect.stringMatching(/^(NOPERM |ERR (DEBUG|MODULE) command not allowed)/),
                        });
                    }
                });
            }
        });

        it("lets the check user write only under its own key prefix", async () => {
            await using(bareClient(plainA(), { username: "check", password: outputs.checkPassword }), async (c) => {
                await c.connect();
                expect(await c.set(`${CHECK_KEY_PREFIX}hostile`, "1")).toBe("OK");
                expect(await c.del(`${CHECK_KEY_PREFIX}hostile`)).toBe(1);
                await expect(c.set("hostile:outside-the-prefix", "1")).rejects.toThrow(/^NOPERM .*key/);
                await expect(c.call("FLUSHALL")).rejects.toThrow(/^NOPERM /);
                await expect(c.call("CONFIG", "GET", "masterauth")).rejects.toThrow(/^NOPERM /);
            });
        });
    });

    describe("faults under a steady write load on A", () => {
        // The scenarios run in order on the one stack; each leaves it converged.

        it("1. docker restart of B: both hops resume with a partial resync, nothing lost", async () => {
            const outcome = await scenario("s1-restart-b", {}, async (load) => {
                await timed("docker restart B", () => docker(["restart", B]));
                await waitLinksUp(outputs, 30_000);
                await load.waitForAcknowledged(load.acknowledgedCount + 500, 15_000);
            });
            // B stopped gracefully (SIGTERM: final RDB with replication ID and offset) within docker's 10 s,
            // so it resumes from A's backlog, and C resumes from the backlog B rebuilt from its RDB.
            expect(outcome.aToB).toMatchObject({ full: 0, partialOk: 1, partialErr: 0 });
            expect(outcome.bToC).toMatchObject({ restarted: true, full: 0, partialOk: 1, partialErr: 0 });
        }, 60_000);

        it("2. docker stop of B: verify fails naming both links; docker start: recovered, nothing lost", async () => {
            const outcome = await scenario("s2-stop-b", {}, async (load) => {
                await timed("docker stop B", () => docker(["stop", B]));
                try {
                    const broken = await runVerify(outputs, 3);
                    expect(broken.code, broken.output).toBe(1);
                    expect(broken.output).toMatch(/link redis-a -> redis-b \(plain, redis-a:6379\): redis-b unreachable/);
                    expect(broken.output).toMatch(/link redis-b -> redis-c \(tls, redis-b:6380\): master_link_status:down/);
                } finally {
                    await timed("docker start B", () => docker(["start", B]));
                }
                await waitLinksUp(outputs, 30_000);
                await load.waitForAcknowledged(load.acknowledgedCount + 500, 15_000);
            });
            const healthy = await runVerify(outputs, 30);
            expect(healthy.code, healthy.output).toBe(0);
            expect(healthy.output).toMatch(/OK: every link up/);
            // Same mechanism as scenario 1: graceful stop, RDB with the replication ID, backlogs cover it.
            expect(outcome.aToB).toMatchObject({ full: 0, partialOk: 1, partialErr: 0 });
            expect(outcome.bToC).toMatchObject({ restarted: true, full: 0, partialOk: 1, partialErr: 0 });
        }, 90_000);

        it("3. docker restart of the master A: acknowledged writes survive, replicas resume partially", async () => {
            let beforeRestart = 0;
            const outcome = await scenario("s3-restart-a", {}, async (load) => {
                beforeRestart = load.acknowledgedCount;
                await timed("docker restart A", () => docker(["restart", A]));
                await waitLinksUp(outputs, 30_000);
                const back = load.acknowledgedCount;
                await load.waitForAcknowledged(back + 500, 15_000);
            });
            summary.push(`  s3: ${beforeRestart} SETs acknowledged before the restart; failures during it: ${failureText(outcome.load)}`);
            // The writes that failed while A was away are not counted; everything acknowledged is on A, B, C.
            expect(outcome.load.failed).toBeGreaterThan(0);
            // A restarted from its shutdown RDB keeps the old replication ID as replid2, so B's PSYNC is
            // accepted; B then takes A's new ID and disconnects C, which resumes partially from B.
            expect(outcome.aToB).toMatchObject({ restarted: true, full: 0, partialOk: 1, partialErr: 0 });
            expect(outcome.bToC).toMatchObject({ restarted: false, full: 0, partialOk: 1, partialErr: 0 });
        }, 60_000);

        it("4a. docker kill -s KILL of C: Docker does not restart it (manual kill); docker start: converges, nothing lost", async () => {
            let observed = "";
            let expected = { partial: false, why: "" };
            const outcome = await scenario("s4a-kill-c", {}, async (load) => {
                const before = await containerState(C);
                await docker(["kill", "--signal", "KILL", C]);
                // No final save after SIGKILL: C comes back from whatever RDB it last wrote. Whether B can
                // continue it partially depends on that file's replication ID and offset vs B's backlog.
                expected = expectPartial(await rdbReplicationInfo(C), upstreamBacklog(await info(outputs, "redis-b", "replication")));
                // Bounded look: does the unless-stopped policy bring it back within 5 s?
                let state = await containerState(C);
                for (let i = 0; i < 20 && !state.running; i++) {
                    await sleep(250);
                    state = await containerState(C);
                }
                observed = `after docker kill: running=${state.running} exitCode=${state.exitCode} restartCount ${before.restartCount}->${state.restartCount}`;
                // `docker kill` counts as a manual stop for the restart manager (moby: killWithSignal sets
                // HasBeenManuallyStopped), so unless-stopped leaves it down.
                expect(state.running, observed).toBe(false);
                expect(state.exitCode).toBe(137);
                expect(state.restartCount).toBe(before.restartCount);
                await load.waitForAcknowledged(load.acknowledgedCount + 300, 15_000);
                await timed("docker start C", () => docker(["start", C]));
                await waitLinksUp(outputs, 30_000);
                await load.waitForAcknowledged(load.acknowledgedCount + 300, 15_000);
            });
            summary.push(`  s4a: ${observed}; expected ${expected.partial ? "partial" : "full"}: ${expected.why}`);
            expect(outcome.aToB).toMatchObject({ full: 0, partialOk: 0, partialErr: 0 });
            expect(outcome.bToC).toMatchObject(
                expected.partial ? { full: 0, partialOk: 1, partialErr: 0 } : { full: 1, partialOk: 0, partialErr: 1 },
            );
        }, 60_000);

        // Needs the engine's processes to be this machine's (local engine, root): the PID is a host PID.
        it.runIf(process.getuid?.() === 0 && !process.env.DOCKER_HOST)(
            "4b. a crash of C (SIGKILL from outside Docker, as the OOM killer sends): unless-stopped restarts it",
            async () => {
                let observed = "";
                let expected = { partial: false, why: "" };
                const outcome = await scenario("s4b-crash-c", {}, async (load) => {
                    const before = await containerState(C);
                    // Read before the kill: the restart manager starts C again within ~100 ms.
                    expected = expectPartial(await rdbReplicationInfo(C), upstreamBacklog(await info(outputs, "redis-b", "replication")));
                    // The server this test's container runs, by its host PID (checked to be it).
                    expect(readFileSync(`/proc/${before.pid}/cmdline`, "latin1")).toMatch(new RegExp(`^${serverBinary}\\b`));
                    process.kill(before.pid, "SIGKILL");
                    let state = await containerState(C);
                    for (let i = 0; i < 40 && !(state.running && state.restartCount > before.restartCount); i++) {
                        await sleep(250);
                        state = await containerState(C);
                    }
                    observed = `after SIGKILL of pid ${before.pid}: running=${state.running} restartCount ${before.restartCount}->${state.restartCount}`;
                    expect(state.running, observed).toBe(true);
                    expect(state.restartCount).toBe(before.restartCount + 1);
                    await waitLinksUp(outputs, 30_000);
                    await load.waitForAcknowledged(load.acknowledgedCount + 300, 15_000);
                });
                summary.push(`  s4b: ${observed}; expected ${expected.partial ? "partial" : "full"}: ${expected.why}`);
                expect(outcome.aToB).toMatchObject({ full: 0, partialOk: 0, partialErr: 0 });
                expect(outcome.bToC).toMatchObject(
                    expected.partial ? { full: 0, partialOk: 1, partialErr: 0 } : { full: 1, partialOk: 0, partialErr: 1 },
                );
            },
            60_000,
        );

        it("4c. C disconnected from the network and connected back with its alias: converges, nothing lost", async () => {
            const network = outputs.networkName;
            // Read, never dialled (the tests talk to published ports only): whether C got its address back.
            const address = async () => (await docker(["inspect", "--format", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, C])).trim();
            let addresses = "";
            const outcome = await scenario("s4c-partition-c", {}, async (load) => {
                const before = await address();
                await docker(["network", "disconnect", network, C]);
                try {
                    // About a second of writes that cannot reach C.
                    await load.waitForAcknowledged(load.acknowledgedCount + 1000, 15_000);
                } finally {
                    await docker(["network", "connect", "--alias", "redis-c", network, C]);
                }
                addresses = `C's address ${before} -> ${await address()}`;
                await waitLinksUp(outputs, 30_000);
                await load.waitForAcknowledged(load.acknowledgedCount + 300, 15_000);
            });
            summary.push(`  s4c: ${addresses}`);
            const aliases = JSON.parse(await docker(["inspect", "--format", `{{json (index .NetworkSettings.Networks "${network}").Aliases}}`, C]));
            expect(aliases).toContain("redis-c");
            // A short partition never needs a full sync (with the same address back, the TCP link even survives it).
            expect(outcome.aToB).toMatchObject({ full: 0, partialOk: 0, partialErr: 0 });
            expect(outcome.bToC).toMatchObject({ full: 0, partialErr: 0 });
        }, 90_000);

        it("5. C away longer than B's backlog covers: full resync on the B -> C hop, nothing lost", async () => {
            const bCli = ["-p", "6379"];
            const original = (await redisCli(outputs, B, [...bCli, "config", "get", "repl-backlog-size"])).trim().split("\n")[1];
            expect(original).toBe(String(64 * 1024 * 1024));
            let written = 0;
            await redisCli(outputs, B, [...bCli, "config", "set", "repl-backlog-size", "1mb"]);
            try {
                const outcome = await scenario("s5-backlog-overrun", { valueBytes: 1000, ratePerSecond: 1000 }, async (load) => {
                    await timed("docker stop C", () => docker(["stop", C]));
                    try {
                        const stoppedAt = Number((await info(outputs, "redis-b", "replication")).master_repl_offset);
                        // Write well past the 1 MB backlog (bounded: ~1 MB/s for at most 20 s).
                        const deadline = Date.now() + 20_000;
                        for (;;) {
                            written = Number((await info(outputs, "redis-b", "replication")).master_repl_offset) - stoppedAt;
                            if (written > 3 * 1024 * 1024) break;
                            if (Date.now() > deadline) throw new Error(`only ${written} bytes replicated to B in 20 s`);
                            await sleep(200);
                        }
                    } finally {
                        await timed("docker start C", () => docker(["start", C]));
                    }
                    await waitLinksUp(outputs, 30_000);
                    await load.waitForAcknowledged(load.acknowledgedCount + 300, 15_000);
                });
                summary.push(`  s5: ${(written / 1024 / 1024).toFixed(1)} MB of replication stream while C was away (backlog 1 MB)`);
                expect(outcome.aToB).toMatchObject({ full: 0, partialOk: 0, partialErr: 0 });
                // C asked to continue from its RDB's offset, which had left B's backlog: refused, then full.
                expect(outcome.bToC).toMatchObject({ restarted: false, full: 1, partialOk: 0, partialErr: 1 });
            } finally {
                await redisCli(outputs, B, [...bCli, "config", "set", "repl-backlog-size", original]);
            }
            const restored = (await redisCli(outputs, B, [...bCli, "config", "get", "repl-backlog-size"])).trim().split("\n")[1];
            expect(restored).toBe(original);
        }, 90_000);
    });

    describe("the final RDB save wins the race against Docker's stop grace", () => {
        // Redis 7 waits up to shutdown-timeout (its default: 10 s) for lagging replicas before its final
        // save; with Docker's default 10 s stop grace the SIGKILL came first, and all 3818 writes
        // acknowledged before the restart were gone from A, B and C. The program now sets
        // shutdown-timeout 3 and a 30 s stop timeout.
        it("6. docker restart of A while its replica B is partitioned: nothing acknowledged is lost", async () => {
            const network = outputs.networkName;
            await scenario("s6-restart-a-b-partitioned", {}, async (load) => {
                await docker(["network", "disconnect", network, B]);
                try {
                    await load.waitForAcknowledged(load.acknowledgedCount + 500, 15_000);
                    await timed("docker restart A (B partitioned)", () => docker(["restart", A]));
                } finally {
                    await docker(["network", "connect", "--alias", "redis-b", network, B]);
                }
                await waitLinksUp(outputs, 30_000);
                await load.waitForAcknowledged(load.acknowledgedCount + 300, 15_000);
            });
        }, 90_000);
    });
});

interface ScenarioOutcome {
    readonly load: WriteLoadResult;
    readonly aToB: SyncDelta;
    readonly bToC: SyncDelta;
}

/**
 * Runs `fault` while a write load runs on A, then judges the chain: converged, every acknowledged
 * write on A, B and C with its value, the check ok; returns the load and the sync counter deltas.
 */
async function scenario(
    name: string,
    loadOptions: { valueBytes?: number; ratePerSecond?: number },
    fault: (load: WriteLoad) => Promise<void>,
): Promise<ScenarioOutcome> {
    const started = Date.now();
    const before: [SyncCounters, SyncCounters] = [await syncCounters(outputs, "redis-a"), await syncCounters(outputs, "redis-b")];
    const load = await startWriteLoad(targetFor(outputs as any, "redis-a", "plain"), { keyPrefix: `load:${name}:`, ...loadOptions });
    let result: WriteLoadResult;
    try {
        await load.waitForAcknowledged(500, 10_000);
        await fault(load);
    } finally {
        result = await load.stop();
    }
    const convergence = await waitConverged(outputs, 30_000);
    const after: [SyncCounters, SyncCounters] = [await syncCounters(outputs, "redis-a"), await syncCounters(outputs, "redis-b")];
    const aToB = syncDelta(before[0], after[0]);
    const bToC = syncDelta(before[1], after[1]);
    const reads = [
        await readBack(outputs, "redis-a", "plain", result.acknowledged),
        await readBack(outputs, "redis-b", "plain", result.acknowledged),
        await readBack(outputs, "redis-c", "tls", result.acknowledged),
    ];
    const { chain, credentials } = chainFromOutputs(outputs);
    const check = await checkReplication(chain, credentials, { timeoutMs: 20_000 });
    const lost = reads.map((r) => `${r.node} ${r.missing.length + r.wrong.length}`).join(", ");
    summary.push(
        `${name}: ${result.acknowledged.size} acknowledged SETs checked on A, B, C (attempted ${result.attempted}, failed ${result.failed}); ` +
            `lost: ${lost}; A->B ${hop(aToB)}; B->C ${hop(bToC)}; converged ${convergence.waitedMs} ms after the load stopped ` +
            `at offset ${convergence.masterOffset}; check ${check.ok ? "ok" : check.failures.join(" | ")}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    for (const r of reads) {
        expect(r.checked).toBe(result.acknowledged.size);
        expect(r.missing, `acknowledged keys missing on ${r.node}`).toEqual([]);
        expect(r.wrong, `acknowledged keys with another value on ${r.node}`).toEqual([]);
    }
    expect(result.acknowledged.size).toBeGreaterThanOrEqual(1000);
    expect(check.ok, check.failures.join("\n")).toBe(true);
    return { load: result, aToB, bToC };
}

function hop(d: SyncDelta): string {
    return `full +${d.full}, partial_ok +${d.partialOk}, partial_err +${d.partialErr}${d.restarted ? " (upstream restarted: counters from 0)" : ""}`;
}

function failureText(result: WriteLoadResult): string {
    return [...result.failures].map(([m, n]) => `${n}x "${m}"`).join(", ") || "none";
}

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
        return await fn();
    } finally {
        summary.push(`  ${what}: ${Date.now() - started} ms`);
    }
}

async function containerState(name: string): Promise<{ running: boolean; exitCode: number; restartCount: number; pid: number }> {
    const [c] = JSON.parse(await docker(["inspect", name]));
    return { running: c.State.Running, exitCode: c.State.ExitCode, restartCount: c.RestartCount, pid: c.State.Pid };
}

/** A TLS handshake to `endpoint`; resolves with the error, or undefined when it completed and verified. */
function tlsHandshake(options: { host: string; port: number; ca: string[]; [k: string]: unknown }): Promise<(Error & { code?: string }) | undefined> {
    return new Promise((resolve) => {
        const socket = tlsConnect({ ...options, servername: "localhost" } as any);
        const timer = setTimeout(() => {
            socket.destroy();
            resolve(Object.assign(new Error("no handshake result within 5 s"), { code: "TIMEOUT" }));
        }, 5000);
        socket.once("secureConnect", () => {
            clearTimeout(timer);
            socket.end();
            resolve(socket.authorized ? undefined : Object.assign(new Error(String(socket.authorizationError)), { code: "UNAUTHORIZED" }));
        });
        socket.once("error", (error) => {
            clearTimeout(timer);
            socket.destroy();
            resolve(error);
        });
    });
}

/** Sends `payload` on a plain TCP connection and reports what came back until the server closed it (5 s max). */
function rawExchange(endpoint: { host: string; port: number }, payload: string): Promise<{ data: Buffer; closedByServer: boolean }> {
    return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        const socket = netConnect(endpoint.port, endpoint.host, () => socket.write(payload));
        const done = (closedByServer: boolean) => {
            clearTimeout(timer);
            socket.destroy();
            resolve({ data: Buffer.concat(chunks), closedByServer });
        };
        const timer = setTimeout(() => done(false), 5000);
        socket.on("data", (d) => chunks.push(d));
        socket.on("error", () => undefined);
        socket.once("close", () => done(true));
    });
}

function otherCa(): string {
    // A CA that signed nothing here, generated on the spot.
    return execFileSync("openssl", [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "/dev/null", "-subj", "/CN=Other-CA", "-days", "1",
    ], { stdio: ["ignore", "pipe", "ignore"] }).toString();
}
