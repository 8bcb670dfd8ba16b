// Reads the stack config, deploys the chain, and exports what clients need to connect.
import * as pulumi from "@pulumi/pulumi";
import { isConfigSecret } from "./components/configSecrets";
import { RedisChain } from "./components/redisChain";
import { STACK_CONFIG_KEYS } from "./lib/configSchema";
import { chainMetricsOutputs } from "./lib/metricsOutputs";
import { StackOutputs } from "./lib/stackOutputs";
import { parseStackSettings } from "./lib/stackSettings";

const config = new pulumi.Config("redis-chain");
// Every key as the string Pulumi stores; the schema parses object-valued keys (nodes, hosts) itself.
// Validation throws before any resource is registered, so bad config creates nothing.
const settings = parseStackSettings(Object.fromEntries(STACK_CONFIG_KEYS.map((key) => [key, config.get(key)])), {
    secretKeys: STACK_CONFIG_KEYS.filter((key) => isConfigSecret(`redis-chain:${key}`)),
});

const chain = new RedisChain("redis-chain", settings);
const metrics = chainMetricsOutputs(settings);

/** A stack output as the program holds it: the value, or an Output of it, per entry for maps. */
type ProgramOutputs<T> = {
    [K in keyof T]: pulumi.Input<T[K]> | (T[K] extends Record<string, infer V> ? Record<string, pulumi.Input<V>> : never);
};

// Checked against StackOutputs, which the check and `npm run verify` read the outputs back with.
const outputs = {
    nodes: chain.connectionInfo,
    caCertPem: chain.caCertPem,
    password: chain.password,
    adminPassword: chain.adminPassword,
    checkPassword: chain.checkPassword,
    clientCertPem: chain.clientCertPem,
    clientKeyPem: chain.clientKeyPem,
    networkName: settings.networkName,
    containerIds: chain.containerIds,
    checkElapsedMs: chain.check ? chain.check.elapsedMs : "disabled",
    metricsTargets: metrics.metricsTargets,
    scrapeConfig: metrics.scrapeConfig,
    alertRules: metrics.alertRules,
    failover: chain.failover,
    sentinelPassword: chain.sentinelPassword,
} satisfies ProgramOutputs<StackOutputs>;

export const {
    nodes,
    caCertPem,
    password,
    adminPassword,
    checkPassword,
    clientCertPem,
    clientKeyPem,
    networkName,
    containerIds,
    checkElapsedMs,
    metricsTargets,
    scrapeConfig,
    alertRules,
    failover,
    sentinelPassword,
} = outputs;
