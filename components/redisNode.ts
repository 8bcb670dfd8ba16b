import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { NODE_SYSCTLS } from "../lib/containerNetwork";
import { RestartPolicy } from "../lib/stackSettings";
import {
    AUTH_CONF_PATH,
    DATA_DIR,
    FENCE_PASSWORD_PATH,
    HEALTHCHECK_PASSWORD_PATH,
    REDIS_CONF_PATH,
    SENTINEL_PASSWORD_PATH,
    TLS_CA_PATH,
    TLS_CERT_PATH,
    TLS_KEY_PATH,
} from "../lib/containerPaths";
import { ENTRYPOINT_CAPABILITIES, EXEC_READABLE_SECRET_MODE, SECURITY_OPTS, SERVER_ONLY_SECRET_MODE } from "../lib/containerSecurity";
import { healthcheckCommand, healthcheckReadsNodeKey } from "../lib/healthcheck";
import { serverBinaries } from "../lib/serverBinaries";
import { NodeSpec } from "../lib/topology";

/** PEM material a TLS-speaking node gets. */
export interface NodeTlsFiles {
    readonly certPem: pulumi.Input<string>;
    /** Secret. */
    readonly privateKeyPem: pulumi.Input<string>;
    readonly caCertPem: pulumi.Input<string>;
}

/** Secret files of a node with authentication on. */
export interface NodeAuthFiles {
    /** Rendered auth.conf (secret). */
    readonly authConf: pulumi.Input<string>;
    /** The healthcheck user's password (secret). */
    readonly healthcheckPassword: pulumi.Input<string>;
    /** The fence user's password (secret), for a node that runs a write fence. */
    readonly fencePassword?: pulumi.Input<string>;
}

/** Arguments of one Redis node. */
export interface RedisNodeArgs {
    /** The validated node this component deploys. */
    readonly node: NodeSpec;
    /** Its rendered redis.conf. */
    readonly redisConf: string;
    /** The container's entrypoint (the start script, lib/startScript.ts); it ends by running the image's own. */
    readonly entrypoint: string[];
    /** Image reference or ID to run. */
    readonly image: pulumi.Input<string>;
    /** Name of the Docker network the chain shares. */
    readonly networkName: pulumi.Input<string>;
    /** Certificate, key and CA; required when the node speaks TLS. */
    readonly tls?: NodeTlsFiles;
    /** Passwords and ACL users; absent when authentication is switched off. */
    readonly auth?: NodeAuthFiles;
    /** Docker restart policy. */
    readonly restart: RestartPolicy;
    /** The container's memory limit in MB (see containerMemoryLimitMb); changed in place. */
    readonly memoryMb: number;
    /** The stack's ServerReleaseGuard: volume and container wait for its check to pass. */
    readonly releaseGuard?: pulumi.Resource;
    /** Rollout gates of this node's replicas: the container is replaced only once each has returned. */
    readonly rolloutGates?: readonly pulumi.Resource[];
    /** The sentinel password (secret), for a start script that asks the group's sentinels who is master. */
    readonly sentinelPassword?: pulumi.Input<string>;
}

/** One Redis server: its data volume and its container, configured entirely through uploads. */
export class RedisNode extends pulumi.ComponentResource {
    readonly containerId: pulumi.Output<string>;
    readonly containerName: pulumi.Output<string>;
    readonly volumeName: pulumi.Output<string>;

    constructor(name: string, args: RedisNodeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redis-chain:index:RedisNode", name, {}, opts);
        const { node } = args;
        if (node.speaksTls && !args.tls) {
            throw new Error(`RedisNode ${node.name}: the node speaks TLS but no tls files were given`);
        }
        const volume = new docker.Volume(
            `${name}-data`,
            { name: `${node.containerName}-data`, labels: [{ label: "redis-chain.node", value: node.name }] },
            { parent: this, dependsOn: args.releaseGuard ? [args.releaseGuard] : [] },
        );
        const container = new docker.Container(
            `${name}-container`,
            {
                name: node.containerName,
                hostname: node.alias,
                image: args.image,
                // The start script holds a replica back until its upstream can serve it, then does
                // what the image's entrypoint does for the command, the kind's own binary name: hands
                // /data to the unprivileged user and runs the server as that user.
                entrypoints: args.entrypoint,
                command: [serverBinaries(node.release.kind).server, REDIS_CONF_PATH],
                networksAdvanced: [{ name: args.networkName, aliases: [node.alias] }],
                ports: publishedPorts(node),
                volumes: [{ volumeName: volume.name, containerPath: DATA_DIR }],
                // Uploads, not bind mounts: the config travels with the container to a remote engine.
                uploads: uploads(args),
                // Nothing waits on health (no `wait`), so the interval only sets how fast `docker ps`
                // notices; each run is a docker exec that cost ~70 ms of CPU and showed in the
                // bench's latency tails at 2 s.
                healthcheck: {
                    tests: ["CMD-SHELL", healthcheckCommand(node, args.auth !== undefined)],
                    interval: "5s",
                    timeout: "2s",
                    retries: 3,
                    startPeriod: "10s",
                },
                restart: args.restart,
                // Above maxmemory by the fork, backlog and replica buffers: the OOM killer must not
                // end a node in the middle of the full sync that serves a replica. Swap equal to the
                // limit (none): the limit is the sizing rule's, and the provider's in-place update
                // sends both, where a grown limit alone past the engine's default swap (twice the old
                // limit) is refused.
                memory: args.memoryMb,
                memorySwap: args.memoryMb,
                // Both force a replacement when they change. A read-only root filesystem is not
                // possible: the provider copies every upload with the container's "/" as
                // destination, which the engine refuses for a read-only rootfs even when the file
                // lands on a volume ("container rootfs is marked read-only").
                capabilities: { drops: ["ALL"], adds: [...ENTRYPOINT_CAPABILITIES] },
                securityOpts: [...SECURITY_OPTS],
                sysctls: { ...NODE_SYSCTLS },
                // Redis waits up to shutdown-timeout (3 s, redis.conf) for lagging replicas, then
                // writes its final RDB. Docker's default 10 s ran out first and the save was lost.
                // stopTimeout covers `docker stop` and daemon shutdown; destroyGraceSeconds covers the
                // provider's delete and replace, which kill at once when it is unset.
                stopTimeout: 30,
                destroyGraceSeconds: 30,
                labels: [
                    { label: "redis-chain.node", value: node.name },
                    { label: "redis-chain.role", value: node.role },
                ],
            },
            // Ordering only, never an input: a dependency through an input would make the engine
            // delete this container together with the one it depends on (see RedisChain).
            // The engine makes an output secret only where the same-named input is secret as a
            // whole; the uploads list is not (only some of its entries are), so the provider's
            // echo of it would sit in the state in plain text.
            {
                parent: this,
                dependsOn: [...(args.releaseGuard ? [args.releaseGuard] : []), ...(args.rolloutGates ?? [])],
                additionalSecretOutputs: ["uploads"],
            },
        );
        this.containerId = container.id;
        this.containerName = container.name;
        this.volumeName = volume.name;
        this.registerOutputs({ containerId: this.containerId, containerName: this.containerName });
    }
}

function publishedPorts(node: NodeSpec): docker.types.input.ContainerPort[] {
    const listeners = [node.listeners.plain, node.listeners.tls].filter((l) => l !== undefined);
    return listeners.map((l) => ({ internal: l.port, external: l.hostPort, ip: l.publishAddress, protocol: "tcp" }));
}

function uploads(args: RedisNodeArgs): docker.types.input.ContainerUpload[] {
    const files: docker.types.input.ContainerUpload[] = [
        { file: REDIS_CONF_PATH, content: args.redisConf, permissions: "0644" },
    ];
    if (args.tls) {
        files.push(
            { file: TLS_CA_PATH, content: args.tls.caCertPem, permissions: "0644" },
            { file: TLS_CERT_PATH, content: args.tls.certPem, permissions: "0644" },
            // Root-owned on upload; the image's entrypoint hands /data to the redis user before
            // Redis starts. Only when the healthcheck presents the key may group root read it too.
            {
                file: TLS_KEY_PATH,
                content: pulumi.secret(args.tls.privateKeyPem),
                permissions: healthcheckReadsNodeKey(args.node) ? EXEC_READABLE_SECRET_MODE : SERVER_ONLY_SECRET_MODE,
            },
        );
    }
    if (args.auth) {
        files.push(
            { file: AUTH_CONF_PATH, content: pulumi.secret(args.auth.authConf), permissions: SERVER_ONLY_SECRET_MODE },
            { file: HEALTHCHECK_PASSWORD_PATH, content: pulumi.secret(args.auth.healthcheckPassword), permissions: EXEC_READABLE_SECRET_MODE },
        );
        if (args.auth.fencePassword !== undefined) {
            // Read by the write fence, which runs as the server's user: the entrypoint hands it the file.
            files.push({ file: FENCE_PASSWORD_PATH, content: pulumi.secret(args.auth.fencePassword), permissions: SERVER_ONLY_SECRET_MODE });
        }
    }
    if (args.sentinelPassword !== undefined) {
        // Read by the start script, which runs as root before the image's entrypoint: group root.
        files.push({ file: SENTINEL_PASSWORD_PATH, content: pulumi.secret(args.sentinelPassword), permissions: EXEC_READABLE_SECRET_MODE });
    }
    return files;
}
