// The chain's exporters: the exporter user's password, one exporter image per Docker host, and one
// RedisExporter per node with metrics on. Functions, not a component: their resources belong to the
// chain (parent), like its nodes, so turning metrics on moves no existing resource.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { exporterPlan } from "../lib/exporterConfig";
import { RestartPolicy } from "../lib/stackSettings";
import { LOCAL_HOST, NodeSpec } from "../lib/topology";
import { RedisExporter } from "./redisExporter";

/** The exporter user's password (secret): one for the chain, alphanumeric like the others. */
export function exporterPassword(name: string, parent: pulumi.Resource): pulumi.Output<string> {
    return pulumi.secret(new random.RandomPassword(`${name}-passwords-exporter`, { length: 32, special: false }, { parent }).result);
}

/** What the exporters of a chain need from it. */
export interface ChainExportersArgs {
    /** Nodes of the chain; those with `metrics` get an exporter. */
    readonly nodes: readonly NodeSpec[];
    /** Exporter image reference. */
    readonly image: string;
    /** Docker provider (undefined: the default one) and network per host name. */
    readonly hosts: ReadonlyMap<string, { readonly provider?: docker.Provider; readonly networkName: pulumi.Output<string> }>;
    /** The exporter user's password; undefined with authentication off. */
    readonly password?: pulumi.Output<string>;
    readonly caCertPem: pulumi.Output<string>;
    readonly clientCertPem?: pulumi.Output<string>;
    readonly clientKeyPem?: pulumi.Output<string>;
    readonly restart: RestartPolicy;
    /** Each node's own resource, so its exporter starts after it. */
    readonly nodeResources: ReadonlyMap<string, pulumi.Resource>;
}

/** Creates the exporters under `parent`; returns their container IDs per node name. */
export function deployExporters(name: string, args: ChainExportersArgs, parent: pulumi.Resource): Record<string, pulumi.Output<string>> {
    const images = new Map<string, pulumi.Output<string>>();
    const ids: Record<string, pulumi.Output<string>> = {};
    for (const node of args.nodes) {
        const plan = exporterPlan(node, args.password !== undefined);
        if (!plan) continue;
        const host = args.hosts.get(node.host)!;
        if (!images.has(node.host)) {
            const prefix = node.host === LOCAL_HOST ? name : `${name}-${node.host}`;
            const image = new docker.RemoteImage(`${prefix}-exporter-image`, { name: args.image, keepLocally: true }, { parent, provider: host.provider });
            images.set(node.host, image.imageId);
        }
        const exporter = new RedisExporter(
            `${name}-${node.name}-exporter`,
            {
                plan,
                nodeName: node.name,
                image: images.get(node.host)!,
                networkName: host.networkName,
                password: args.password,
                tls: plan.tls ? { caCertPem: args.caCertPem, clientCertPem: args.clientCertPem, clientKeyPem: args.clientKeyPem } : undefined,
                restart: args.restart,
            },
            { parent, providers: host.provider ? [host.provider] : undefined, dependsOn: [args.nodeResources.get(node.name)!] },
        );
        ids[node.name] = exporter.containerId;
    }
    return ids;
}
