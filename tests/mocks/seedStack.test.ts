// Runs the real program (index.ts) under Pulumi mocks and checks what it registers.
// Mocks first, config second, then `import()` the program; `vi.resetModules()` before each import
// so every describe block runs the program afresh with its own config.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { UserPasswords, renderNodeUsersFile } from "../../lib/aclUsers";
import { DEFAULT_MEMORY, containerMemoryLimitMb } from "../../lib/memoryLimits";
import { parseTopology } from "../../lib/parseTopology";
import { DEFAULT_CONF_OPTIONS, nodeMemory, renderRedisConf } from "../../lib/redisConf";
import { CONFIG_DEFAULTS } from "../../lib/configSchema";
import { startEntrypoint } from "../../lib/startScript";
import { nodeByName } from "../../lib/topology";
import {
    Registration,
    SECRET_SIG,
    SECRET_SIG_KEY,
    drainRpcs,
    failOnUnhandledRejections,
    findCreated,
    installMocks,
    isSecretInput,
    ofType,
    setStackConfig,
    unwrapSecret,
} from "../support/pulumiMocks";
import { Program, ProgramRun, runProgram, secretUploads, uploadsOf } from "../support/programRun";
import { seedNodes } from "../support/seed";

failOnUnhandledRejections();

const T = {
    container: "docker:index/container:Container",
    volume: "docker:index/volume:Volume",
    network: "docker:index/network:Network",
    image: "docker:index/remoteImage:RemoteImage",
    key: "tls:index/privateKey:PrivateKey",
    selfSigned: "tls:index/selfSignedCert:SelfSignedCert",
    csr: "tls:index/certRequest:CertRequest",
    signed: "tls:index/locallySignedCert:LocallySignedCert",
    chain: "redis-chain:index:RedisChain",
    node: "redis-chain:index:RedisNode",
    ca: "redis-chain:index:CertificateAuthority",
    nodeCert: "redis-chain:index:NodeCertificate",
    passwords: "redis-chain:index:ChainPasswords",
    password: "random:index/randomPassword:RandomPassword",
    // ReplicationCheck passes module "redis-chain" and type "ReplicationCheck" to dynamic.Resource,
    // and the SDK builds `pulumi-nodejs:dynamic/<module>:<type>` from them (dynamic/index.js).
    check: "pulumi-nodejs:dynamic/redis-chain:ReplicationCheck",
    guard: "pulumi-nodejs:dynamic/redis-chain:ServerReleaseGuard",
    gate: "pulumi-nodejs:dynamic/redis-chain:RolloutGate",
    dockerProvider: "pulumi:providers:docker",
};
const CONF = "/usr/local/etc/redis/redis.conf";
const AUTH_CONF = "/data/secrets/auth.conf";
const HEALTHCHECK_PASS = "/data/secrets/healthcheck.pass";
// What the mocks' RandomPassword results are (support/pulumiMocks.ts fakeOutputs).
const FAKE_PASSWORDS: UserPasswords = {
    application: "pwredischainpasswordsclient",
    admin: "pwredischainpasswordsadmin",
    check: "pwredischainpasswordscheck",
    replication: "pwredischainpasswordsreplication",
    healthcheck: "pwredischainpasswordshealthcheck",
};
const AUTH_ENV = 'REDISCLI_AUTH="$(cat /data/secrets/healthcheck.pass)"';
const SETUP_TIMEOUT = 60_000;
const TEST_TIMEOUT = { timeout: 15_000 };

const fakeKey = (name: string) => `-----BEGIN RSA PRIVATE KEY-----fake-${name}`;
const fakeCert = (name: string) => `-----BEGIN CERTIFICATE-----fake-${name}`;
const fakeCsr = (name: string) => `-----BEGIN CERTIFICATE REQUEST-----fake-${name}`;

const names = (registrations: readonly Registration[]) => registrations.map((r) => r.name);
const container = (run: ProgramRun, node: string) => findCreated(run.registrations, T.container, `redis-chain-${node}-container`);
/** The exports that are Outputs and secret. */
async function secretExports(program: Program): Promise<string[]> {
    const secret: string[] = [];
    for (const [key, value] of Object.entries(program as Record<string, unknown>)) {
        if (pulumi.Output.isInstance<unknown>(value) && (await pulumi.isSecret(value as pulumi.Output<unknown>))) secret.push(key);
    }
    return secret.sort();
}

describe("the seed stack", TEST_TIMEOUT, () => {
    let run: ProgramRun;
    beforeAll(async () => {
        run = await runProgram({ nodes: seedNodes() });
    }, SETUP_TIMEOUT);
    const seed = parseTopology(seedNodes());

    it("registers exactly the expected resources", () => {
        const inventory = run.registrations.map((r) => `${r.type} ${r.name}`).sort();
        expect(inventory).toEqual(
            [
                `${T.chain} redis-chain`,
                `${T.image} redis-chain-image`,
                `${T.network} redis-chain-network`,
                `${T.ca} redis-chain-ca`,
                `${T.key} redis-chain-ca-key`,
                `${T.selfSigned} redis-chain-ca-cert`,
                ...["redis-a", "redis-b", "redis-c"].flatMap((n) => [
                    `${T.node} redis-chain-${n}`,
                    `${T.volume} redis-chain-${n}-data`,
                    `${T.container} redis-chain-${n}-container`,
                ]),
                ...["redis-b", "redis-c"].flatMap((n) => [
                    `${T.nodeCert} redis-chain-${n}-cert`,
                    `${T.key} redis-chain-${n}-cert-key`,
                    `${T.csr} redis-chain-${n}-cert-csr`,
                    `${T.signed} redis-chain-${n}-cert-cert`,
                ]),
                `${T.passwords} redis-chain-passwords`,
                `${T.password} redis-chain-passwords-client`,
                `${T.password} redis-chain-passwords-admin`,
                `${T.password} redis-chain-passwords-check`,
                `${T.password} redis-chain-passwords-replication`,
                `${T.password} redis-chain-passwords-healthcheck`,
                `${T.check} redis-chain-check`,
                `${T.guard} redis-chain-server-releases`,
                `${T.gate} redis-chain-redis-b-rollout`,
                `${T.gate} redis-chain-redis-c-rollout`,
            ].sort(),
        );
    });

    it("every resource name is unique (mocks do not catch duplicates)", () => {
        const all = names(run.registrations);
        expect(all.filter((n, i) => all.indexOf(n) !== i)).toEqual([]);
    });

    it("every child is parented to the component that created it", () => {
        const byUrn = new Map(run.registrations.map((r) => [r.urn, r.name]));
        const parents = Object.fromEntries(
            run.registrations.filter((r) => r.name !== "redis-chain").map((r) => [r.name, byUrn.get(r.parentUrn) ?? `<${r.parentUrn}>`]),
        );
        const nodeChildren = (n: string) => ({
            [`redis-chain-${n}`]: "redis-chain",
            [`redis-chain-${n}-data`]: `redis-chain-${n}`,
            [`redis-chain-${n}-container`]: `redis-chain-${n}`,
        });
        const certChildren = (n: string) => ({
            [`redis-chain-${n}-cert`]: "redis-chain",
            [`redis-chain-${n}-cert-key`]: `redis-chain-${n}-cert`,
            [`redis-chain-${n}-cert-csr`]: `redis-chain-${n}-cert`,
            [`redis-chain-${n}-cert-cert`]: `redis-chain-${n}-cert`,
        });
        expect(parents).toEqual({
            "redis-chain-image": "redis-chain",
            "redis-chain-network": "redis-chain",
            "redis-chain-ca": "redis-chain",
            "redis-chain-ca-key": "redis-chain-ca",
            "redis-chain-ca-cert": "redis-chain-ca",
            ...nodeChildren("redis-a"),
            ...nodeChildren("redis-b"),
            ...nodeChildren("redis-c"),
            ...certChildren("redis-b"),
            ...certChildren("redis-c"),
            "redis-chain-passwords": "redis-chain",
            "redis-chain-passwords-client": "redis-chain-passwords",
            "redis-chain-passwords-admin": "redis-chain-passwords",
            "redis-chain-passwords-check": "redis-chain-passwords",
            "redis-chain-passwords-replication": "redis-chain-passwords",
            "redis-chain-passwords-healthcheck": "redis-chain-passwords",
            "redis-chain-check": "redis-chain",
            "redis-chain-server-releases": "redis-chain",
            "redis-chain-redis-b-rollout": "redis-chain",
            "redis-chain-redis-c-rollout": "redis-chain",
        });
        // The root component has no parent under mocks (no Stack resource is registered).
        expect(findCreated(run.registrations, T.chain, "redis-chain").parentUrn).toBe("");
    });

    it("the image: redis:8.6.7 (the default), kept locally", () => {
        const image = findCreated(run.registrations, T.image, "redis-chain-image");
        expect(image.inputs).toEqual({ name: "redis:8.6.7", keepLocally: true });
    });

    it("the network is named redis-chain", () => {
        expect(findCreated(run.registrations, T.network, "redis-chain-network").inputs.name).toBe("redis-chain");
    });

    it("the CA: an RSA 4096 key and a self-signed CA certificate Redis-CA that can sign", () => {
        expect(findCreated(run.registrations, T.key, "redis-chain-ca-key").inputs).toEqual({ algorithm: "RSA", rsaBits: 4096 });
        const cert = findCreated(run.registrations, T.selfSigned, "redis-chain-ca-cert").inputs;
        expect(cert.isCaCertificate).toBe(true);
        expect(cert.subject).toEqual({ commonName: "Redis-CA" });
        expect(cert.allowedUses).toContain("cert_signing");
        expect(unwrapSecret(cert.privateKeyPem)).toBe(fakeKey("redis-chain-ca-key"));
    });

    it("node certificates exist only for the TLS-speaking nodes redis-b and redis-c", () => {
        expect(ofType(run.registrations, T.csr).map((r) => r.name)).toEqual(["redis-chain-redis-b-cert-csr", "redis-chain-redis-c-cert-csr"]);
        expect(ofType(run.registrations, T.signed).map((r) => r.name)).toEqual([
            "redis-chain-redis-b-cert-cert",
            "redis-chain-redis-c-cert-cert",
        ]);
        expect(names(run.registrations).filter((n) => n.startsWith("redis-chain-redis-a-cert"))).toEqual([]);
    });

    it.each(["redis-b", "redis-c"])("%s's certificate: SANs, CA signature, server and client auth", (node) => {
        const key = findCreated(run.registrations, T.key, `redis-chain-${node}-cert-key`).inputs;
        expect(key.algorithm).toBe("RSA");
        const csr = findCreated(run.registrations, T.csr, `redis-chain-${node}-cert-csr`).inputs;
        expect(unwrapSecret(csr.privateKeyPem)).toBe(fakeKey(`redis-chain-${node}-cert-key`));
        expect(csr.subject.commonName).toBe(node);
        // Container name and alias coincide without a prefix; localhost and 127.0.0.1 for clients on the host.
        expect(csr.dnsNames).toEqual([node, "localhost"]);
        expect(csr.ipAddresses).toEqual(["127.0.0.1"]);
        const signed = findCreated(run.registrations, T.signed, `redis-chain-${node}-cert-cert`).inputs;
        expect(signed.certRequestPem).toBe(fakeCsr(`redis-chain-${node}-cert-csr`));
        expect(signed.caCertPem).toBe(fakeCert("redis-chain-ca-cert"));
        expect(isSecretInput(signed.caPrivateKeyPem)).toBe(true);
        expect(unwrapSecret(signed.caPrivateKeyPem)).toBe(fakeKey("redis-chain-ca-key"));
        expect(signed.allowedUses).toEqual(expect.arrayContaining(["server_auth", "client_auth"]));
        // earlyRenewalHours >= validityPeriodHours would make every `up` replace the cert.
        expect(signed.validityPeriodHours).toBe(8760);
        expect(signed.earlyRenewalHours).toBe(720);
    });

    it("containers: names, hostnames, network aliases, the pulled image, the rendered config as command", () => {
        for (const node of ["redis-a", "redis-b", "redis-c"]) {
            const inputs = container(run, node).inputs;
            expect(inputs.name).toBe(node);
            expect(inputs.hostname).toBe(node);
            expect(inputs.image).toBe("sha256:fake");
            expect(inputs.networksAdvanced).toEqual([{ name: "redis-chain", aliases: [node] }]);
            expect(inputs.command).toEqual(["redis-server", CONF]);
        }
    });

    it("every container starts through its start script: a replica waits for its upstream, then the image's entrypoint runs", () => {
        const topology = parseTopology(seedNodes());
        for (const node of topology.nodes) {
            const upstream = node.link && nodeByName(topology, node.link.upstream);
            expect(container(run, node.name).inputs.entrypoints).toEqual(
                startEntrypoint(node, { upstream, authEnabled: true, waitSeconds: CONFIG_DEFAULTS.upstreamWaitSeconds }),
            );
        }
        expect(container(run, "redis-c").inputs.entrypoints[2]).toContain("upstream_host=redis-b\nupstream_port=6380\n");
    });

    it("containers drop every capability but the entrypoint's chown and privilege drop, and gain no privileges", () => {
        for (const node of ["redis-a", "redis-b", "redis-c"]) {
            const inputs = container(run, node).inputs;
            expect(inputs.capabilities).toEqual({ drops: ["ALL"], adds: ["CHOWN", "SETUID", "SETGID"] });
            expect(inputs.securityOpts).toEqual(["no-new-privileges:true"]);
            // A replica's ARP retry for an upstream still starting: 50 ms, not the kernel's 1 s.
            expect(inputs.sysctls).toEqual({ "net.ipv4.neigh.eth0.retrans_time_ms": "50" });
            // Uploads go to the container's "/", which the engine refuses on a read-only rootfs.
            expect(inputs.readOnly).toBeUndefined();
        }
    });

    it.each([
        ["redis-a", [{ internal: 6379, external: 6379, ip: "127.0.0.1", protocol: "tcp" }]],
        [
            "redis-b",
            [
                { internal: 6379, external: 16379, ip: "127.0.0.1", protocol: "tcp" },
                { internal: 6380, external: 16380, ip: "127.0.0.1", protocol: "tcp" },
            ],
        ],
        ["redis-c", [{ internal: 6380, external: 26380, ip: "127.0.0.1", protocol: "tcp" }]],
    ])("%s publishes exactly the seed's ports on 127.0.0.1", (node, ports) => {
        expect(container(run, node).inputs.ports).toEqual(ports);
    });

    it("five 32-character alphanumeric passwords, one per ACL user", () => {
        for (const role of ["client", "admin", "check", "replication", "healthcheck"]) {
            expect(findCreated(run.registrations, T.password, `redis-chain-passwords-${role}`).inputs).toEqual({ length: 32, special: false });
        }
    });

    it("redis-a uploads its config (public), auth.conf (0600) and the healthcheck password (0640), both secret", () => {
        const reg = container(run, "redis-a");
        expect(uploadsOf(reg)).toEqual([
            { file: CONF, content: renderRedisConf(nodeByName(seed, "redis-a")), permissions: "0644" },
            { file: AUTH_CONF, content: renderNodeUsersFile(nodeByName(seed, "redis-a"), FAKE_PASSWORDS), permissions: "0600" },
            { file: HEALTHCHECK_PASS, content: FAKE_PASSWORDS.healthcheck, permissions: "0640" },
        ]);
        expect(secretUploads(reg)).toEqual({ [CONF]: false, [AUTH_CONF]: true, [HEALTHCHECK_PASS]: true });
        // The mock monitor hands the whole list over as one secret (the SDK hoists nested secrets).
        expect(isSecretInput(reg.inputs.uploads)).toBe(true);
    });

    it.each(["redis-b", "redis-c"])("%s uploads config, CA, certificate, 0600 key and the auth files; key and auth secret", (node) => {
        const reg = container(run, node);
        expect(uploadsOf(reg)).toEqual([
            { file: CONF, content: renderRedisConf(nodeByName(seed, node)), permissions: "0644" },
            { file: "/data/tls/ca.crt", content: fakeCert("redis-chain-ca-cert"), permissions: "0644" },
            { file: "/data/tls/redis.crt", content: fakeCert(`redis-chain-${node}-cert-cert`), permissions: "0644" },
            { file: "/data/tls/redis.key", content: fakeKey(`redis-chain-${node}-cert-key`), permissions: "0600" },
            { file: AUTH_CONF, content: renderNodeUsersFile(nodeByName(seed, node), FAKE_PASSWORDS), permissions: "0600" },
            { file: HEALTHCHECK_PASS, content: FAKE_PASSWORDS.healthcheck, permissions: "0640" },
        ]);
        // Secret inputs arrive as { [SECRET_SIG_KEY]: SECRET_SIG, value }; the mocks mark no provider
        // output secret, so only the program's own pulumi.secret shows here.
        const rawKey = (reg.rawInputs!.uploads as { file: string; content: unknown }[]).find((u) => u.file === "/data/tls/redis.key")!;
        expect(rawKey.content).toEqual({ [SECRET_SIG_KEY]: SECRET_SIG, value: fakeKey(`redis-chain-${node}-cert-key`) });
        expect(secretUploads(reg)).toEqual({
            [CONF]: false,
            "/data/tls/ca.crt": false,
            "/data/tls/redis.crt": false,
            "/data/tls/redis.key": true,
            [AUTH_CONF]: true,
            [HEALTHCHECK_PASS]: true,
        });
    });

    it("auth.conf: every node carries the five users, hashed; replicas also the replication password", () => {
        const authConf = (node: string) => uploadsOf(container(run, node)).find((u) => u.file === AUTH_CONF)!.content.split("\n");
        for (const node of ["redis-a", "redis-b", "redis-c"]) {
            const users = authConf(node).filter((l) => l.startsWith("user "));
            expect(users.map((l) => l.split(" ")[1])).toEqual(["default", "admin", "check", "replicator", "healthcheck"]);
            // Only masterauth is plain text: no user password appears in the file.
            for (const [which, password] of Object.entries(FAKE_PASSWORDS)) {
                if (which !== "replication") expect(authConf(node).join("\n")).not.toContain(password);
            }
            expect(users[0]).toMatch(/ -@admin -@dangerous -@scripting$/);
        }
        expect(authConf("redis-a").filter((l) => l.startsWith("masterauth"))).toEqual([]);
        expect(authConf("redis-b")).toContain(`masterauth ${FAKE_PASSWORDS.replication}`);
        expect(authConf("redis-c")).toContain(`masterauth ${FAKE_PASSWORDS.replication}`);
    });

    it.each([
        ["redis-a", `${AUTH_ENV} redis-cli -p 6379 --user healthcheck ping | grep -q PONG`],
        ["redis-b", `${AUTH_ENV} redis-cli -p 6379 --user healthcheck info replication | grep -q master_link_status:up`],
        [
            "redis-c",
            `${AUTH_ENV} redis-cli --tls --cacert /data/tls/ca.crt -p 6380 --user healthcheck info replication | grep -q master_link_status:up`,
        ],
    ])("%s: CMD-SHELL healthcheck, restart unless-stopped, its own volume at /data", (node, command) => {
        const inputs = container(run, node).inputs;
        expect(inputs.healthcheck).toEqual({ tests: ["CMD-SHELL", command], interval: "5s", timeout: "2s", retries: 3, startPeriod: "10s" });
        expect(inputs.restart).toBe("unless-stopped");
        // Longer than redis.conf's shutdown-timeout plus a final save, for docker stop and for deletes.
        expect({ stopTimeout: inputs.stopTimeout, destroyGraceSeconds: inputs.destroyGraceSeconds }).toEqual({
            stopTimeout: 30,
            destroyGraceSeconds: 30,
        });
        expect(inputs.volumes).toEqual([{ volumeName: `${node}-data`, containerPath: "/data" }]);
        expect(findCreated(run.registrations, T.volume, `redis-chain-${node}-data`).inputs.name).toBe(`${node}-data`);
    });

    it("the post-deploy check: a dynamic resource with a serialized provider, the chain and the container ids", () => {
        const check = findCreated(run.registrations, T.check, "redis-chain-check");
        expect(check.custom).toBe(true);
        const provider = check.inputs.__provider;
        expect(typeof provider).toBe("string");
        expect(provider).toContain("exports.handler");
        expect(provider).toContain("/lib/check/deployCheck.ts");
        expect(check.inputs.chain.nodes.map((n: { name: string }) => n.name)).toEqual(["redis-a", "redis-b", "redis-c"]);
        expect(check.inputs.chain.caCertPem).toBe(fakeCert("redis-chain-ca-cert"));
        expect(check.inputs.containerIds).toEqual([
            "redis-chain-redis-a-container-id",
            "redis-chain-redis-b-container-id",
            "redis-chain-redis-c-container-id",
        ]);
        expect(check.inputs.timeoutMs).toBe(60_000);
        // The check logs in as the check user, kept secret in the state; no other user's password goes in.
        expect(check.rawInputs!.credentials).toEqual({
            [SECRET_SIG_KEY]: SECRET_SIG,
            value: { username: "check", password: FAKE_PASSWORDS.check },
        });
        expect(isSecretInput(check.rawInputs!.chain)).toBe(false);
    });

    it("stack output nodes: role, upstream and URLs of each node", () => {
        const nodes = run.exported.nodes as Record<string, Record<string, unknown>>;
        expect(Object.keys(nodes)).toEqual(["redis-a", "redis-b", "redis-c"]);
        const summary = Object.values(nodes).map((n) => ({
            name: n.name,
            role: n.role,
            upstream: n.upstream,
            link: n.link,
            plain: (n.plain as { url: string } | null)?.url ?? null,
            tls: (n.tls as { url: string } | null)?.url ?? null,
        }));
        expect(summary).toEqual([
            { name: "redis-a", role: "master", upstream: null, link: null, plain: "redis://127.0.0.1:6379", tls: null },
            {
                name: "redis-b",
                role: "replica",
                upstream: "redis-a",
                link: "plain",
                plain: "redis://127.0.0.1:16379",
                tls: "rediss://127.0.0.1:16380",
            },
            { name: "redis-c", role: "replica", upstream: "redis-b", link: "tls", plain: null, tls: "rediss://127.0.0.1:26380" },
        ]);
    });

    it("stack outputs: the CA certificate, network, container ids and check time", () => {
        expect(run.exported.caCertPem).toBe(fakeCert("redis-chain-ca-cert"));
        expect(run.exported.networkName).toBe("redis-chain");
        expect(run.exported.containerIds).toEqual({
            "redis-a": "redis-chain-redis-a-container-id",
            "redis-b": "redis-chain-redis-b-container-id",
            "redis-c": "redis-chain-redis-c-container-id",
        });
        expect(run.exported.checkElapsedMs).toBe(1234);
        expect(run.exported.password).toBe(FAKE_PASSWORDS.application);
        expect(run.exported.adminPassword).toBe(FAKE_PASSWORDS.admin);
        expect(run.exported.checkPassword).toBe(FAKE_PASSWORDS.check);
        expect(run.exported.clientCertPem).toBeUndefined();
        expect(run.exported.clientKeyPem).toBeUndefined();
    });

    it("no private key text anywhere in the stack outputs", () => {
        // The deployment does contain key text (so the probe below can find it if it leaks).
        expect(JSON.stringify(run.registrations.map((r) => r.inputs))).toContain("PRIVATE KEY");
        expect(JSON.stringify(run.exported)).not.toContain("PRIVATE KEY");
    });

    it("the application, admin and check passwords are exported as secrets, and appear in no other output", async () => {
        expect(await secretExports(run.program)).toEqual(["adminPassword", "checkPassword", "password"]);
        const { password, adminPassword, checkPassword, ...others } = run.exported;
        expect([password, adminPassword, checkPassword]).toEqual([FAKE_PASSWORDS.application, FAKE_PASSWORDS.admin, FAKE_PASSWORDS.check]);
        for (const secret of Object.values(FAKE_PASSWORDS)) expect(JSON.stringify(others)).not.toContain(secret);
    });

    it.each(["redis-a", "redis-b", "redis-c"])("%s: maxmemory 256mb noeviction, hardening, and its container's memory limit", (node) => {
        const conf = uploadsOf(container(run, node))[0].content.split("\n");
        expect(conf).toEqual(
            expect.arrayContaining([
                "maxmemory 256mb",
                "maxmemory-policy noeviction",
                "enable-debug-command no",
                "enable-module-command no",
                "enable-protected-configs no",
            ]),
        );
        // 2 x 256 + 64 backlog + 64 fixed, plus 256 per directly attached replica (redis-c has none).
        expect(container(run, node).inputs.memory).toBe(node === "redis-c" ? 640 : 896);
        expect(container(run, node).inputs.memory).toBe(containerMemoryLimitMb(nodeMemory(nodeByName(seed, node), DEFAULT_CONF_OPTIONS)));
        // No swap on top: the engine refuses to grow a limit alone past its default swap (twice the old limit).
        expect(container(run, node).inputs.memorySwap).toBe(container(run, node).inputs.memory);
    });
});

describe("per-node images: redis-c on Valkey, redis-b on host2 with the stack's image", TEST_TIMEOUT, () => {
    let run: ProgramRun;
    const VALKEY = "valkey/valkey:8.1.1";
    beforeAll(async () => {
        const nodes = seedNodes().map((n) =>
            n.name === "redis-c"
                ? { ...n, image: VALKEY }
                : n.name === "redis-b"
                  ? { ...n, image: "redis:7.2.4", host: "host2", allowPlainAcrossHosts: true }
                  : { ...n, allowPlainOnNetwork: true },
        );
        run = await runProgram({
            nodes,
            image: "redis:7.0.15",
            hosts: { local: { address: "10.200.0.1" }, host2: { docker: "tcp://10.200.0.2:2376", address: "10.200.0.2", allowInsecureEngine: true } },
        });
    }, SETUP_TIMEOUT);
    const images = () => ofType(run.registrations, T.image).map((r) => [r.name, r.inputs.name]);

    it("one RemoteImage per distinct image per host; the stack's default keeps its plain name", () => {
        const entries = images();
        expect(entries).toHaveLength(3);
        expect(entries).toContainEqual(["redis-chain-image", "redis:7.0.15"]);
        const others = entries.filter(([name]) => name !== "redis-chain-image");
        expect(others.map(([, image]) => image).sort()).toEqual(["redis:7.2.4", VALKEY]);
        expect(others.find(([, image]) => image === VALKEY)![0]).toMatch(/^redis-chain-image-[0-9a-f]{8}$/);
        expect(others.find(([, image]) => image === "redis:7.2.4")![0]).toMatch(/^redis-chain-host2-image-[0-9a-f]{8}$/);
    });

    it("each container runs its own image's ID, the kind's server binary and healthcheck cli", () => {
        const idOf = (image: string) => {
            const reg = ofType(run.registrations, T.image).find((r) => r.inputs.name === image)!;
            return reg.name.endsWith("-image") ? "sha256:fake" : `sha256:fake-${reg.name}`;
        };
        expect(container(run, "redis-a").inputs.image).toBe(idOf("redis:7.0.15"));
        expect(container(run, "redis-a").inputs.command).toEqual(["redis-server", CONF]);
        expect(container(run, "redis-b").inputs.image).toBe(idOf("redis:7.2.4"));
        const c = container(run, "redis-c").inputs;
        expect(c.image).toBe(idOf(VALKEY));
        expect(c.image).not.toBe("sha256:fake");
        expect(c.command).toEqual(["valkey-server", CONF]);
        expect((c.healthcheck as { tests: string[] }).tests[1]).toMatch(/ valkey-cli --tls /);
    });

    it("the same image list in another node order gives the same resource names", async () => {
        const first = images().sort();
        const nodes = seedNodes().map((n) =>
            n.name === "redis-c"
                ? { ...n, image: VALKEY }
                : n.name === "redis-b"
                  ? { ...n, image: "redis:7.2.4", host: "host2", allowPlainAcrossHosts: true }
                  : { ...n, allowPlainOnNetwork: true },
        );
        const again = await runProgram({
            nodes: [...nodes].reverse(),
            image: "redis:7.0.15",
            hosts: { local: { address: "10.200.0.1" }, host2: { docker: "tcp://10.200.0.2:2376", address: "10.200.0.2", allowInsecureEngine: true } },
        });
        expect(ofType(again.registrations, T.image).map((r) => [r.name, r.inputs.name]).sort()).toEqual(first);
    });
});

describe("allowScripting true, maxmemoryMb 1024, maxmemoryPolicy allkeys-lru", TEST_TIMEOUT, () => {
    let run: ProgramRun;
    beforeAll(async () => {
        run = await runProgram({ nodes: seedNodes(), allowScripting: "true", maxmemoryMb: "1024", maxmemoryPolicy: "allkeys-lru" });
    }, SETUP_TIMEOUT);
    const seed = parseTopology(seedNodes());

    it("every node's users file gives the application user @scripting", () => {
        for (const node of ["redis-a", "redis-b", "redis-c"]) {
            const usersFile = uploadsOf(container(run, node)).find((u) => u.file === AUTH_CONF)!.content;
            expect(usersFile).toBe(renderNodeUsersFile(nodeByName(seed, node), FAKE_PASSWORDS, { allowScripting: true }));
            expect(usersFile.split("\n").find((l) => l.startsWith("user default "))).toContain(" +@scripting ");
        }
    });

    it("maxmemory, its policy and the container limits follow the config", () => {
        for (const node of ["redis-a", "redis-b", "redis-c"]) {
            const conf = uploadsOf(container(run, node))[0].content.split("\n");
            expect(conf).toEqual(expect.arrayContaining(["maxmemory 1024mb", "maxmemory-policy allkeys-lru"]));
        }
        expect(container(run, "redis-a").inputs.memory).toBe(2 * 1024 + 64 + 256 + 64);
        expect(container(run, "redis-c").inputs.memory).toBe(2 * 1024 + 64 + 64);
    });
});

describe("the rollout graph of the seed stack", TEST_TIMEOUT, () => {
    let rolling: ProgramRun;
    let parallel: ProgramRun;
    beforeAll(async () => {
        rolling = await runProgram({ nodes: seedNodes(), image: "redis:7.0.15" });
        parallel = await runProgram({ nodes: seedNodes(), image: "redis:7.0.15", rollout: "parallel" });
    }, SETUP_TIMEOUT);

    const urnOf = (run: ProgramRun, type: string, name: string) => findCreated(run.registrations, type, name).urn!;
    const dependencyNames = (run: ProgramRun, type: string, name: string) => {
        const byUrn = new Map(run.registrations.map((r) => [r.urn, r.name]));
        return findCreated(run.registrations, type, name).dependencies!.map((urn) => byUrn.get(urn) ?? urn).sort();
    };

    it("rolling: A's container waits for B's gate, B's for C's gate, C's for no gate", () => {
        const gates = (node: string) => dependencyNames(rolling, T.container, `redis-chain-${node}-container`).filter((n) => n.endsWith("-rollout"));
        expect([gates("redis-a"), gates("redis-b"), gates("redis-c")]).toEqual([["redis-chain-redis-b-rollout"], ["redis-chain-redis-c-rollout"], []]);
    });

    it("a gate takes nothing from any container: it polls its replica, so it runs while that container is replaced", () => {
        for (const gate of ["redis-chain-redis-b-rollout", "redis-chain-redis-c-rollout"]) {
            const deps = dependencyNames(rolling, T.gate, gate);
            expect(deps.filter((n) => n.endsWith("-container") || n.endsWith("-data"))).toEqual([]);
            expect(deps).toContain("redis-chain-server-releases");
        }
    });

    it("each gate: its replica's endpoints, declared release, CA, secret credentials, and a bound per node it waits through", () => {
        const c = findCreated(rolling.registrations, T.gate, "redis-chain-redis-c-rollout");
        expect(c.inputs.node.name).toBe("redis-c");
        expect(c.inputs.node.tls.url).toBe("rediss://127.0.0.1:26380");
        expect(c.inputs.release).toEqual({ kind: "redis", version: "7.0.15" });
        expect(c.inputs.caCertPem).toBe(fakeCert("redis-chain-ca-cert"));
        expect(c.rawInputs!.credentials).toEqual({ [SECRET_SIG_KEY]: SECRET_SIG, value: { username: "check", password: FAKE_PASSWORDS.check } });
        expect(c.inputs.timeoutMs).toBe(60_000);
        expect(findCreated(rolling.registrations, T.gate, "redis-chain-redis-b-rollout").inputs.timeoutMs).toBe(120_000);
    });

    it("every image, volume and container waits for the release guard, which holds each node's declared server", () => {
        const waiting = rolling.registrations.filter((r) => [T.image, T.volume, T.container].includes(r.type));
        expect(waiting).toHaveLength(7);
        const guard = urnOf(rolling, T.guard, "redis-chain-server-releases");
        for (const r of waiting) expect({ name: r.name, waits: r.dependencies!.includes(guard) }).toEqual({ name: r.name, waits: true });
        expect(findCreated(rolling.registrations, T.guard, "redis-chain-server-releases").inputs.nodes).toEqual(
            ["redis-a", "redis-b", "redis-c"].map((node) => ({
                node,
                field: "image",
                image: "redis:7.0.15",
                release: { kind: "redis", major: 7, minor: 0, patch: 15 },
            })),
        );
    });

    it("parallel: no gates, and no container waits for another node", () => {
        expect(ofType(parallel.registrations, T.gate)).toEqual([]);
        for (const node of ["redis-a", "redis-b", "redis-c"]) {
            expect(dependencyNames(parallel, T.container, `redis-chain-${node}-container`).filter((n) => n.endsWith("-rollout"))).toEqual([]);
        }
        expect(ofType(parallel.registrations, T.guard)).toHaveLength(1);
    });
});

describe("postDeployCheck false", TEST_TIMEOUT, () => {
    let run: ProgramRun;
    beforeAll(async () => {
        run = await runProgram({ nodes: seedNodes(), postDeployCheck: "false" });
    }, SETUP_TIMEOUT);

    it("registers no check resource, and still the whole chain", () => {
        expect(ofType(run.registrations, T.check)).toEqual([]);
        expect(ofType(run.registrations, T.container)).toHaveLength(3);
        expect(run.exported.checkElapsedMs).toBe("disabled");
    });
});

describe("a topology without TLS", TEST_TIMEOUT, () => {
    let run: ProgramRun;
    const nodes = [
        { name: "redis-a", plain: { hostPort: 6379 } },
        { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 16379 } },
    ];
    beforeAll(async () => {
        run = await runProgram({ nodes });
    }, SETUP_TIMEOUT);

    it("registers no tls:* resource and no CA or node certificate component", () => {
        expect(run.registrations.filter((r) => r.type.startsWith("tls:"))).toEqual([]);
        expect(ofType(run.registrations, T.ca)).toEqual([]);
        expect(ofType(run.registrations, T.nodeCert)).toEqual([]);
        expect(ofType(run.registrations, T.container)).toHaveLength(2);
    });

    it("uploads the config and the auth files, no TLS files, and exports an empty CA", () => {
        const topology = parseTopology(nodes);
        for (const node of ["redis-a", "redis-b"]) {
            const reg = container(run, node);
            expect(uploadsOf(reg).map((u) => u.file)).toEqual([CONF, AUTH_CONF, HEALTHCHECK_PASS]);
            expect(uploadsOf(reg)[0].content).toBe(renderRedisConf(nodeByName(topology, node)));
            expect(secretUploads(reg)).toEqual({ [CONF]: false, [AUTH_CONF]: true, [HEALTHCHECK_PASS]: true });
        }
        expect(run.exported.caCertPem).toBe("");
        expect(findCreated(run.registrations, T.check, "redis-chain-check").inputs.chain.caCertPem).toBe("");
    });
});

describe("auth false, restartPolicy on-failure", TEST_TIMEOUT, () => {
    let run: ProgramRun;
    beforeAll(async () => {
        run = await runProgram({ nodes: seedNodes(), auth: "false", restartPolicy: "on-failure" });
    }, SETUP_TIMEOUT);
    const seed = parseTopology(seedNodes());
    const authOff = { tuning: { disklessSyncDelaySeconds: 0, backlogSizeMb: 64 }, authEnabled: false, memory: DEFAULT_MEMORY };

    it("generates no password", () => {
        expect(ofType(run.registrations, T.passwords)).toEqual([]);
        expect(run.registrations.filter((r) => r.type.startsWith("random:"))).toEqual([]);
        expect(run.exported.password).toBeUndefined();
        expect(run.exported.adminPassword).toBeUndefined();
        expect(run.exported.checkPassword).toBeUndefined();
        // The check logs in as no one: `default` without a password.
        expect(findCreated(run.registrations, T.check, "redis-chain-check").rawInputs!.credentials).toEqual({
            [SECRET_SIG_KEY]: SECRET_SIG,
            value: {},
        });
    });

    it("redis-a uploads only its config, in the clear", () => {
        const uploads = container(run, "redis-a").inputs.uploads;
        expect(isSecretInput(uploads)).toBe(false);
        expect(uploads).toEqual([{ file: CONF, content: renderRedisConf(nodeByName(seed, "redis-a"), authOff), permissions: "0644" }]);
        expect(uploads[0].content).toContain("\nprotected-mode no\n");
    });

    it.each(["redis-b", "redis-c"])("%s uploads config, CA, certificate and key; only the key is secret", (node) => {
        const reg = container(run, node);
        expect(uploadsOf(reg).map((u) => [u.file, u.permissions])).toEqual([
            [CONF, "0644"],
            ["/data/tls/ca.crt", "0644"],
            ["/data/tls/redis.crt", "0644"],
            ["/data/tls/redis.key", "0600"],
        ]);
        expect(uploadsOf(reg)[0].content).toBe(renderRedisConf(nodeByName(seed, node), authOff));
        // The only secret in the list is the key, so the whole list arriving secret is the key's doing.
        expect(isSecretInput(reg.inputs.uploads)).toBe(true);
        expect(secretUploads(reg)).toEqual({ [CONF]: false, "/data/tls/ca.crt": false, "/data/tls/redis.crt": false, "/data/tls/redis.key": true });
    });

    it("healthchecks do not log in; the restart policy is on-failure", () => {
        expect(container(run, "redis-a").inputs.healthcheck.tests).toEqual(["CMD-SHELL", "redis-cli -p 6379 ping | grep -q PONG"]);
        for (const node of ["redis-a", "redis-b", "redis-c"]) expect(container(run, node).inputs.restart).toBe("on-failure");
    });

    it("no secret among the stack outputs", async () => {
        expect(await secretExports(run.program)).toEqual([]);
    });
});

describe("a node asking clients for certificates (mTLS)", TEST_TIMEOUT, () => {
    let run: ProgramRun;
    beforeAll(async () => {
        const nodes = seedNodes();
        nodes[2] = { ...nodes[2], tlsAuthClients: "yes" };
        run = await runProgram({ nodes });
    }, SETUP_TIMEOUT);

    it("issues one client certificate: client auth only, no SANs, signed by the chain's CA", () => {
        expect(findCreated(run.registrations, T.nodeCert, "redis-chain-client").parentUrn).toBe(
            findCreated(run.registrations, T.chain, "redis-chain").urn,
        );
        const csr = findCreated(run.registrations, T.csr, "redis-chain-client-csr").inputs;
        expect(csr.subject.commonName).toBe("redis-chain-client");
        expect(csr.dnsNames).toEqual([]);
        expect(csr.ipAddresses).toEqual([]);
        const signed = findCreated(run.registrations, T.signed, "redis-chain-client-cert").inputs;
        expect(signed.allowedUses).toContain("client_auth");
        expect(signed.allowedUses).not.toContain("server_auth");
        expect(signed.caCertPem).toBe(fakeCert("redis-chain-ca-cert"));
    });

    it("exports the client certificate, and its key only as a secret", async () => {
        expect(run.exported.clientCertPem).toBe(fakeCert("redis-chain-client-cert"));
        expect(run.exported.clientKeyPem).toBe(fakeKey("redis-chain-client-key"));
        expect(await secretExports(run.program)).toEqual(["adminPassword", "checkPassword", "clientKeyPem", "password"]);
        const { clientKeyPem: _key, ...others } = run.exported;
        expect(JSON.stringify(others)).not.toContain("PRIVATE KEY");
    });

    it("the check presents the client certificate; redis-c's healthcheck presents the node's", () => {
        const check = findCreated(run.registrations, T.check, "redis-chain-check");
        expect(check.rawInputs!.credentials).toEqual({
            [SECRET_SIG_KEY]: SECRET_SIG,
            value: {
                username: "check",
                password: FAKE_PASSWORDS.check,
                clientCertPem: fakeCert("redis-chain-client-cert"),
                clientKeyPem: fakeKey("redis-chain-client-key"),
            },
        });
        expect(container(run, "redis-c").inputs.healthcheck.tests[1]).toBe(
            `${AUTH_ENV} redis-cli --tls --cacert /data/tls/ca.crt --cert /data/tls/redis.crt --key /data/tls/redis.key -p 6380 ` +
                "--user healthcheck info replication | grep -q master_link_status:up",
        );
        // The healthcheck runs as root without DAC_OVERRIDE: group root must read the key it presents.
        const keyMode = (node: string) => uploadsOf(container(run, node)).find((u) => u.file === "/data/tls/redis.key")!.permissions;
        expect([keyMode("redis-b"), keyMode("redis-c")]).toEqual(["0600", "0640"]);
    });
});

describe("two Docker hosts: redis-c on host2 over TLS", TEST_TIMEOUT, () => {
    let run: ProgramRun;
    const HOST2_PEMS = { caCertPem: "engine-ca", certPem: "engine-cert", keyPem: "engine-key" };
    beforeAll(async () => {
        const nodes = seedNodes().map((n) => (n.name === "redis-c" ? { ...n, host: "host2" } : n));
        run = await runProgram({
            nodes,
            hosts: { local: { address: "10.200.0.1" }, host2: { docker: "tcp://10.200.0.2:2376", address: "10.200.0.2", ...HOST2_PEMS } },
        }, { secretKeys: ["redis-chain:hosts"] });
    }, SETUP_TIMEOUT);
    const providerRef = (run: ProgramRun) => {
        const provider = findCreated(run.registrations, T.dockerProvider, "redis-chain-host2-provider");
        return `${provider.urn}::${provider.name}-id`;
    };

    it("one provider for host2 with its engine URL and TLS material, the key secret", () => {
        expect(ofType(run.registrations, T.dockerProvider).map((r) => r.name)).toEqual(["redis-chain-host2-provider"]);
        const provider = findCreated(run.registrations, T.dockerProvider, "redis-chain-host2-provider");
        expect(provider.inputs.host).toBe("tcp://10.200.0.2:2376");
        expect(provider.inputs.caMaterial).toBe("engine-ca");
        expect(provider.inputs.certMaterial).toBe("engine-cert");
        expect(provider.rawInputs!.keyMaterial).toEqual({ [SECRET_SIG_KEY]: SECRET_SIG, value: "engine-key" });
    });

    it("an image and a network per host; host2's and redis-c's resources go through host2's provider", () => {
        expect(ofType(run.registrations, T.image).map((r) => [r.name, r.provider])).toEqual([
            ["redis-chain-image", undefined],
            ["redis-chain-host2-image", providerRef(run)],
        ]);
        expect(ofType(run.registrations, T.network).map((r) => [r.name, r.inputs.name, r.provider])).toEqual([
            ["redis-chain-network", "redis-chain", undefined],
            ["redis-chain-host2-network", "redis-chain", providerRef(run)],
        ]);
        expect(container(run, "redis-c").provider).toBe(providerRef(run));
        expect(findCreated(run.registrations, T.volume, "redis-chain-redis-c-data").provider).toBe(providerRef(run));
        for (const node of ["redis-a", "redis-b"]) expect(container(run, node).provider).toBeUndefined();
    });

    it("the cross-host link: B publishes its TLS listener on local's address, C on host2's, C's config dials B there", () => {
        expect(container(run, "redis-a").inputs.ports).toEqual([{ internal: 6379, external: 6379, ip: "127.0.0.1", protocol: "tcp" }]);
        // Only the listener C's link uses leaves loopback.
        expect(container(run, "redis-b").inputs.ports.map((p: { ip: string }) => p.ip)).toEqual(["127.0.0.1", "10.200.0.1"]);
        expect(container(run, "redis-c").inputs.ports).toEqual([{ internal: 6380, external: 26380, ip: "10.200.0.2", protocol: "tcp" }]);
        const conf = uploadsOf(container(run, "redis-c"))[0].content.split("\n");
        expect(conf).toEqual(expect.arrayContaining(["replicaof 10.200.0.1 16380", "replica-announce-ip 10.200.0.2", "replica-announce-port 26380"]));
    });

    it("certificates name the host addresses clients and peers dial", () => {
        expect(findCreated(run.registrations, T.csr, "redis-chain-redis-b-cert-csr").inputs.ipAddresses).toEqual(["127.0.0.1", "10.200.0.1"]);
        expect(findCreated(run.registrations, T.csr, "redis-chain-redis-c-cert-csr").inputs.ipAddresses).toEqual(["127.0.0.1", "10.200.0.2"]);
    });

    it("outputs: each node's host, and the check expects C's master at B's host address", () => {
        const nodes = run.exported.nodes as Record<string, { host: string; expectedMaster: unknown; tls: { url: string } | null }>;
        expect(Object.values(nodes).map((n) => n.host)).toEqual(["local", "local", "host2"]);
        expect(nodes["redis-c"].expectedMaster).toEqual({ host: "10.200.0.1", port: 16380 });
        expect(nodes["redis-c"].tls?.url).toBe("rediss://10.200.0.2:26380");
    });
});

describe("a prefixed stack published on a host address", TEST_TIMEOUT, () => {
    let run: ProgramRun;
    beforeAll(async () => {
        const nodes = seedNodes().map((n) => ({ ...n, allowPlainOnNetwork: true }));
        run = await runProgram({ nodes, namePrefix: "e2e-", publishAddress: "192.168.50.10" });
    }, SETUP_TIMEOUT);

    it("prefixes container, volume and network names, not aliases or hostnames", () => {
        for (const node of ["redis-a", "redis-b", "redis-c"]) {
            const inputs = container(run, node).inputs;
            expect(inputs.name).toBe(`e2e-${node}`);
            expect(inputs.hostname).toBe(node);
            expect(inputs.networksAdvanced).toEqual([{ name: "e2e-redis-chain", aliases: [node] }]);
            expect(inputs.volumes).toEqual([{ volumeName: `e2e-${node}-data`, containerPath: "/data" }]);
        }
        expect(findCreated(run.registrations, T.network, "redis-chain-network").inputs.name).toBe("e2e-redis-chain");
    });

    it("binds the ports to the publish address and puts it in the certificates", () => {
        expect(container(run, "redis-c").inputs.ports).toEqual([{ internal: 6380, external: 26380, ip: "192.168.50.10", protocol: "tcp" }]);
        const csr = findCreated(run.registrations, T.csr, "redis-chain-redis-c-cert-csr").inputs;
        expect(csr.dnsNames).toEqual(["e2e-redis-c", "redis-c", "localhost"]);
        expect(csr.ipAddresses).toEqual(["127.0.0.1", "192.168.50.10"]);
    });

    it("the uploaded configs name upstreams by alias", () => {
        const topology = parseTopology(seedNodes(), { namePrefix: "e2e-" });
        const conf = uploadsOf(container(run, "redis-c"))[0];
        expect(conf.content).toBe(renderRedisConf(nodeByName(topology, "redis-c")));
        expect(conf.content).toContain("\nreplicaof redis-b 6380\n");
    });

    it("outputs URLs on the publish address", () => {
        const nodes = run.exported.nodes as Record<string, { tls: { url: string } | null }>;
        expect(nodes["redis-c"].tls?.url).toBe("rediss://192.168.50.10:26380");
    });
});

describe("an invalid config", TEST_TIMEOUT, () => {
    it("an engine key the stack config holds in plain text makes the program throw before registering anything", async () => {
        const registrations = await installMocks();
        const hosts = { host2: { docker: "tcp://10.200.0.2:2376", address: "10.200.0.2", caCertPem: "ca", certPem: "cert", keyPem: "key" } };
        // Secret keys other than hosts do not count.
        setStackConfig({ nodes: seedNodes(), hosts }, ["redis-chain:nodes"]);
        vi.resetModules();
        const failure = await import("../../index").then(
            () => undefined,
            (error: unknown) => error,
        );
        expect(String(failure)).toContain("hosts.host2.keyPem: stored as plain text in the stack config; store it encrypted: pulumi config set --secret");
        await drainRpcs();
        expect(registrations).toEqual([]);
    });

    it("makes the program throw ConfigError before registering anything", async () => {
        const registrations = await installMocks();
        const nodes = [...seedNodes(), { name: "redis-d", replicaOf: "redis-x", link: "plain", plain: { hostPort: 36379 } }];
        setStackConfig({ nodes, image: "redis:latest" });
        vi.resetModules();
        const failure = await import("../../index").then(
            () => undefined,
            (error: unknown) => error,
        );
        // The class from the same (fresh) module graph the program used.
        const { ConfigError } = await import("../../lib/configError");
        expect(failure).toBeInstanceOf(ConfigError);
        expect((failure as Error).message).toBe(
            "invalid redis-chain config:\n" +
                '  - nodes[3] (redis-d).replicaOf: no node named "redis-x"; use one of redis-a, redis-b, redis-c, redis-d\n' +
                '  - image: "redis:latest" is not pinned; name a version tag (e.g. redis:8.6.7) or a digest',
        );
        await drainRpcs();
        expect(registrations).toEqual([]);
    });
});
