// The rendered alert rules under promtool (from the local Prometheus image): `check rules`, and
// `test rules` with synthetic series of the seed chain for each rule: silent while the chain is
// healthy, firing on its fault once its `for:` has passed, not before. Needs Docker.
import { describe, expect, it } from "vitest";
import { ALERTS, AlertRule, alertRules, renderAlertRules } from "../../lib/alertRules";
import { CONFIG_DEFAULTS } from "../../lib/configSchema";
import { parseTopology } from "../../lib/parseTopology";
import { toYaml } from "../../lib/yamlText";
import { promtool } from "../../testkit/promtool";
import { seedNodes } from "../support/seed";

const CHAIN = "redis-chain";
const topology = parseTopology(seedNodes(), { metrics: { enabled: true, baseHostPort: 9121 } });
const OPTIONS = { chain: CHAIN, thresholds: CONFIG_DEFAULTS.alerts, outageSeconds: 60 };
const RULES = renderAlertRules(topology, OPTIONS);
const rules = alertRules(topology, OPTIONS);
const MIB = 1024 * 1024;

// Series as the rendered scrape config labels them; values in promtool's expanding notation, one
// sample per 15 s. The healthy chain: links up to the declared masters, offsets moving together at
// 1 KiB per sample, a 64 MiB backlog, one full sync each long ago.
type Series = Record<string, string>;
const node = (name: string, extra = "") => `{chain="${CHAIN}",node="${name}"${extra}}`;
const target = (name: string, port: number) => `{job="${CHAIN}",chain="${CHAIN}",node="${name}",instance="127.0.0.1:${port}"}`;
const LINK_B = node("redis-b", ',master_host="redis-a",master_port="6379"');
const LINK_C = node("redis-c", ',master_host="redis-b",master_port="6380"');
const HEALTHY: Series = {
    [`redis_master_link_up${LINK_B}`]: "1x60",
    [`redis_master_link_up${LINK_C}`]: "1x60",
    [`redis_master_repl_offset${node("redis-a")}`]: "1000+1024x60",
    [`redis_master_repl_offset${node("redis-b")}`]: "1000+1024x60",
    [`redis_master_repl_offset${node("redis-c")}`]: "1000+1024x60",
    [`redis_slave_repl_offset${LINK_B}`]: "1000+1024x60",
    [`redis_slave_repl_offset${LINK_C}`]: "1000+1024x60",
    [`redis_master_last_io_seconds_ago${LINK_B}`]: "1x60",
    [`redis_master_last_io_seconds_ago${LINK_C}`]: "1x60",
    [`redis_connected_slaves${node("redis-a")}`]: "1x60",
    [`redis_connected_slaves${node("redis-b")}`]: "1x60",
    [`redis_replica_resyncs_full${node("redis-a")}`]: "1x60",
    [`redis_replica_resyncs_full${node("redis-b")}`]: "1x60",
    [`redis_replication_backlog_bytes${node("redis-a")}`]: `${64 * MIB}x60`,
    [`redis_replication_backlog_bytes${node("redis-b")}`]: `${64 * MIB}x60`,
    [`up${target("redis-a", 9121)}`]: "1x60",
    [`up${target("redis-b", 9122)}`]: "1x60",
    [`up${target("redis-c", 9123)}`]: "1x60",
    [`redis_up${node("redis-a")}`]: "1x60",
    [`redis_up${node("redis-b")}`]: "1x60",
    [`redis_up${node("redis-c")}`]: "1x60",
};

/** The rule of `alert` whose labels include `match` (a link's or an upstream's rule). */
function rule(alert: string, match: Record<string, string>): AlertRule {
    const found = rules.filter((r) => r.alert === alert && Object.entries(match).every(([k, v]) => r.labels[k] === v));
    if (found.length !== 1) throw new Error(`${found.length} rules ${alert} match ${JSON.stringify(match)}`);
    return found[0];
}

/** The alert promtool should report for `r`, its templates filled from the series' labels. */
function firing(r: AlertRule, seriesLabels: Record<string, string> = {}) {
    const fill = (text: string) => text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, key: string) => seriesLabels[key] ?? "");
    return {
        exp_labels: { ...seriesLabels, ...r.labels },
        exp_annotations: { summary: fill(r.annotations.summary), description: fill(r.annotations.description) },
    };
}

interface Case {
    /** What the case shows. */
    readonly name: string;
    /** Series replaced (or added) on top of HEALTHY. */
    readonly series: Series;
    readonly evalTime: string;
    /** Per alert name, the alerts that must be firing then (every other alert name: none). */
    readonly expect: Record<string, ReturnType<typeof firing>[]>;
}

const LINK_AB = { link: "redis-a -> redis-b" };
const LINK_BC = { link: "redis-b -> redis-c" };
const CASES: Case[] = [
    { name: "a healthy chain fires nothing", series: {}, evalTime: "14m", expect: {} },
    {
        name: "link B -> C down (master_link_up 0 since 60 s): not yet after 15 s of its 30 s for",
        series: { [`redis_master_link_up${LINK_C}`]: "1x3 0x56" },
        evalTime: "75s",
        expect: {},
    },
    {
        name: "link B -> C down: fires after its for",
        series: { [`redis_master_link_up${LINK_C}`]: "1x3 0x56" },
        evalTime: "2m",
        expect: { [ALERTS.linkDown]: [firing(rule(ALERTS.linkDown, LINK_BC))] },
    },
    {
        name: "link A -> B down because B reports no link at all (B stopped), and B's own figures stop",
        series: {
            // A failed node's exporter stops reporting its link: Prometheus marks the series stale.
            [`redis_master_link_up${LINK_B}`]: "1x3 stale",
            [`redis_up${node("redis-b")}`]: "1x3 0x56",
            [`redis_master_link_up${LINK_C}`]: "1x3 0x56",
        },
        evalTime: "2m",
        expect: {
            [ALERTS.linkDown]: [firing(rule(ALERTS.linkDown, LINK_AB)), firing(rule(ALERTS.linkDown, LINK_BC))],
            [ALERTS.nodeDown]: [firing(rules.find((r) => r.alert === ALERTS.nodeDown)!, { chain: CHAIN, node: "redis-b" })],
        },
    },
    {
        name: "C follows another master: the link B -> C is down",
        series: {
            [`redis_master_link_up${LINK_C}`]: "1x3 stale",
            [`redis_master_link_up${node("redis-c", ',master_host="redis-a",master_port="6379"')}`]: "_x3 1x56",
        },
        evalTime: "2m",
        expect: { [ALERTS.linkDown]: [firing(rule(ALERTS.linkDown, LINK_BC))] },
    },
    {
        name: "B trails A by 32 MiB for over 60 s",
        series: { [`redis_slave_repl_offset${LINK_B}`]: `1000+1024x3 ${1000 + 4 * 1024 - 32 * MIB}+1024x56` },
        evalTime: "3m",
        expect: { [ALERTS.lagBytes]: [firing(rule(ALERTS.lagBytes, LINK_AB))] },
    },
    {
        name: "C has not heard from B for 45 s, for over 60 s",
        series: { [`redis_master_last_io_seconds_ago${LINK_C}`]: "1x3 45x56" },
        evalTime: "3m",
        expect: { [ALERTS.lagSeconds]: [firing(rule(ALERTS.lagSeconds, LINK_BC))] },
    },
    {
        name: "A has 0 of its 1 declared replicas connected",
        series: { [`redis_connected_slaves${node("redis-a")}`]: "1x3 0x56" },
        evalTime: "2m",
        expect: { [ALERTS.missingReplicas]: [firing(rule(ALERTS.missingReplicas, { upstream: "redis-a" }))] },
    },
    {
        name: "B served a full resync",
        series: { [`redis_replica_resyncs_full${node("redis-b")}`]: "1x3 2x56" },
        evalTime: "2m",
        expect: { [ALERTS.fullResync]: [firing(rule(ALERTS.fullResync, { upstream: "redis-b" }))] },
    },
    {
        name: "B served a full resync after a restart reset its counter",
        series: { [`redis_replica_resyncs_full${node("redis-b")}`]: "3x3 0 1x55" },
        evalTime: "2m",
        expect: { [ALERTS.fullResync]: [firing(rule(ALERTS.fullResync, { upstream: "redis-b" }))] },
    },
    {
        name: "A writes 2 MiB/s, so 60 s of outage need 120 MiB: over its 64 MiB backlog",
        // Every offset of the chain moves at that rate: the replicas keep up, only B's backlog is also short.
        series: Object.fromEntries(
            Object.keys(HEALTHY)
                .filter((s) => s.startsWith("redis_master_repl_offset") || s.startsWith("redis_slave_repl_offset"))
                .map((s) => [s, `0+${30 * MIB}x60`]),
        ),
        evalTime: "8m",
        expect: {
            [ALERTS.backlogTooSmall]: [
                firing(rule(ALERTS.backlogTooSmall, { upstream: "redis-a" })),
                firing(rule(ALERTS.backlogTooSmall, { upstream: "redis-b" })),
            ],
        },
    },
    {
        name: "C's exporter cannot be scraped",
        series: { [`up${target("redis-c", 9123)}`]: "1x3 0x56" },
        evalTime: "2m",
        expect: {
            [ALERTS.exporterDown]: [
                firing(rules.find((r) => r.alert === ALERTS.exporterDown)!, { job: CHAIN, chain: CHAIN, node: "redis-c", instance: "127.0.0.1:9123" }),
            ],
        },
    },
];

function testFile(cases: readonly Case[]): string {
    return toYaml({
        rule_files: ["rules.yml"],
        evaluation_interval: "15s",
        tests: cases.map((c) => ({
            name: c.name,
            interval: "15s",
            input_series: Object.entries({ ...HEALTHY, ...c.series }).map(([series, values]) => ({ series, values })),
            alert_rule_test: Object.values(ALERTS).map((alertname) => ({ eval_time: c.evalTime, alertname, exp_alerts: c.expect[alertname] ?? [] })),
        })),
    });
}

describe("alert rules under promtool", () => {
    it("the rules cover every alert kind for the seed chain", () => {
        expect(new Set(rules.map((r) => r.alert))).toEqual(new Set(Object.values(ALERTS)));
        // Two links, two upstreams: 3 rules per link (lag bytes needs a watched upstream), 3 per upstream, 2 for the targets.
        expect(rules).toHaveLength(2 * 3 + 2 * 3 + 2);
    });

    it("promtool check rules accepts the rendered file", async () => {
        const result = await promtool({ "rules.yml": RULES }, ["check", "rules", "rules.yml"]);
        expect(result.output).toContain("SUCCESS: 14 rules found");
        expect(result.code).toBe(0);
    }, 60_000);

    it("promtool test rules: each rule silent on a healthy chain and firing on its fault", async () => {
        const result = await promtool({ "rules.yml": RULES, "tests.yml": testFile(CASES) }, ["test", "rules", "tests.yml"]);
        expect(result.output).toContain("SUCCESS");
        expect(result.code, result.output).toBe(0);
    }, 60_000);

    it("promtool test rules fails when an expectation is wrong (the test above can fail)", async () => {
        const wrong: Case = { ...CASES[2], name: "expects the link down before its for", evalTime: "75s" };
        const result = await promtool({ "rules.yml": RULES, "tests.yml": testFile([wrong]) }, ["test", "rules", "tests.yml"]);
        expect(result.code).not.toBe(0);
        expect(result.output).toContain("FAILED");
    }, 60_000);
});
