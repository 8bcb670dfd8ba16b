// The metrics stack outputs, from the validated settings alone: scrape targets, the scrape config
// file and the alert rules file. The chain's name is its network name, unique per stack on a host.
import { AlertRuleOptions, renderAlertRules } from "./alertRules";
import { StaticConfig, renderScrapeConfig, scrapeTargets } from "./scrapeConfig";
import { StackSettings } from "./stackSettings";

/** What index.ts exports for Prometheus. */
export interface ChainMetricsOutputs {
    readonly metricsTargets: Record<string, StaticConfig>;
    readonly scrapeConfig: string;
    readonly alertRules: string;
}

export function chainMetricsOutputs(settings: Pick<StackSettings, "topology" | "networkName" | "metrics">): ChainMetricsOutputs {
    const chain = settings.networkName;
    const metricsTargets = scrapeTargets(settings.topology, chain);
    const options: AlertRuleOptions = { chain, thresholds: settings.metrics.alerts, outageSeconds: settings.metrics.outageSeconds };
    return {
        metricsTargets,
        scrapeConfig: renderScrapeConfig(metricsTargets, { chain, scrapeIntervalSeconds: settings.metrics.scrapeIntervalSeconds }),
        alertRules: renderAlertRules(settings.topology, options),
    };
}
