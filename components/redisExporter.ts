import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import {
    EXPORTER_CA_FILE,
    EXPORTER_CLIENT_CERT_FILE,
    EXPORTER_CLIENT_KEY_FILE,
    EXPORTER_PASSWORD_FILE,
    EXPORTER_PORT,
    ExporterPlan,
    exporterPasswordFile,
} from "../lib/exporterConfig";
import { RestartPolicy } from "../lib/stackSettings";

/** TLS material the exporter of a TLS-only node needs. */
export interface ExporterTlsFiles {
    /** The chain's CA, to verify the node. */
    readonly caCertPem: pulumi.Input<string>;
    /** The chain's client certificate and key (secret), when the node asks for one. */
    readonly clientCertPem?: pulumi.Input<string>;
    readonly clientKeyPem?: pulumi.Input<string>;
}

/** Arguments of one node's exporter. */
export interface RedisExporterArgs {
    /** The rendered exporter (from `exporterPlan`). */
    readonly plan: ExporterPlan;
    /** Name of the node this exporter watches; a label on the container. */
    readonly nodeName: string;
    /** Exporter image reference or ID. */
    readonly image: pulumi.Input<string>;
    /** The node's Docker network. */
    readonly networkName: pulumi.Input<string>;
    /** The exporter user's password (secret); absent with authentication off. */
    readonly password?: pulumi.Input<string>;
    /** Required when the plan dials TLS. */
    readonly tls?: ExporterTlsFiles;
    /** Docker restart policy, the node's. */
    readonly restart: RestartPolicy;
}

/** One redis_exporter container beside a node, its metrics port published on the host. */
export class RedisExporter extends pulumi.ComponentResource {
    readonly containerId: pulumi.Output<string>;

    constructor(name: string, args: RedisExporterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redis-chain:index:RedisExporter", name, {}, opts);
        const { plan } = args;
        if (plan.tls && !args.tls) throw new Error(`RedisExporter ${plan.containerName}: the node is TLS-only but no CA was given`);
        if (plan.clientCertificate && !(args.tls?.clientCertPem && args.tls.clientKeyPem)) {
            throw new Error(`RedisExporter ${plan.containerName}: the node asks for a client certificate but none was given`);
        }
        const uploads: docker.types.input.ContainerUpload[] = [];
        if (args.password !== undefined) {
            const content = pulumi.output(args.password).apply((password) => exporterPasswordFile(plan, password));
            uploads.push({ file: EXPORTER_PASSWORD_FILE, content: pulumi.secret(content), permissions: "0644" });
        }
        if (plan.tls && args.tls) uploads.push({ file: EXPORTER_CA_FILE, content: args.tls.caCertPem, permissions: "0644" });
        if (plan.clientCertificate && args.tls?.clientCertPem && args.tls.clientKeyPem) {
            uploads.push(
                { file: EXPORTER_CLIENT_CERT_FILE, content: args.tls.clientCertPem, permissions: "0644" },
                { file: EXPORTER_CLIENT_KEY_FILE, content: pulumi.secret(args.tls.clientKeyPem), permissions: "0644" },
            );
        }
        const container = new docker.Container(
            `${name}-container`,
            {
                name: plan.containerName,
                image: args.image,
                command: [...plan.command],
                networksAdvanced: [{ name: args.networkName }],
                ports: [{ internal: EXPORTER_PORT, external: plan.hostPort, ip: plan.publishAddress, protocol: "tcp" }],
                uploads,
                restart: args.restart,
                labels: [{ label: "redis-chain.exporter", value: args.nodeName }],
            },
            { parent: this },
        );
        this.containerId = container.id;
        this.registerOutputs({ containerId: this.containerId });
    }
}
