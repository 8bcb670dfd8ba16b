// Reads the stack config, deploys the chain, and exports what clients need to connect.
import * as pulumi from "@pulumi/pulumi";
import { RedisChain } from "./components/redisChain";
import { parseStackSettings } from "./lib/stackSettings";

const config = new pulumi.Config("redis-chain");
// Validation throws before any resource is registered, so bad config creates nothing.
const settings = parseStackSettings({
    nodes: config.getObject<unknown>("nodes"),
    hosts: config.getObject<unknown>("hosts"),
    image: config.get("image"),
    namePrefix: config.get("namePrefix"),
    networkName: config.get("networkName"),
    publishAddress: config.get("publishAddress"),
    postDeployCheck: config.get("postDeployCheck"),
    checkTimeoutSeconds: config.get("checkTimeoutSeconds"),
    replDisklessSyncDelaySeconds: config.get("replDisklessSyncDelaySeconds"),
    replBacklogSizeMb: config.get("replBacklogSizeMb"),
    replWriteRateMbPerSecond: config.get("replWriteRateMbPerSecond"),
    replOutageSeconds: config.get("replOutageSeconds"),
    auth: config.get("auth"),
    restartPolicy: config.get("restartPolicy"),
});

const chain = new RedisChain("redis-chain", settings);

/** Per node: role, upstream, link, published endpoints and URLs. */
export const nodes = chain.nodes;
/** The CA certificate TLS clients verify nodes with (`redis-cli --cacert`, ioredis `tls.ca`). */
export const caCertPem = chain.caCertPem;
/** The clients' password (the `default` user), secret; absent with auth switched off. */
export const password = chain.password;
/** Client certificate and key (secret) for nodes with tlsAuthClients yes|optional. */
export const clientCertPem = chain.clientCertPem;
export const clientKeyPem = chain.clientKeyPem;
export const networkName = chain.networkName;
export const containerIds = chain.containerIds;
/** How long the post-deploy check took, or "disabled". */
export const checkElapsedMs = chain.check ? chain.check.elapsedMs : "disabled";
