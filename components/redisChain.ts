import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ChainConnectionInfo, NodeConnectionInfo, nodeConnectionInfo } from "../lib/connectionInfo";
import { DEFAULT_TUNING, ReplicationTuning, renderRedisConf } from "../lib/redisConf";
import { Topology } from "../lib/topology";
import { CertificateAuthority } from "./certificateAuthority";
import { NodeCertificate } from "./nodeCertificate";
import { RedisNode } from "./redisNode";
import { ReplicationCheck } from "./replicationCheck";

/** Arguments of a whole replication topology on one Docker engine. */
export interface RedisChainArgs {
    /** The validated topology (from `parseTopology`). */
    readonly topology: Topology;
    /** Redis image reference; resolved locally first, pulled only when missing. */
    readonly image: string;
    /** Name of the Docker network the nodes share. */
    readonly networkName: string;
    /** Host address published ports bind to; 127.0.0.1 keeps Redis off the network. */
    readonly publishAddress: string;
    /** Replication settings written into every redis.conf. */
    readonly tuning?: ReplicationTuning;
    /** Run the post-deploy replication check; default true. */
    readonly checkEnabled?: boolean;
    /** Bound for the check's wait for links, in ms; default 60 s. */
    readonly checkTimeoutMs?: number;
}

/** Network, PKI, one RedisNode per node, and the post-deploy check. */
export class RedisChain extends pulumi.ComponentResource {
    /** Connection info per node name. */
    readonly nodes: Record<string, NodeConnectionInfo>;
    /** PEM of the CA clients use to verify TLS listeners; empty without TLS. */
    readonly caCertPem: pulumi.Output<string>;
    readonly networkName: pulumi.Output<string>;
    /** Container IDs per node name. */
    readonly containerIds: Record<string, pulumi.Output<string>>;
    /** The check's outputs, or undefined when the check is switched off. */
    readonly check?: ReplicationCheck;

    constructor(name: string, args: RedisChainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redis-chain:index:RedisChain", name, {}, opts);
        const { topology } = args;
        const child = { parent: this };

        const image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, child);
        const network = new docker.Network(
            `${name}-network`,
            { name: args.networkName, labels: [{ label: "redis-chain.network", value: name }] },
            child,
        );
        const ca = topology.nodes.some((n) => n.speaksTls) ? new CertificateAuthority(`${name}-ca`, {}, child) : undefined;

        this.nodes = {};
        this.containerIds = {};
        for (const node of topology.nodes) {
            const cert = ca && node.speaksTls ? this.nodeCertificate(name, node.name, node.containerName, ca, args) : undefined;
            const redisNode = new RedisNode(
                `${name}-${node.name}`,
                {
                    node,
                    redisConf: renderRedisConf(node, topology, args.tuning ?? DEFAULT_TUNING),
                    image: image.imageId,
                    networkName: network.name,
                    publishAddress: args.publishAddress,
                    tls: cert && ca ? { certPem: cert.certPem, privateKeyPem: cert.privateKeyPem, caCertPem: ca.certPem } : undefined,
                },
                child,
            );
            this.nodes[node.name] = nodeConnectionInfo(node, topology, args.publishAddress);
            this.containerIds[node.name] = redisNode.containerId;
        }
        this.caCertPem = ca ? ca.certPem : pulumi.output("");
        this.networkName = network.name;

        if (args.checkEnabled ?? true) {
            const chain: pulumi.Output<ChainConnectionInfo> = pulumi
                .output(this.caCertPem)
                .apply((caCertPem) => ({ nodes: Object.values(this.nodes), caCertPem }));
            this.check = new ReplicationCheck(
                `${name}-check`,
                { chain, containerIds: Object.values(this.containerIds), timeoutMs: args.checkTimeoutMs ?? 60_000 },
                child,
            );
        }
        this.registerOutputs({ nodes: this.nodes, caCertPem: this.caCertPem, networkName: this.networkName });
    }

    private nodeCertificate(
        name: string,
        nodeName: string,
        containerName: string,
        ca: CertificateAuthority,
        args: RedisChainArgs,
    ): NodeCertificate {
        // The names a client may dial: container name, alias, and the deploying machine's loopback.
        const ipAddresses = ["127.0.0.1"];
        if (args.publishAddress !== "0.0.0.0" && args.publishAddress !== "127.0.0.1") ipAddresses.push(args.publishAddress);
        return new NodeCertificate(
            `${name}-${nodeName}-cert`,
            {
                commonName: nodeName,
                dnsNames: [...new Set([containerName, nodeName, "localhost"])],
                ipAddresses,
                caCertPem: ca.certPem,
                caPrivateKeyPem: ca.privateKeyPem,
            },
            { parent: this },
        );
    }
}
