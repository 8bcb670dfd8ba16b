// The Prometheus side of the exporters: a `static_configs` entry per node (a stack output) and a
// scrape config file built from them. Targets are the exporters' published ports, as reached from
// the deploying machine.
import { clientHost } from "./connectionInfo";
import { Topology } from "./topology";
import { toYaml } from "./yamlText";

/** One entry of a Prometheus `static_configs` list. */
export interface StaticConfig {
    readonly targets: readonly string[];
    /** `chain` (the stack's network name) and `node`: the alert rules select series by them. */
    readonly labels: { readonly chain: string; readonly node: string };
}

/** Per node with an exporter, its `static_configs` entry. */
export function scrapeTargets(topology: Topology, chain: string): Record<string, StaticConfig> {
    return Object.fromEntries(
        topology.nodes
            .filter((node) => node.metrics)
            .map((node) => [node.name, { targets: [`${clientHost(node.metrics!.publishAddress)}:${node.metrics!.hostPort}`], labels: { chain, node: node.name } }]),
    );
}

/** Options of the rendered file. */
export interface ScrapeConfigOptions {
    /** Job name: the chain's name (its network name), unique per stack as Prometheus requires of jobs. */
    readonly chain: string;
    readonly scrapeIntervalSeconds: number;
}

/**
 * A file with one `scrape_configs` job, for Prometheus's `scrape_config_files` (or to paste into
 * prometheus.yml's own `scrape_configs`); empty job when no node has an exporter.
 */
export function renderScrapeConfig(targets: Record<string, StaticConfig>, options: ScrapeConfigOptions): string {
    const header = "# Rendered by redis-chain: the exporter of every node with metrics on.\n";
    return (
        header +
        toYaml({
            scrape_configs: [
                {
                    job_name: options.chain,
                    scrape_interval: `${options.scrapeIntervalSeconds}s`,
                    // An exporter waits for its node; a scrape shorter than the interval keeps targets apart.
                    scrape_timeout: `${Math.max(1, Math.min(10, options.scrapeIntervalSeconds))}s`,
                    static_configs: Object.values(targets).map((t) => ({ targets: t.targets, labels: { ...t.labels } })),
                },
            ],
        })
    );
}
