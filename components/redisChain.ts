import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { renderAuthConf } from "../lib/authConf";
import { ChainConnectionInfo, ChainCredentials, NodeConnectionInfo, nodeConnectionInfo } from "../lib/connectionInfo";
import { DEFAULT_TUNING, ReplicationTuning, renderRedisConf } from "../lib/redisConf";
import { Topology } from "../lib/topology";
import { CertificateAuthority } from "./certificateAuthority";
import { ChainPasswords } from "./chainPasswords";
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
    /** Require passwords (clients) and ACL users (replication, healthcheck); default true. */
    readonly authEnabled?: boolean;
    /** Docker restart policy of every node; default "unless-stopped". */
    readonly restartPolicy?: "no" | "on-failure" | "always" | "unless-stopped";
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
    /** The clients' password (secret), or undefined with authentication off. */
    readonly password?: pulumi.Output<string>;
    /** Client certificate and key (secret) for nodes that ask for one, else undefined. */
    readonly clientCertPem?: pulumi.Output<string>;
    readonly clientKeyPem?: pulumi.Output<string>;

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
        const passwords = (args.authEnabled ?? true) ? new ChainPasswords(`${name}-passwords`, {}, child) : undefined;
        const clientCert =
            ca && topology.nodes.some((n) => n.tlsAuthClients !== "no")
                ? new NodeCertificate(
                      `${name}-client`,
                      {
                          commonName: "redis-chain-client",
                          dnsNames: [],
                          ipAddresses: [],
                          caCertPem: ca.certPem,
                          caPrivateKeyPem: ca.privateKeyPem,
                          allowedUses: ["digital_signature", "key_encipherment", "client_auth"],
                      },
                      child,
                  )
                : undefined;
        const confOptions = { tuning: args.tuning ?? DEFAULT_TUNING, authEnabled: passwords !== undefined };

        this.nodes = {};
        this.containerIds = {};
        for (const node of topology.nodes) {
            const cert = ca && node.speaksTls ? this.nodeCertificate(name, node.name, node.containerName, ca, args) : undefined;
            const redisNode = new RedisNode(
                `${name}-${node.name}`,
                {
                    node,
                    redisConf: renderRedisConf(node, topology, confOptions),
                    image: image.imageId,
                    networkName: network.name,
                    publishAddress: args.publishAddress,
                    restart: args.restartPolicy,
                    tls: cert && ca ? { certPem: cert.certPem, privateKeyPem: cert.privateKeyPem, caCertPem: ca.certPem } : undefined,
                    auth: passwords && {
                        authConf: passwords.values.apply((values) => renderAuthConf(node, values)),
                        healthcheckPassword: passwords.values.apply((values) => values.healthcheck),
                    },
                },
                child,
            );
            this.nodes[node.name] = nodeConnectionInfo(node, topology, args.publishAddress);
            this.containerIds[node.name] = redisNode.containerId;
        }
        this.caCertPem = ca ? ca.certPem : pulumi.output("");
        this.networkName = network.name;
        this.password = passwords?.client;
        this.clientCertPem = clientCert?.certPem;
        this.clientKeyPem = clientCert?.privateKeyPem;

        if (args.checkEnabled ?? true) {
            const chain: pulumi.Output<ChainConnectionInfo> = pulumi
                .output(this.caCertPem)
                .apply((caCertPem) => ({ nodes: Object.values(this.nodes), caCertPem }));
            const credentials: pulumi.Output<ChainCredentials> = pulumi
                .all([this.password, this.clientCertPem, this.clientKeyPem])
                .apply(([password, clientCertPem, clientKeyPem]) => ({ password, clientCertPem, clientKeyPem }));
            this.check = new ReplicationCheck(
                `${name}-check`,
                {
                    chain,
                    credentials,
                    containerIds: Object.values(this.containerIds),
                    timeoutMs: args.checkTimeoutMs ?? 60_000,
                },
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
