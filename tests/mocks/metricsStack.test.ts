// The program under Pulumi mocks with metrics on: an exporter container per node with the right
// image, command, network, loopback port and (secret) uploads, the exporter user (hashed) in the
// users file of every node with an exporter and of no other, and the metrics outputs free of secrets.
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { failOnUnhandledRejections, findCreated, ofType } from "../support/pulumiMocks";
import { ProgramRun, runProgram, secretUploads, uploadsOf } from "../support/programRun";
import { seedNodes } from "../support/seed";
import { AUTH_CONF_PATH } from "../../lib/containerPaths";

failOnUnhandledRejections();

const CONTAINER = "docker:index/container:Container";
const IMAGE = "docker:index/remoteImage:RemoteImage";
const PASSWORD = "random:index/randomPassword:RandomPassword";
// The mocks' RandomPassword result for `redis-chain-passwords-exporter` (support/pulumiMocks.ts).
const EXPORTER_PASSWORD = "pwredischainpasswordsexporter";

const usersFile = (run: ProgramRun, node: string) =>
    uploadsOf(findCreated(run.registrations, CONTAINER, `redis-chain-${node}-container`)).find((u) => u.file === AUTH_CONF_PATH)!.content;
const EXPORTER_USER_LINE = `user exporter reset on #${createHash("sha256").update(EXPORTER_PASSWORD).digest("hex")} resetchannels -@all +ping +info`;
const exporter = (run: ProgramRun, node: string) => findCreated(run.registrations, CONTAINER, `redis-chain-${node}-exporter-container`);

describe("the seed stack with metrics: true", { timeout: 15_000 }, () => {
    let run: ProgramRun;
    beforeAll(async () => {
        run = await runProgram({ nodes: seedNodes(), metrics: "true", metricsExporterImage: "oliver006/redis_exporter:v1.88.0" });
    }, 60_000);

    it("one exporter image and one exporter container per node, and the exporter's password", () => {
        expect(ofType(run.registrations, IMAGE).map((r) => [r.name, r.inputs.name, r.inputs.keepLocally])).toContainEqual([
            "redis-chain-exporter-image",
            "oliver006/redis_exporter:v1.88.0",
            true,
        ]);
        expect(ofType(run.registrations, CONTAINER).map((r) => r.name).filter((n) => n.includes("exporter")).sort()).toEqual([
            "redis-chain-redis-a-exporter-container",
            "redis-chain-redis-b-exporter-container",
            "redis-chain-redis-c-exporter-container",
        ]);
        expect(ofType(run.registrations, PASSWORD).map((r) => r.name)).toContain("redis-chain-passwords-exporter");
    });

    it.each([
        ["redis-a", 9121, "redis://redis-a:6379"],
        ["redis-b", 9122, "redis://redis-b:6379"],
        ["redis-c", 9123, "rediss://redis-c:6380"],
    ])("%s's exporter: container name, network, loopback port %i, dials %s", (node, port, addr) => {
        const reg = exporter(run, node);
        expect(reg.inputs.name).toBe(`${node}-exporter`);
        expect(reg.inputs.image).toBe("sha256:fake");
        expect(reg.inputs.networksAdvanced).toEqual([{ name: "redis-chain" }]);
        expect(reg.inputs.ports).toEqual([{ internal: 9121, external: port, ip: "127.0.0.1", protocol: "tcp" }]);
        expect(reg.inputs.command).toContain(`--redis.addr=${addr}`);
        expect(reg.inputs.command).toContain("--redis.user=exporter");
    });

    it("the password file is a secret upload; C's exporter also gets the CA (public)", () => {
        expect(secretUploads(exporter(run, "redis-a"))).toEqual({ "/redis-exporter/password.json": true });
        expect(secretUploads(exporter(run, "redis-c"))).toEqual({ "/redis-exporter/password.json": true, "/redis-exporter/ca.crt": false });
        const file = uploadsOf(exporter(run, "redis-c")).find((u) => u.file === "/redis-exporter/password.json")!;
        expect(JSON.parse(file.content)).toEqual({ "rediss://exporter@redis-c:6380": EXPORTER_PASSWORD });
    });

    it.each(["redis-a", "redis-b", "redis-c"])("%s's users file carries the exporter user, its password hashed", (node) => {
        expect(usersFile(run, node)).toContain(EXPORTER_USER_LINE);
        expect(usersFile(run, node)).not.toContain(EXPORTER_PASSWORD);
    });

    it("exports the targets, the scrape config and the rules; the exporter's password in none", () => {
        expect(Object.keys(run.exported.metricsTargets as object)).toEqual(["redis-a", "redis-b", "redis-c"]);
        expect(run.exported.scrapeConfig).toContain('job_name: "redis-chain"');
        expect(run.exported.alertRules).toContain("RedisChainLinkDown");
        expect(JSON.stringify(run.exported)).not.toContain(EXPORTER_PASSWORD);
    });
});

describe("a TLS-only node that asks for client certificates", { timeout: 15_000 }, () => {
    it("its exporter gets the chain's client certificate and key (the key secret)", async () => {
        const nodes = seedNodes().map((n) => (n.name === "redis-c" ? { ...n, tlsAuthClients: "yes" } : n));
        const run = await runProgram({ nodes, metrics: "true" });
        expect(secretUploads(exporter(run, "redis-c"))).toEqual({
            "/redis-exporter/password.json": true,
            "/redis-exporter/ca.crt": false,
            "/redis-exporter/client.crt": false,
            "/redis-exporter/client.key": true,
        });
    }, 60_000);
});

describe("metrics on, one node opting out", { timeout: 15_000 }, () => {
    it("the node without an exporter has no exporter user; the others have it", async () => {
        const nodes = seedNodes().map((n) => (n.name === "redis-b" ? { ...n, metrics: false } : n));
        const run = await runProgram({ nodes, metrics: "true" });
        expect(findCreated(run.registrations, CONTAINER, "redis-chain-redis-a-exporter-container")).toBeDefined();
        expect(run.registrations.map((r) => r.name)).not.toContain("redis-chain-redis-b-exporter-container");
        expect(usersFile(run, "redis-a")).toContain(EXPORTER_USER_LINE);
        expect(usersFile(run, "redis-c")).toContain(EXPORTER_USER_LINE);
        expect(usersFile(run, "redis-b")).not.toMatch(/^user exporter /m);
    }, 60_000);
});

describe("metrics off (the default)", { timeout: 15_000 }, () => {
    it("no exporter, no exporter image, no exporter password; empty targets", async () => {
        const run = await runProgram({ nodes: seedNodes() });
        const names = run.registrations.map((r) => r.name);
        expect(names.filter((n) => n.includes("exporter"))).toEqual([]);
        expect(run.exported.metricsTargets).toEqual({});
        for (const node of ["redis-a", "redis-b", "redis-c"]) expect(usersFile(run, node)).not.toMatch(/^user exporter /m);
    }, 60_000);
});
