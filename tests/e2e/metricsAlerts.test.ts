// Metrics on the real engine: the seed chain with an exporter per node (the local stand-in for the
// official exporter image), the exporter's ACL user tested command by command, and a real Prometheus
// (the local image) loading the stack's scrape config and alert rules: stopping the middle node
// fires the link-down alert after its `for:` and starting it again resolves it.
// On the default image; on every server image under REDIS_CHAIN_MATRIX=1.
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALERTS } from "../../lib/alertRules";
import { EXPORTER_RULES } from "../../lib/aclUsers";
import { removeLeftovers } from "../../testkit/dockerObjects";
import { DeployedStack, PROJECT_DIR, deployStack, readStackConfig } from "../../testkit/harness/deployStack";
import { docker } from "../../testkit/harness/run";
import { sleep } from "../../testkit/sleep";
import { commandsAllowed, expectedAllowed } from "../../testkit/aclDryRun";
import { clientFor } from "../../testkit/redisClient";
import { testStack, withHostPorts } from "../../testkit/stacks";
import { LOCAL_IMAGES, suiteImages } from "../../testkit/testBed";
import { expectNothingLeft, exporterPassword, runVerify } from "./support";

/** The value of the first sample of `metric` whose labels contain `labels` (in exposition order). */
function sample(text: string, metric: string, labels = ""): number | undefined {
    const isMetric = (l: string) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `);
    const line = text.split("\n").find((l) => isMetric(l) && l.includes(labels));
    return line === undefined ? undefined : Number(line.split(" ").at(-1));
}

interface PromAlert {
    readonly labels: Record<string, string>;
    readonly state: "pending" | "firing";
}

/** Polls `fn` every 200 ms until it returns a value, or throws after `ms`. */
async function waitFor<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
        const value = await fn().catch(() => undefined);
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await sleep(200);
    }
}

const LINK_DOWN_SECONDS = 5;

describe.each(suiteImages())("metrics and alerts on the seed stack, $label ($image)", ({ image, key, portShift }) => {
    const PREFIX = `e2e-metrics-${key}-`;
    const CHAIN = `${PREFIX}redis-chain`;
    const PROMETHEUS = `${PREFIX}prometheus`;
    // This file's share of the host ports is 48700-48799: ten per image (portShift is 0 to 40).
    const BASE = 48700 + portShift;
    const EXPORTER_PORTS = { "redis-a": BASE + 5, "redis-b": BASE + 6, "redis-c": BASE + 7 };
    const PROMETHEUS_PORT = BASE + 8;
    const CONFIG = {
        ...withHostPorts(testStack(readStackConfig("dev"), PREFIX, 0), {
            "redis-a": { plain: BASE + 1 },
            "redis-b": { plain: BASE + 2, tls: BASE + 3 },
            "redis-c": { tls: BASE + 4 },
        }),
        image,
        metrics: "true",
        metricsExporterImage: LOCAL_IMAGES.redisExporter,
        metricsBaseHostPort: String(EXPORTER_PORTS["redis-a"]),
        metricsScrapeIntervalSeconds: "1",
        alerts: { linkDownSeconds: LINK_DOWN_SECONDS, exporterDownSeconds: LINK_DOWN_SECONDS },
    };

    let stack: DeployedStack;
    let configDir: string | undefined;

    beforeAll(async () => {
        await removeLeftovers(PREFIX);
        stack = await deployStack(CONFIG, (line) => console.log(`[deploy ${PREFIX}] ${line}`));
    }, 180_000);

    afterAll(async () => {
        await docker(["rm", "--force", "--volumes", PROMETHEUS]).catch(() => undefined);
        if (configDir) rmSync(configDir, { recursive: true, force: true });
        await stack?.destroy();
        await expectNothingLeft(PREFIX);
    }, 120_000);

    async function scrape(node: keyof typeof EXPORTER_PORTS): Promise<string> {
        const response = await fetch(`http://127.0.0.1:${EXPORTER_PORTS[node]}/metrics`);
        expect(response.status).toBe(200);
        return response.text();
    }

    async function prometheus(path: string): Promise<any> {
        const response = await fetch(`http://127.0.0.1:${PROMETHEUS_PORT}${path}`);
        const body = (await response.json()) as { status: string; data: any };
        if (body.status !== "success") throw new Error(`${path}: ${JSON.stringify(body)}`);
        return body.data;
    }

    async function linkDownAlerts(): Promise<PromAlert[]> {
        const data = await prometheus("/api/v1/alerts");
        return (data.alerts as PromAlert[]).filter((a) => a.labels.alertname === ALERTS.linkDown);
    }

    describe("an exporter per node", () => {
        it("publishes each exporter on its configured loopback port, as the stack's scrape targets say", async () => {
            expect(stack.outputs.metricsTargets).toEqual(
                Object.fromEntries(
                    Object.entries(EXPORTER_PORTS).map(([node, port]) => [node, { targets: [`127.0.0.1:${port}`], labels: { chain: CHAIN, node } }]),
                ),
            );
            const ports = await docker(["port", `${PREFIX}redis-a-exporter`]);
            expect(ports.trim()).toBe(`9121/tcp -> 127.0.0.1:${EXPORTER_PORTS["redis-a"]}`);
        });

        it("A: redis_up 1 and its connected replica", async () => {
            const text = await scrape("redis-a");
            expect(sample(text, "redis_up")).toBe(1);
            expect(sample(text, "redis_connected_slaves")).toBe(1);
            expect(sample(text, "redis_master_repl_offset")).toBeGreaterThan(0);
        });

        it("B: redis_up 1 and its link up to redis-a:6379", async () => {
            const text = await scrape("redis-b");
            expect(sample(text, "redis_up")).toBe(1);
            expect(sample(text, "redis_master_link_up", 'master_host="redis-a",master_port="6379"')).toBe(1);
        });

        it("C (TLS-only, reached through TLS): redis_up 1 and its link up to redis-b:6380", async () => {
            const text = await scrape("redis-c");
            expect(sample(text, "redis_up")).toBe(1);
            expect(sample(text, "redis_master_link_up", 'master_host="redis-b",master_port="6380"')).toBe(1);
            const command = JSON.parse(await docker(["inspect", "--format", "{{json .Config.Cmd}}", `${PREFIX}redis-c-exporter`]));
            expect(command).toContain("--redis.addr=rediss://redis-c:6380");
        });

        it("the exporter's password is on no command line and in no environment variable", async () => {
            const password = await exporterPassword(`${PREFIX}redis-b-exporter`);
            const config = await docker(["inspect", "--format", "{{json .Config}}", `${PREFIX}redis-b-exporter`]);
            expect(config).not.toContain(password);
        });
    });

    describe("the exporter's ACL user on the real engine", () => {
        it("allows exactly the commands of EXPORTER_RULES (ACL DRYRUN over every command of the server)", async () => {
            const admin = clientFor(stack.outputs, "redis-b", "plain", "probe", {}, "admin");
            try {
                const { allowed, tried } = await commandsAllowed(admin, "exporter");
                expect(tried).toBeGreaterThan(200);
                expect(allowed).toEqual(expectedAllowed(EXPORTER_RULES));
            } finally {
                admin.disconnect();
            }
        }, 60_000);

        it("logged in as exporter: INFO works; CONFIG GET masterauth, SLOWLOG GET, GET and KEYS are refused", async () => {
            const password = await exporterPassword(`${PREFIX}redis-b-exporter`);
            const cli = (...args: string[]) =>
                docker(["exec", "--env", `REDISCLI_AUTH=${password}`, `${PREFIX}redis-b`, "redis-cli", "--user", "exporter", "-p", "6379", ...args]);
            expect(await cli("info", "replication")).toContain("role:slave");
            for (const command of [["config", "get", "masterauth"], ["slowlog", "get", "1"], ["get", "k"], ["keys", "*"], ["acl", "list"]]) {
                expect(await cli(...command)).toMatch(/NOPERM/);
            }
        });
    });

    describe("npm run verify shows each link's lag", () => {
        it("prints lag in bytes and seconds since the last interaction per link", async () => {
            const { code, output } = await runVerify(stack.outputs, 10);
            console.log(`[verify]\n${output}`);
            expect(code).toBe(0);
            expect(output).toMatch(/^redis-a -> redis-b\s+up\s+\d+\s+\d+ s ago$/m);
            expect(output).toMatch(/^redis-b -> redis-c\s+up\s+\d+\s+\d+ s ago$/m);
        }, 60_000);

        it("--watch refreshes the table until interrupted", async () => {
            const dir = mkdtempSync(join(tmpdir(), "redis-chain-verify-"));
            try {
                const file = join(dir, "outputs.json");
                writeFileSync(file, JSON.stringify(stack.outputs), { mode: 0o600 });
                // tsx directly (not through npm) so SIGINT reaches the script itself.
                const child = spawn(join(PROJECT_DIR, "node_modules", ".bin", "tsx"), ["scripts/verify.ts", "--outputs-file", file, "--watch", "--interval", "1"], {
                    cwd: PROJECT_DIR,
                });
                let output = "";
                child.stdout.on("data", (d: Buffer) => (output += d.toString()));
                child.stderr.on("data", (d: Buffer) => (output += d.toString()));
                const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
                await waitFor("three lag tables", 30_000, async () => ((output.match(/^link\s+master_link/gm) ?? []).length >= 3 ? true : undefined));
                child.kill("SIGINT");
                expect(await exited).toBe(0);
                expect(output).toContain("Ctrl-C stops");
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        }, 60_000);
    });

    describe("a real Prometheus with the stack's scrape config and alert rules", () => {
        beforeAll(async () => {
            configDir = mkdtempSync(join(tmpdir(), "redis-chain-prometheus-"));
            chmodSync(configDir, 0o755);
            // The files exactly as the stack outputs them; only the intervals are the test's.
            writeFileSync(join(configDir, "scrape.yml"), stack.outputs.scrapeConfig, { mode: 0o644 });
            writeFileSync(join(configDir, "rules.yml"), stack.outputs.alertRules, { mode: 0o644 });
            writeFileSync(
                join(configDir, "prometheus.yml"),
                ["global:", "  scrape_interval: 1s", "  evaluation_interval: 1s", "scrape_config_files: [scrape.yml]", "rule_files: [rules.yml]", ""].join("\n"),
                { mode: 0o644 },
            );
            // Host networking: the targets are the exporters' loopback ports, as for a Prometheus on the deploying machine.
            await docker([
                "run", "--detach", "--name", PROMETHEUS, "--network", "host", "--volume", `${configDir}:/etc/redis-chain:ro`,
                LOCAL_IMAGES.prometheus, "--config.file=/etc/redis-chain/prometheus.yml", "--storage.tsdb.path=/prometheus",
                `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
            ]);
            await waitFor("three targets up", 30_000, async () => {
                const data = await prometheus(`/api/v1/query?query=${encodeURIComponent(`sum(up{job="${CHAIN}"})`)}`);
                return data.result[0]?.value[1] === "3" ? true : undefined;
            });
        }, 60_000);

        it("loads every rule of the stack's rules file", async () => {
            const data = await prometheus("/api/v1/rules");
            const rules = data.groups.flatMap((g: { rules: { name: string; health: string }[] }) => g.rules);
            expect(rules.map((r: { name: string }) => r.name)).toContain(ALERTS.linkDown);
            expect(rules).toHaveLength(14);
            expect(rules.every((r: { health: string }) => r.health !== "err")).toBe(true);
        });

        it("stopping B fires the link-down alert B -> C after its for, and starting B resolves it", async () => {
            // Healthy first: no link is down (give the rules a few evaluations).
            await sleep(3000);
            expect(await linkDownAlerts()).toEqual([]);

            const stopped = Date.now();
            await docker(["stop", "--time", "5", `${PREFIX}redis-b`]);
            const firing = await waitFor("the B -> C link-down alert firing", 60_000, async () => {
                const alert = (await linkDownAlerts()).find((a) => a.labels.link === "redis-b -> redis-c" && a.state === "firing");
                return alert && Date.now();
            });
            const firedAfter = (firing - stopped) / 1000;
            console.log(`[metrics] link redis-b -> redis-c: firing ${firedAfter.toFixed(1)} s after docker stop (for: ${LINK_DOWN_SECONDS}s)`);
            // Not before its for:, and within for: plus a scrape, an evaluation and the stop itself.
            expect(firedAfter).toBeGreaterThanOrEqual(LINK_DOWN_SECONDS);
            expect(firedAfter).toBeLessThan(LINK_DOWN_SECONDS + 10);
            // A -> B fires too once B's exporter stops reporting B's link, which can take it a scrape
            // or two longer than C's report of master_link_status:down.
            await waitFor("the A -> B link-down alert firing too", 30_000, async () => {
                const links = (await linkDownAlerts()).filter((a) => a.state === "firing").map((a) => a.labels.link).sort();
                return links.length === 2 ? links : undefined;
            });
            console.log(`[metrics] link redis-a -> redis-b: firing ${((Date.now() - stopped) / 1000).toFixed(1)} s after docker stop`);
            // What an operator sees meanwhile: verify fails and its lag table shows C's link down.
            const verify = await runVerify(stack.outputs, 2);
            console.log(`[verify while B is stopped]\n${verify.output}`);
            expect(verify.code).toBe(1);
            expect(verify.output).toMatch(/^redis-b -> redis-c\s+down\s+\?\s+down \d+ s$/m);

            const started = Date.now();
            await docker(["start", `${PREFIX}redis-b`]);
            await waitFor("no link-down alert", 60_000, async () => ((await linkDownAlerts()).length === 0 ? true : undefined));
            console.log(`[metrics] link-down alerts resolved ${((Date.now() - started) / 1000).toFixed(1)} s after docker start`);
        }, 150_000);
    });
});
