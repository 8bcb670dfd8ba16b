// Runs the real program with Pulumi.ha.yaml's nodes (the reference chain, failover on redis-a) under
// mocks and checks the Sentinel part of what it registers and exports.
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseTopology } from "../../lib/parseTopology";
import { renderSentinelConf } from "../../lib/sentinelConf";
import { sentinelCommand, sentinelEntrypoints } from "../../lib/sentinelContainer";
import { CONFIG_DEFAULTS } from "../../lib/configSchema";
import { SentinelStartArgs } from "../../lib/sentinelStartLines";
import { startEntrypoint } from "../../lib/startScript";
import { renderWriteFence } from "../../lib/writeFence";
import { nodeByName } from "../../lib/topology";
import { failOnUnhandledRejections, findCreated, ofType } from "../support/pulumiMocks";
import { ProgramRun, runProgram, secretUploads, uploadsOf } from "../support/programRun";

failOnUnhandledRejections();

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const HA_NODES = parse(readFileSync(join(__dirname, "..", "..", "Pulumi.ha.yaml"), "utf8")).config["redis-chain:nodes"] as unknown[];
const SENTINELS = [1, 2, 3].map((n) => `redis-a-sentinel-${n}`);
// What the mocks' RandomPassword results are (support/pulumiMocks.ts fakeOutputs).
const SENTINEL_PASSWORD = "pwredischainsentinelpassword";
const NODE_SENTINEL_PASSWORD = "pwredischainpasswordssentinel";

describe("the ha stack (Pulumi.ha.yaml)", { timeout: 15_000 }, () => {
    let run: ProgramRun;
    const topology = parseTopology(HA_NODES);
    const group = topology.failoverGroups![0];
    beforeAll(async () => {
        run = await runProgram({ nodes: HA_NODES });
    }, 60_000);

    it("is the reference chain plus a failover block on redis-a", () => {
        expect(HA_NODES.map((n) => (n as { name: string }).name)).toEqual(["redis-a", "redis-b", "redis-c"]);
        expect(group.sentinels.map((s) => s.hostPort)).toEqual([26479, 26480, 26481]);
    });

    it("registers one volume and one container per sentinel, and the two Sentinel passwords", () => {
        const inventory = run.registrations.map((r) => `${r.type} ${r.name}`);
        for (const s of SENTINELS) {
            expect(inventory).toContain(`${VOLUME} redis-chain-redis-a-sentinels-${s}-data`);
            expect(inventory).toContain(`${CONTAINER} redis-chain-redis-a-sentinels-${s}-container`);
        }
        expect(inventory).toContain("redis-chain:index:SentinelGroup redis-chain-redis-a-sentinels");
        expect(inventory).toContain("random:index/randomPassword:RandomPassword redis-chain-sentinel-password");
        expect(inventory).toContain("random:index/randomPassword:RandomPassword redis-chain-passwords-sentinel");
        expect(ofType(run.registrations, CONTAINER)).toHaveLength(6);
        // No new image: the sentinels run the master's, already pulled for the nodes.
        expect(ofType(run.registrations, "docker:index/remoteImage:RemoteImage")).toHaveLength(1);
    });

    it.each(SENTINELS.map((s, i) => [s, i] as const))("%s: command, entrypoint, port, volume, network, security", (name, i) => {
        const c = findCreated(run.registrations, CONTAINER, `redis-chain-redis-a-sentinels-${name}-container`).inputs;
        expect(c.name).toBe(name);
        expect(c.command).toEqual(["redis-server", "/data/sentinel.conf", "--sentinel"]);
        expect(c.command).toEqual(sentinelCommand(group));
        expect(c.entrypoints).toEqual(sentinelEntrypoints(group));
        expect(c.ports).toEqual([{ internal: 26379, external: 26479 + i, ip: "127.0.0.1", protocol: "tcp" }]);
        expect(c.volumes).toEqual([{ volumeName: `${name}-data`, containerPath: "/data" }]);
        expect(c.networksAdvanced).toEqual([{ name: "redis-chain", aliases: [name] }]);
        expect(c.capabilities).toEqual({ drops: ["ALL"], adds: ["CHOWN", "SETUID", "SETGID"] });
        expect(c.securityOpts).toEqual(["no-new-privileges:true"]);
        expect(c.healthcheck.tests[1]).toBe('REDISCLI_AUTH="$(cat /data/secrets/sentinel.pass)" redis-cli -p 26379 ping | grep -q PONG');
    });

    it.each(SENTINELS.map((s, i) => [s, i] as const))("%s: uploads its sentinel.conf and the sentinel password, both secret", (name, i) => {
        const reg = findCreated(run.registrations, CONTAINER, `redis-chain-redis-a-sentinels-${name}-container`);
        const files = uploadsOf(reg);
        expect(files.map((f) => [f.file, f.permissions])).toEqual([
            ["/usr/local/etc/redis/sentinel.conf", "0600"],
            ["/data/secrets/sentinel.pass", "0640"],
        ]);
        expect(files[0].content).toBe(renderSentinelConf(group, group.sentinels[i], { sentinelPassword: SENTINEL_PASSWORD, nodePassword: NODE_SENTINEL_PASSWORD }));
        expect(files[1].content).toBe(SENTINEL_PASSWORD);
        expect(secretUploads(reg)).toEqual({ "/usr/local/etc/redis/sentinel.conf": true, "/data/secrets/sentinel.pass": true });
        expect(reg.additionalSecretOutputs).toContain("uploads");
    });

    it.each(["redis-a", "redis-b"])("candidate %s starts through the sentinel start lines and its write fence, and carries the sentinel and fence passwords", (node) => {
        const reg = findCreated(run.registrations, CONTAINER, `redis-chain-${node}-container`);
        const spec = topology.nodes.find((n) => n.name === node)!;
        const sentinel: SentinelStartArgs = {
            group: "redis-a",
            sentinels: SENTINELS.map((host) => ({ host, port: 26379 })),
            transport: "plain",
            self: { host: node, port: 6379 },
            cli: "redis-cli",
            passwordFile: "/data/secrets/sentinel.pass",
            caFile: "/data/tls/ca.crt",
        };
        expect(reg.inputs.command).toEqual(["redis-server", "/usr/local/etc/redis/redis.conf"]);
        expect(reg.inputs.entrypoints).toEqual(
            startEntrypoint(spec, {
                upstream: spec.link && nodeByName(topology, spec.link.upstream),
                authEnabled: true,
                waitSeconds: CONFIG_DEFAULTS.upstreamWaitSeconds,
                sentinel,
                writeFence: renderWriteFence({
                    sentinel,
                    ownCli: "redis-cli -p 6379",
                    login: { user: "fence", passwordFile: "/data/secrets/fence.pass" },
                    minReplicasToWrite: 1,
                }),
            }),
        );
        expect(spec.failover!.candidate).toBe(true);
        const sentinelPass = uploadsOf(reg).find((f) => f.file === "/data/secrets/sentinel.pass")!;
        expect(sentinelPass.content).toBe(SENTINEL_PASSWORD);
        expect(secretUploads(reg)["/data/secrets/sentinel.pass"]).toBe(true);
        const fencePass = uploadsOf(reg).find((f) => f.file === "/data/secrets/fence.pass")!;
        expect(fencePass.permissions).toBe("0600");
        expect(secretUploads(reg)["/data/secrets/fence.pass"]).toBe(true);
        // The file holds the password whose hash the node's fence user has.
        const hash = createHash("sha256").update(String(fencePass.content)).digest("hex");
        expect(uploadsOf(reg).find((f) => f.file === "/data/secrets/auth.conf")!.content).toContain(`user fence reset on #${hash} resetchannels -@all +info +config|set\n`);
    });

    it("redis-c, never promoted, starts as any replica (it asks no sentinel, runs no fence) and gets neither password nor fence user", () => {
        const reg = findCreated(run.registrations, CONTAINER, "redis-chain-redis-c-container");
        expect(reg.inputs.entrypoints[2]).not.toContain("get-master-addr-by-name");
        expect(reg.inputs.entrypoints[2]).not.toContain("redis-chain-fence");
        expect(uploadsOf(reg).map((f) => f.file)).not.toContain("/data/secrets/sentinel.pass");
        expect(uploadsOf(reg).map((f) => f.file)).not.toContain("/data/secrets/fence.pass");
        expect(uploadsOf(reg).find((f) => f.file === "/data/secrets/auth.conf")!.content).not.toMatch(/^user fence /m);
        const conf = uploadsOf(reg).find((f) => f.file === "/usr/local/etc/redis/redis.conf")!.content;
        expect(conf).toContain("replica-priority 0\n");
    });

    it.each(["redis-a", "redis-b", "redis-c"])("%s carries the sentinel ACL user", (node) => {
        const reg = findCreated(run.registrations, CONTAINER, `redis-chain-${node}-container`);
        expect(uploadsOf(reg).find((f) => f.file === "/data/secrets/auth.conf")!.content).toMatch(/^user sentinel reset on #[0-9a-f]{64} allchannels \+multi /m);
    });

    it("exports failover (plain) and sentinelPassword (secret)", async () => {
        expect(run.exported.failover).toEqual({
            "redis-a": {
                declaredMaster: "redis-a",
                quorum: 2,
                transport: "plain",
                sentinels: SENTINELS.map((name, i) => ({ name, host: "127.0.0.1", port: 26479 + i })),
                natMap: {
                    "redis-a:6379": { host: "127.0.0.1", port: 6379 },
                    "redis-b:6379": { host: "127.0.0.1", port: 16379 },
                    "redis-c:6380": { host: "127.0.0.1", port: 26380 },
                },
            },
        });
        expect(run.exported.sentinelPassword).toBe(SENTINEL_PASSWORD);
        expect(await pulumi.isSecret(run.program.sentinelPassword as pulumi.Output<string>)).toBe(true);
    });
});

describe("a TLS failover group", { timeout: 15_000 }, () => {
    // A TLS-only master and replica: Sentinel speaks TLS to them and between sentinels.
    const TLS_NODES = [
        { name: "redis-a", tls: { hostPort: 7101 }, failover: { hostPorts: [7201, 7202, 7203], minReplicasToWrite: 0 } },
        { name: "redis-b", replicaOf: "redis-a", link: "tls", tls: { hostPort: 7102 } },
    ];
    let run: ProgramRun;
    beforeAll(async () => {
        run = await runProgram({ nodes: TLS_NODES });
    }, 60_000);

    it.each(SENTINELS)("%s gets its own CA-signed certificate and key, the key secret and 0600", (name) => {
        const cert = findCreated(run.registrations, "tls:index/certRequest:CertRequest", `redis-chain-${name}-cert-csr`).inputs;
        expect(cert.dnsNames).toEqual([name, "localhost"]);
        expect(cert.ipAddresses).toEqual(["127.0.0.1"]);
        const reg = findCreated(run.registrations, CONTAINER, `redis-chain-redis-a-sentinels-${name}-container`);
        expect(uploadsOf(reg).map((f) => [f.file, f.permissions])).toEqual([
            ["/usr/local/etc/redis/sentinel.conf", "0600"],
            ["/data/secrets/sentinel.pass", "0640"],
            ["/data/tls/ca.crt", "0644"],
            ["/data/tls/redis.crt", "0644"],
            ["/data/tls/redis.key", "0600"],
        ]);
        expect(secretUploads(reg)["/data/tls/redis.key"]).toBe(true);
        const conf = uploadsOf(reg)[0].content;
        expect(conf).toContain("\ntls-port 26379\n");
        expect(conf).toContain("\nsentinel monitor redis-a redis-a 6380 2\n");
        expect(reg.inputs.healthcheck.tests[1]).toContain("redis-cli --tls --cacert /data/tls/ca.crt -p 26379 ping");
    });

    it("the candidates ask the sentinels over TLS", () => {
        const entry = findCreated(run.registrations, CONTAINER, "redis-chain-redis-b-container").inputs.entrypoints as string[];
        expect(entry[2]).toContain("redis-cli --tls --cacert /data/tls/ca.crt -h redis-a-sentinel-1 -p 26379 sentinel get-master-addr-by-name redis-a");
    });
});
