// The Prometheus alert rules of one chain, rendered from its topology: every link and every
// upstream gets its own rule with what the stack declares for it (which master, how many
// replicas), so a replica following the wrong master or an upstream short of a replica is an
// alert, not a guess. Series are selected by the labels the rendered scrape config gives
// (`chain`, `node`); the metric names are redis_exporter's.
import { AlertThresholds } from "./configSchema";
import { NodeSpec, Topology } from "./topology";
import { toYaml } from "./yamlText";

/** What the rules need besides the topology. */
export interface AlertRuleOptions {
    /** The chain's name: the scrape job and the `chain` label. */
    readonly chain: string;
    readonly thresholds: AlertThresholds;
    /** The outage a replica must be able to ride out with a partial resync, s (replOutageSeconds). */
    readonly outageSeconds: number;
}

/** One Prometheus alerting rule. */
export interface AlertRule {
    readonly alert: string;
    readonly expr: string;
    /** A duration such as "30s"; absent means the rule fires on its first true evaluation. */
    readonly for?: string;
    readonly labels: Record<string, string>;
    readonly annotations: { readonly summary: string; readonly description: string };
}

/** The alert names, one per kind of rule. */
export const ALERTS = {
    linkDown: "RedisChainLinkDown",
    lagBytes: "RedisChainReplicaLagBytes",
    lagSeconds: "RedisChainReplicaLagSeconds",
    missingReplicas: "RedisChainMissingReplicas",
    fullResync: "RedisChainFullResync",
    backlogTooSmall: "RedisChainBacklogTooSmall",
    exporterDown: "RedisChainExporterDown",
    nodeDown: "RedisChainNodeDown",
} as const;

const seconds = (n: number) => `${n}s`;

/** Every rule of the chain: per link, per upstream, then the per-target ones. Only nodes with an exporter are watched. */
export function alertRules(topology: Topology, options: AlertRuleOptions): AlertRule[] {
    const watched = new Set(topology.nodes.filter((n) => n.metrics).map((n) => n.name));
    const t = options.thresholds;
    const sel = (node: string, extra = "") => `{chain=${JSON.stringify(options.chain)},node=${JSON.stringify(node)}${extra}}`;
    const rules: AlertRule[] = [];

    for (const replica of topology.nodes) {
        const link = replica.link;
        if (!link || !watched.has(replica.name)) continue;
        const name = `${link.upstream} -> ${replica.name}`;
        const labels = { severity: "critical", chain: options.chain, link: name, upstream: link.upstream, replica: replica.name };
        // master_host/master_port as INFO reports them: a replica following another master is down for this link.
        const linkSel = sel(replica.name, `,master_host=${JSON.stringify(link.target.host)},master_port="${link.target.port}"`);
        rules.push({
            alert: ALERTS.linkDown,
            // `or vector(0)`: a replica that is down, or no longer follows this upstream, reports no
            // such series; that is a link down too. One label set whatever the cause, so `for` holds.
            expr: `(max(redis_master_link_up${linkSel}) or vector(0)) < 1`,
            for: seconds(t.linkDownSeconds),
            labels,
            annotations: {
                summary: `Replication link ${name} is down`,
                description: `${replica.name} has not reported master_link_status:up from ${link.target.host}:${link.target.port} for ${t.linkDownSeconds} s.`,
            },
        });
        if (watched.has(link.upstream)) {
            rules.push({
                alert: ALERTS.lagBytes,
                expr: `max(redis_master_repl_offset${sel(link.upstream)}) - max(redis_slave_repl_offset${sel(replica.name)}) > ${t.lagBytes}`,
                for: seconds(t.lagForSeconds),
                labels: { ...labels, severity: "warning" },
                annotations: {
                    summary: `Replica ${replica.name} trails ${link.upstream} by more than ${t.lagBytes} bytes`,
                    description: `The replication offset of ${replica.name} has been more than ${t.lagBytes} bytes behind ${link.upstream}'s for ${t.lagForSeconds} s.`,
                },
            });
        }
        rules.push({
            alert: ALERTS.lagSeconds,
            expr: `max(redis_master_last_io_seconds_ago${sel(replica.name)}) > ${t.lagSeconds}`,
            for: seconds(t.lagForSeconds),
            labels: { ...labels, severity: "warning" },
            annotations: {
                summary: `Replica ${replica.name} has not heard from ${link.upstream} for over ${t.lagSeconds} s`,
                description: `master_last_io_seconds_ago on ${replica.name} stayed above ${t.lagSeconds} s for ${t.lagForSeconds} s; an idle upstream still pings every 10 s.`,
            },
        });
    }

    for (const upstream of topology.nodes) {
        if (upstream.replicas.length === 0 || !watched.has(upstream.name)) continue;
        rules.push(...upstreamRules(upstream, options, sel));
    }

    const chainSel = `{job=${JSON.stringify(options.chain)},chain=${JSON.stringify(options.chain)}}`;
    if (watched.size > 0) {
        rules.push(
            {
                alert: ALERTS.exporterDown,
                expr: `up${chainSel} == 0`,
                for: seconds(t.exporterDownSeconds),
                labels: { severity: "warning", chain: options.chain },
                annotations: {
                    summary: "The exporter of {{ $labels.node }} cannot be scraped",
                    description: `Prometheus has failed to scrape {{ $labels.instance }} for ${t.exporterDownSeconds} s; the node's figures are unknown.`,
                },
            },
            {
                alert: ALERTS.nodeDown,
                expr: `redis_up{chain=${JSON.stringify(options.chain)}} == 0`,
                for: seconds(t.exporterDownSeconds),
                labels: { severity: "critical", chain: options.chain },
                annotations: {
                    summary: "Redis node {{ $labels.node }} does not answer its exporter",
                    description: `The exporter of {{ $labels.node }} has reported redis_up 0 for ${t.exporterDownSeconds} s.`,
                },
            },
        );
    }
    return rules;
}

function upstreamRules(upstream: NodeSpec, options: AlertRuleOptions, sel: (node: string) => string): AlertRule[] {
    const t = options.thresholds;
    const declared = upstream.replicas.length;
    const labels = { chain: options.chain, upstream: upstream.name };
    const window = seconds(t.writeRateWindowSeconds);
    return [
        {
            alert: ALERTS.missingReplicas,
            expr: `max(redis_connected_slaves${sel(upstream.name)}) < ${declared}`,
            for: seconds(t.linkDownSeconds),
            labels: { ...labels, severity: "critical" },
            annotations: {
                summary: `${upstream.name} has fewer than its ${declared} declared replicas connected`,
                description: `${upstream.name} declares ${declared} replica(s) (${upstream.replicas.join(", ")}); fewer have been connected for ${t.linkDownSeconds} s.`,
            },
        },
        {
            alert: ALERTS.fullResync,
            // sync_full counts the full syncs this node served; increase() copes with its reset on restart.
            expr: `max(increase(redis_replica_resyncs_full${sel(upstream.name)}[${seconds(t.fullResyncWindowSeconds)}])) > 0`,
            labels: { ...labels, severity: "warning" },
            annotations: {
                summary: `${upstream.name} served a full resync`,
                description: `A replica of ${upstream.name} needed a full resync within the last ${t.fullResyncWindowSeconds} s: it fell behind the backlog, or lost its replication ID.`,
            },
        },
        {
            alert: ALERTS.backlogTooSmall,
            expr:
                `max(redis_replication_backlog_bytes${sel(upstream.name)}) < ` +
                `max(rate(redis_master_repl_offset${sel(upstream.name)}[${window}])) * ${options.outageSeconds}`,
            for: seconds(t.lagForSeconds),
            labels: { ...labels, severity: "warning" },
            annotations: {
                summary: `The backlog of ${upstream.name} covers less than ${options.outageSeconds} s of writes`,
                description: `At the write rate of the last ${t.writeRateWindowSeconds} s, a replica of ${upstream.name} down for ${options.outageSeconds} s would need a full resync; raise replBacklogSizeMb or set replWriteRateMbPerSecond.`,
            },
        },
    ];
}

/** The rules file Prometheus loads (`rule_files`): one group per chain. */
export function renderAlertRules(topology: Topology, options: AlertRuleOptions): string {
    const rules = alertRules(topology, options);
    return (
        "# Rendered by redis-chain from the topology; thresholds from redis-chain:alerts.\n" +
        toYaml({ groups: [{ name: `redis-chain-${options.chain}`, rules: rules.map((r) => ({ ...r, labels: { ...r.labels }, annotations: { ...r.annotations } })) }] })
    );
}
