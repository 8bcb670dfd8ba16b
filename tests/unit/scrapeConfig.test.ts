import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { alertRules, renderAlertRules } from "../../lib/alertRules";
import { CONFIG_DEFAULTS } from "../../lib/configSchema";
import { chainMetricsOutputs } from "../../lib/metricsOutputs";
import { parseStackSettings } from "../../lib/stackSettings";
import { toYaml } from "../../lib/yamlText";
import { seedNodes } from "../support/seed";

describe("toYaml", () => {
    it.each([
        [{ a: 1, b: "x: {y} # z", c: true }, 'a: 1\nb: "x: {y} # z"\nc: true\n'],
        [{ list: [1, "two"], empty: [], none: {} }, 'list:\n  - 1\n  - "two"\nempty: []\nnone: {}\n'],
        [{ items: [{ a: 1, b: [2] }] }, "items:\n  - a: 1\n    b:\n      - 2\n"],
        [{ "needs quotes": 1, skipped: undefined }, '"needs quotes": 1\n'],
    ])("renders %j", (value, text) => {
        expect(toYaml(value as never)).toBe(text);
        expect(parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
    });
});

describe("metrics outputs", () => {
    const settings = parseStackSettings({ nodes: seedNodes(), metrics: "true", namePrefix: "p-", metricsScrapeIntervalSeconds: "5" });

    it("a static_configs entry per node, labelled with the chain and the node", () => {
        expect(chainMetricsOutputs(settings).metricsTargets).toEqual({
            "redis-a": { targets: ["127.0.0.1:9121"], labels: { chain: "p-redis-chain", node: "redis-a" } },
            "redis-b": { targets: ["127.0.0.1:9122"], labels: { chain: "p-redis-chain", node: "redis-b" } },
            "redis-c": { targets: ["127.0.0.1:9123"], labels: { chain: "p-redis-chain", node: "redis-c" } },
        });
    });

    it("the scrape config file: one job named after the chain, with those targets", () => {
        expect(parse(chainMetricsOutputs(settings).scrapeConfig)).toEqual({
            scrape_configs: [
                {
                    job_name: "p-redis-chain",
                    scrape_interval: "5s",
                    scrape_timeout: "5s",
                    static_configs: ["redis-a", "redis-b", "redis-c"].map((node, i) => ({
                        targets: [`127.0.0.1:${9121 + i}`],
                        labels: { chain: "p-redis-chain", node },
                    })),
                },
            ],
        });
    });

    it("no exporter, no target and no rule", () => {
        const off = chainMetricsOutputs(parseStackSettings({ nodes: seedNodes() }));
        expect(off.metricsTargets).toEqual({});
        expect(parse(off.alertRules)).toEqual({ groups: [{ name: "redis-chain-redis-chain", rules: [] }] });
    });

    it("thresholds from redis-chain:alerts reach the rules; the rest keep their defaults", () => {
        const tuned = parseStackSettings({ nodes: seedNodes(), metrics: "true", alerts: '{"linkDownSeconds": 5, "lagBytes": 1000}' });
        expect(tuned.metrics.alerts).toEqual({ ...CONFIG_DEFAULTS.alerts, linkDownSeconds: 5, lagBytes: 1000 });
        const rules = alertRules(tuned.topology, { chain: "c", thresholds: tuned.metrics.alerts, outageSeconds: 60 });
        expect(rules.filter((r) => r.alert === "RedisChainLinkDown").map((r) => r.for)).toEqual(["5s", "5s"]);
        expect(rules.find((r) => r.alert === "RedisChainReplicaLagBytes")!.expr).toMatch(/ > 1000$/);
    });

    it("the backlog rule uses replOutageSeconds when given", () => {
        const sized = parseStackSettings({ nodes: seedNodes(), metrics: "true", replWriteRateMbPerSecond: "2", replOutageSeconds: "120" });
        expect(sized.metrics.outageSeconds).toBe(120);
        expect(chainMetricsOutputs(sized).alertRules).toContain("[300s])) * 120");
    });

    it("each link's rule names the master INFO must report for it", () => {
        const rules = parse(renderAlertRules(settings.topology, { chain: "x", thresholds: CONFIG_DEFAULTS.alerts, outageSeconds: 60 })).groups[0].rules;
        const linkDown = rules.filter((r: { alert: string }) => r.alert === "RedisChainLinkDown").map((r: { expr: string }) => r.expr);
        expect(linkDown).toEqual([
            '(max(redis_master_link_up{chain="x",node="redis-b",master_host="redis-a",master_port="6379"}) or vector(0)) < 1',
            '(max(redis_master_link_up{chain="x",node="redis-c",master_host="redis-b",master_port="6380"}) or vector(0)) < 1',
        ]);
    });

    it.each([
        ['{"linkDownSeconds": 0}', "alerts.linkDownSeconds"],
        ['{"lagbytes": 5}', "alerts.lagbytes: unknown field"],
        ["[1]", "alerts: expected an object of thresholds"],
    ])("refuses alerts %s", (alerts, problem) => {
        expect(() => parseStackSettings({ nodes: seedNodes(), alerts })).toThrow(problem);
    });
});
