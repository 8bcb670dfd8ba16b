import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { DATA_DIR, SENTINEL_DECLARED_CONF_PATH, SENTINEL_PASSWORD_PATH, TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH } from "../lib/containerPaths";
import { ENTRYPOINT_CAPABILITIES, EXEC_READABLE_SECRET_MODE, SECURITY_OPTS, SERVER_ONLY_SECRET_MODE } from "../lib/containerSecurity";
import { sentinelCommand, sentinelEntrypoints, sentinelHealthcheckCommand } from "../lib/sentinelContainer";
import { RestartPolicy } from "../lib/stackSettings";
import { FailoverGroup, SentinelSpec } from "../lib/topology";
import { NodeTlsFiles } from "./redisNode";

/** Where one sentinel runs. */
export interface SentinelPlacement {
    /** The provider of the sentinel's Docker host; undefined for the stack's default engine. */
    readonly provider?: docker.Provider;
    /** The group's image (the master's), pulled on that host. */
    readonly image: pulumi.Input<string>;
    /** The chain's network on that host. */
    readonly networkName: pulumi.Input<string>;
}

/** Arguments of one Sentinel group. */
export interface SentinelGroupArgs {
    /** The validated group. */
    readonly group: FailoverGroup;
    /** Per sentinel (by name): its host's provider, image and network. */
    readonly placements: Readonly<Record<string, SentinelPlacement>>;
    /** Per sentinel (by name): its rendered sentinel.conf (secret: it holds passwords). */
    readonly confs: Readonly<Record<string, pulumi.Input<string>>>;
    /** The sentinel password (secret), for the healthcheck. */
    readonly sentinelPassword: pulumi.Input<string>;
    /** Per sentinel (by name): certificate, key and CA, in a TLS group. */
    readonly tls?: Readonly<Record<string, NodeTlsFiles>>;
    /** Docker restart policy, the nodes'. */
    readonly restart: RestartPolicy;
    /** Ordering only (the release guard). */
    readonly dependsOn?: readonly pulumi.Resource[];
}

/**
 * The sentinels of one group: per sentinel a named volume (Sentinel keeps its state in the config
 * file it rewrites there) and a container of the group's image.
 */
export class SentinelGroup extends pulumi.ComponentResource {
    /** Container ID per sentinel name. */
    readonly containerIds: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: SentinelGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redis-chain:index:SentinelGroup", name, {}, opts);
        this.containerIds = {};
        for (const sentinel of args.group.sentinels) {
            const placement = args.placements[sentinel.name];
            const childOpts = { parent: this, provider: placement.provider, dependsOn: [...(args.dependsOn ?? [])] };
            const volume = new docker.Volume(
                `${name}-${sentinel.name}-data`,
                { name: `${sentinel.containerName}-data`, labels: [{ label: "redis-chain.sentinel", value: sentinel.name }] },
                childOpts,
            );
            const container = new docker.Container(
                `${name}-${sentinel.name}-container`,
                {
                    name: sentinel.containerName,
                    hostname: sentinel.name,
                    image: placement.image,
                    entrypoints: sentinelEntrypoints(args.group),
                    command: sentinelCommand(args.group),
                    networksAdvanced: [{ name: placement.networkName, aliases: [sentinel.name] }],
                    ports: [{ internal: sentinel.port, external: sentinel.hostPort, ip: sentinel.publishAddress, protocol: "tcp" }],
                    volumes: [{ volumeName: volume.name, containerPath: DATA_DIR }],
                    uploads: uploads(sentinel, args),
                    healthcheck: {
                        tests: ["CMD-SHELL", sentinelHealthcheckCommand(args.group, sentinel)],
                        interval: "5s",
                        timeout: "2s",
                        retries: 3,
                        startPeriod: "10s",
                    },
                    restart: args.restart,
                    capabilities: { drops: ["ALL"], adds: [...ENTRYPOINT_CAPABILITIES] },
                    securityOpts: [...SECURITY_OPTS],
                    stopTimeout: 30,
                    destroyGraceSeconds: 30,
                    labels: [
                        { label: "redis-chain.sentinel", value: sentinel.name },
                        { label: "redis-chain.failover-group", value: args.group.name },
                    ],
                },
                // The uploads hold passwords; see RedisNode for why the whole list is marked.
                { ...childOpts, additionalSecretOutputs: ["uploads"] },
            );
            this.containerIds[sentinel.name] = container.id;
        }
        this.registerOutputs({ containerIds: this.containerIds });
    }
}

function uploads(sentinel: SentinelSpec, args: SentinelGroupArgs): docker.types.input.ContainerUpload[] {
    // Root-owned and 0600 outside /data: only the start script (root, its owner) reads it, and
    // writes the live copy into the volume.
    const files: docker.types.input.ContainerUpload[] = [
        { file: SENTINEL_DECLARED_CONF_PATH, content: pulumi.secret(args.confs[sentinel.name]), permissions: SERVER_ONLY_SECRET_MODE },
        { file: SENTINEL_PASSWORD_PATH, content: pulumi.secret(args.sentinelPassword), permissions: EXEC_READABLE_SECRET_MODE },
    ];
    const tls = args.tls?.[sentinel.name];
    if (tls) {
        files.push(
            { file: TLS_CA_PATH, content: tls.caCertPem, permissions: "0644" },
            { file: TLS_CERT_PATH, content: tls.certPem, permissions: "0644" },
            { file: TLS_KEY_PATH, content: pulumi.secret(tls.privateKeyPem), permissions: SERVER_ONLY_SECRET_MODE },
        );
    }
    return files;
}
