import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { MetricsSettings, RestartPolicy } from "../lib/stackSettings";
import { ApplicationAccess, CHECK_USER, renderNodeUsersFile } from "../lib/aclUsers";
import { CONFIG_DEFAULTS } from "../lib/configSchema";
import { DockerHost } from "../lib/dockerHosts";
import { ChainConnectionInfo, ChainCredentials, NodeConnectionInfo, certificateIpAddresses, nodeConnectionInfo } from "../lib/connectionInfo";
import { imageResourceName } from "../lib/imageResources";
import { MemorySettings, containerMemoryLimitMb } from "../lib/memoryLimits";
import { ReplicationTuning, nodeMemory, renderRedisConf } from "../lib/redisConf";
import { RolloutMode, rolloutSteps } from "../lib/rolloutOrder";
import { guardedReleases } from "../lib/serverReleaseGuard";
import { startEntrypoint } from "../lib/startScript";
import { writeFenceFor } from "../lib/writeFence";
import { FailoverGroup, LOCAL_HOST, NodeSpec, Topology, nodeByName, runsWriteFence } from "../lib/topology";
import { FailoverOutput, failoverOutputs } from "../lib/failoverOutputs";
import { renderSentinelConf } from "../lib/sentinelConf";
import { SentinelStartArgs } from "../lib/sentinelStartLines";
import { SENTINEL_PASSWORD_PATH, TLS_CA_PATH } from "../lib/containerPaths";
import { serverBinaries } from "../lib/serverBinaries";
import { SentinelGroup, SentinelPlacement } from "./sentinelGroup";
import { CertificateAuthority } from "./certificateAuthority";
import { ChainPasswords } from "./chainPasswords";
import { NodeCertificate } from "./nodeCertificate";
import { RedisNode } from "./redisNode";
import { deployExporters, exporterPassword } from "./chainExporters";
import { ReplicationCheck } from "./replicationCheck";
import { RolloutGate } from "./rolloutGate";
import { ServerReleaseGuard } from "./serverReleaseGuard";

/** Arguments of a whole replication topology on one Docker engine. */
export interface RedisChainArgs {
    /** The validated topology (from `parseTopology`). */
    readonly topology: Topology;
    /** The stack's image, for nodes without their own; resolved locally first, pulled only when missing. */
    readonly image: string;
    /** Name of the Docker network the nodes of one host share. */
    readonly networkName: string;
    /** Docker hosts, "local" (the default provider) among them; from `parseStackSettings`. */
    readonly hosts: readonly DockerHost[];
    /** Replication settings written into every redis.conf. */
    readonly tuning: ReplicationTuning;
    /** Require passwords and ACL users (application, admin, check, replication, healthcheck). */
    readonly authEnabled: boolean;
    /** What the application user may do beyond data commands. */
    readonly access: ApplicationAccess;
    /** maxmemory and its policy; each container's memory limit is derived from them. */
    readonly memory: MemorySettings;
    /** Docker restart policy of every node. */
    readonly restartPolicy: RestartPolicy;
    /** Run the post-deploy replication check. */
    readonly checkEnabled: boolean;
    /** Bound for the check's wait for links, in ms; also each node's bound in a rolling server change. */
    readonly checkTimeoutMs: number;
    /** Bound of a replica's wait for its upstream when its container starts, s (0: no wait). */
    readonly upstreamWaitSeconds: number;
    /** Exporter image; the nodes with `metrics` in the topology get an exporter. */
    readonly metrics?: Pick<MetricsSettings, "exporterImage">;
    /** How a server change reaches the containers: one node after the other, or all at once. */
    readonly rollout: RolloutMode;
}

/** What the chain needs on one Docker host. */
interface HostResources {
    readonly provider?: docker.Provider;
    /** The pulled image's ID, per image reference its nodes run (pulled only once the release guard passed). */
    readonly imageIds: ReadonlyMap<string, pulumi.Output<string>>;
    readonly networkName: pulumi.Output<string>;
}

/** Per host an image and a network (and a provider unless local), PKI, the nodes, the check. */
export class RedisChain extends pulumi.ComponentResource {
    /** Connection info (role, upstream, endpoints) per node name. */
    readonly connectionInfo: Record<string, NodeConnectionInfo>;
    /** PEM of the CA clients use to verify TLS listeners; empty without TLS. */
    readonly caCertPem: pulumi.Output<string>;
    /** The chain's Docker network per host name; every host's network carries `args.networkName`. */
    readonly networkNames: Record<string, pulumi.Output<string>>;
    /** Container IDs per node name. */
    readonly containerIds: Record<string, pulumi.Output<string>>;
    /** Exporter container IDs per node name, for the nodes with metrics on. */
    readonly exporterContainerIds: Record<string, pulumi.Output<string>>;
    /** The check's outputs, or undefined when the check is switched off. */
    readonly check?: ReplicationCheck;
    /** The application user's password (secret), or undefined with authentication off. */
    readonly password?: pulumi.Output<string>;
    /** The admin user's password (secret), for operators only; undefined with authentication off. */
    readonly adminPassword?: pulumi.Output<string>;
    /** The check user's password (secret), for `npm run verify`; undefined with authentication off. */
    readonly checkPassword?: pulumi.Output<string>;
    /**
     * What the program's own probes (the post-deploy check) log in with: the check user and the
     * client certificate, nothing else. Secret.
     */
    readonly checkCredentials: pulumi.Output<ChainCredentials>;
    /** Client certificate and key (secret) for nodes that ask for one, else undefined. */
    readonly clientCertPem?: pulumi.Output<string>;
    readonly clientKeyPem?: pulumi.Output<string>;
    /** What clients authenticate to the sentinels with (secret); undefined without failover groups. */
    readonly sentinelPassword?: pulumi.Output<string>;
    /** Per failover group: declared master, quorum, sentinels and the natMap for clients. */
    readonly failover: Record<string, FailoverOutput>;
    /** Sentinel container IDs per sentinel name. */
    readonly sentinelContainerIds: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: RedisChainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redis-chain:index:RedisChain", name, {}, opts);
        const { topology } = args;
        const child = { parent: this };

        // Registered first and depended on by every image, volume and container: a server change the
        // data format forbids fails its check before any of them is registered.
        const releaseGuard = new ServerReleaseGuard(`${name}-server-releases`, { nodes: guardedReleases(topology) }, child);
        const groups = topology.failoverGroups ?? [];
        const hostResources = new Map(
            args.hosts
                .filter((host) => topology.nodes.some((n) => n.host === host.name) || groups.some((g) => g.sentinels.some((s) => s.host === host.name)))
                .map((host) => [host.name, this.hostResources(name, host, args, releaseGuard)] as const),
        );
        const ca = topology.nodes.some((n) => n.speaksTls) ? new CertificateAuthority(`${name}-ca`, {}, child) : undefined;
        const passwords = args.authEnabled ? new ChainPasswords(`${name}-passwords`, { sentinelUser: groups.length > 0 }, child) : undefined;
        // Clients and sentinels authenticate to the sentinels with it; generated even with auth off,
        // since sentinels may listen on the network.
        this.sentinelPassword =
            groups.length === 0
                ? undefined
                : pulumi.secret(new random.RandomPassword(`${name}-sentinel-password`, { length: 32, special: false }, child).result);
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
        const confOptions = { tuning: args.tuning, authEnabled: passwords !== undefined, memory: args.memory };
        this.password = passwords?.application;
        this.adminPassword = passwords?.admin;
        this.checkPassword = passwords?.check;
        this.clientCertPem = clientCert?.certPem;
        this.clientKeyPem = clientCert?.privateKeyPem;
        // Everything that probes the nodes for the program logs in with these, never as the application.
        this.checkCredentials = pulumi.secret(
            pulumi
                .all([this.checkPassword, this.clientCertPem, this.clientKeyPem, this.sentinelPassword])
                .apply(([password, clientCertPem, clientKeyPem, sentinelPassword]): ChainCredentials => ({
                    ...(password === undefined ? {} : { username: CHECK_USER, password }),
                    clientCertPem,
                    clientKeyPem,
                    // The check asks the sentinels who is master now.
                    ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
                })),
        );
        const exporterPw = passwords && topology.nodes.some((n) => n.metrics) ? exporterPassword(name, this) : undefined;
        const nodeResources = new Map<string, RedisNode>();
        const caCertPem = ca ? ca.certPem : pulumi.output("");
        const gates = this.rolloutGates(name, args, caCertPem, this.checkCredentials, releaseGuard);

        this.connectionInfo = {};
        this.containerIds = {};
        for (const node of topology.nodes) {
            const cert = ca && node.speaksTls ? this.nodeCertificate(name, node, ca) : undefined;
            const host = hostResources.get(node.host)!;
            const sentinel = this.sentinelStart(node, groups);
            const redisNode = new RedisNode(
                `${name}-${node.name}`,
                {
                    node,
                    redisConf: renderRedisConf(node, confOptions),
                    entrypoint: startEntrypoint(node, {
                        upstream: node.link && nodeByName(topology, node.link.upstream),
                        authEnabled: passwords !== undefined,
                        waitSeconds: args.upstreamWaitSeconds,
                        sentinel,
                        writeFence: writeFenceFor(node, sentinel, passwords !== undefined),
                    }),
                    memoryMb: containerMemoryLimitMb(nodeMemory(node, confOptions)),
                    image: host.imageIds.get(node.image)!,
                    networkName: host.networkName,
                    restart: args.restartPolicy,
                    tls: cert && ca ? { certPem: cert.certPem, privateKeyPem: cert.privateKeyPem, caCertPem: ca.certPem } : undefined,
                    auth: passwords && {
                        // Only a node with an exporter carries the exporter user.
                        authConf: pulumi
                            .all([passwords.values, node.metrics ? exporterPw : undefined])
                            .apply(([values, exporter]) => renderNodeUsersFile(node, { ...values, exporter }, args.access)),
                        healthcheckPassword: passwords.values.apply((values) => values.healthcheck),
                        fencePassword: runsWriteFence(node) ? passwords.values.apply((values) => values.fence!) : undefined,
                    },
                    releaseGuard,
                    rolloutGates: gates.filter((g) => g.upstream === node.name).map((g) => g.gate),
                    sentinelPassword: sentinel && this.sentinelPassword,
                },
                // The node's volume and container go to its host's engine.
                { parent: this, providers: host.provider ? [host.provider] : undefined },
            );
            this.connectionInfo[node.name] = nodeConnectionInfo(node);
            this.containerIds[node.name] = redisNode.containerId;
            nodeResources.set(node.name, redisNode);
        }
        this.caCertPem = caCertPem;
        this.failover = failoverOutputs(topology);
        this.sentinelContainerIds = {};
        for (const group of groups) {
            const sentinels = this.sentinelGroup(name, group, args, hostResources, ca, passwords, releaseGuard);
            Object.assign(this.sentinelContainerIds, sentinels.containerIds);
        }
        this.networkNames = Object.fromEntries([...hostResources].map(([host, resources]) => [host, resources.networkName]));
        this.exporterContainerIds = deployExporters(
            name,
            {
                nodes: topology.nodes,
                image: args.metrics?.exporterImage ?? CONFIG_DEFAULTS.metricsExporterImage,
                hosts: hostResources,
                password: exporterPw,
                caCertPem: this.caCertPem,
                clientCertPem: this.clientCertPem,
                clientKeyPem: this.clientKeyPem,
                restart: args.restartPolicy,
                nodeResources,
            },
            this,
        );

        if (args.checkEnabled) {
            const chain: pulumi.Output<ChainConnectionInfo> = pulumi
                .output(this.caCertPem)
                .apply((caCertPem) => ({
                    nodes: Object.values(this.connectionInfo),
                    caCertPem,
                    ...(groups.length === 0
                        ? {}
                        : { failover: this.failover }),
                }));
            this.check = new ReplicationCheck(
                `${name}-check`,
                {
                    chain,
                    credentials: this.checkCredentials,
                    // Sentinels too: a replaced sentinel reruns the check.
                    containerIds: [...Object.values(this.containerIds), ...Object.values(this.sentinelContainerIds)],
                    timeoutMs: args.checkTimeoutMs,
                },
                child,
            );
        }
        this.registerOutputs({ connectionInfo: this.connectionInfo, caCertPem: this.caCertPem, networkNames: this.networkNames });
    }

    /**
     * In `rolling` mode, one RolloutGate per replica, which its upstream's container `dependsOn`.
     * How the engine orders this (pulumi/pulumi):
     * - the Node SDK sends a resource's RegisterResource only after the URNs of all its `dependsOn`
     *   resources resolved (sdk/nodejs/runtime/resource.ts, `prepareResource`, phase "dependency-urns");
     * - the engine answers a RegisterResource, and so resolves the URN, only once that resource's step
     *   is done (pkg/resource/deploy/source_eval.go, `(*resmon).RegisterResource`: "Now block waiting
     *   for the operation to finish");
     * - a delete-before-replace deletes early only dependents whose replace-forcing inputs depend on
     *   the replaced resource (pkg/resource/deploy/step_generator.go, `calculateDependentReplacements`);
     *   a `dependsOn` edge is ordering only.
     * So an upstream's container is registered, and replaced, only after the gates of its replicas
     * returned: leaves first, the master last. A gate takes no input from its replica's container: it
     * polls the replica by its published port, so its update runs while that container is replaced,
     * and a first deploy (gates create without waiting) still creates every container at once.
     */
    private rolloutGates(
        name: string,
        args: RedisChainArgs,
        caCertPem: pulumi.Input<string>,
        credentials: pulumi.Input<ChainCredentials>,
        releaseGuard: ServerReleaseGuard,
    ): { readonly upstream: string; readonly gate: RolloutGate }[] {
        return rolloutSteps(args.topology, args.rollout).map((step) => {
            const replica = args.topology.nodes.find((n) => n.name === step.replica)!;
            const { kind, major, minor, patch } = replica.release;
            const gate = new RolloutGate(
                `${name}-${replica.name}-rollout`,
                {
                    node: nodeConnectionInfo(replica),
                    caCertPem,
                    credentials,
                    release: { kind, version: [major, minor, patch].filter((n) => n !== undefined).join(".") },
                    timeoutMs: args.checkTimeoutMs * step.waitsForNodes,
                },
                // A refused server change must not leave gates polling for a release never deployed.
                { parent: this, dependsOn: [releaseGuard] },
            );
            return { upstream: step.upstream, gate };
        });
    }

    /**
     * What a promotion candidate of a failover group asks the group's sentinels before it starts
     * (who is master now; lib/sentinelStartLines.ts); none for other nodes.
     */
    private sentinelStart(node: NodeSpec, groups: readonly FailoverGroup[]): SentinelStartArgs | undefined {
        const group = groups.find((g) => g.name === node.failover?.group);
        if (!group || !node.failover!.candidate) return undefined;
        return {
            group: group.name,
            // On one host the nodes reach the sentinels by container name on the chain's network.
            sentinels: group.sentinels.map((s) => (s.announce ? { host: s.announce.ip, port: s.announce.port } : { host: s.containerName, port: s.port })),
            transport: group.transport,
            self: { host: node.failover!.announce.ip, port: node.failover!.announce.port },
            cli: serverBinaries(node.release.kind).cli,
            passwordFile: SENTINEL_PASSWORD_PATH,
            caFile: TLS_CA_PATH,
        };
    }

    private sentinelGroup(
        name: string,
        group: FailoverGroup,
        args: RedisChainArgs,
        hostResources: ReadonlyMap<string, HostResources>,
        ca: CertificateAuthority | undefined,
        passwords: ChainPasswords | undefined,
        releaseGuard: ServerReleaseGuard,
    ): SentinelGroup {
        const placements: Record<string, SentinelPlacement> = {};
        const confs: Record<string, pulumi.Output<string>> = {};
        const tlsFiles: Record<string, { certPem: pulumi.Output<string>; privateKeyPem: pulumi.Output<string>; caCertPem: pulumi.Output<string> }> = {};
        for (const sentinel of group.sentinels) {
            const host = hostResources.get(sentinel.host)!;
            placements[sentinel.name] = { provider: host.provider, image: host.imageIds.get(group.image)!, networkName: host.networkName };
            confs[sentinel.name] = pulumi.secret(
                pulumi
                    .all([this.sentinelPassword!, passwords?.values])
                    .apply(([sentinelPassword, values]) => renderSentinelConf(group, sentinel, { sentinelPassword, nodePassword: values?.sentinel })),
            );
            if (group.transport === "tls" && ca) {
                const cert = new NodeCertificate(
                    `${name}-${sentinel.name}-cert`,
                    {
                        commonName: sentinel.name,
                        dnsNames: [...new Set([sentinel.containerName, sentinel.name, "localhost"])],
                        ipAddresses: [...new Set(["127.0.0.1", sentinel.publishAddress, ...(sentinel.announce ? [sentinel.announce.ip] : [])])].filter((ip) => ip !== "0.0.0.0"),
                        caCertPem: ca.certPem,
                        caPrivateKeyPem: ca.privateKeyPem,
                    },
                    { parent: this },
                );
                tlsFiles[sentinel.name] = { certPem: cert.certPem, privateKeyPem: cert.privateKeyPem, caCertPem: ca.certPem };
            }
        }
        return new SentinelGroup(
            `${name}-${group.name}-sentinels`,
            {
                group,
                placements,
                confs,
                sentinelPassword: this.sentinelPassword!,
                tls: group.transport === "tls" ? tlsFiles : undefined,
                restart: args.restartPolicy,
                dependsOn: [releaseGuard],
            },
            { parent: this },
        );
    }

    private hostResources(name: string, host: DockerHost, args: RedisChainArgs, releaseGuard: ServerReleaseGuard): HostResources {
        // The local host keeps the default provider and the plain resource names of a one-host stack.
        const prefix = host.name === LOCAL_HOST ? name : `${name}-${host.name}`;
        const provider =
            host.docker === undefined
                ? undefined
                : new docker.Provider(
                      `${prefix}-provider`,
                      {
                          host: host.docker,
                          caMaterial: host.tls?.caCertPem,
                          certMaterial: host.tls?.certPem,
                          keyMaterial: host.tls && pulumi.secret(host.tls.keyPem),
                      },
                      { parent: this },
                  );
        const opts = { parent: this, provider };
        const images = [
            ...new Set([
                ...args.topology.nodes.filter((n) => n.host === host.name).map((n) => n.image),
                // Sentinels run their group's image (the master's) on their own host.
                ...(args.topology.failoverGroups ?? []).filter((g) => g.sentinels.some((s) => s.host === host.name)).map((g) => g.image),
            ]),
        ];
        const imageIds = new Map(
            images.map((image) => [
                image,
                new docker.RemoteImage(imageResourceName(prefix, image, args.image), { name: image, keepLocally: true }, { ...opts, dependsOn: [releaseGuard] })
                    .imageId,
            ]),
        );
        const network = new docker.Network(
            `${prefix}-network`,
            { name: args.networkName, labels: [{ label: "redis-chain.network", value: name }] },
            opts,
        );
        return { provider, imageIds, networkName: network.name };
    }

    private nodeCertificate(name: string, node: NodeSpec, ca: CertificateAuthority): NodeCertificate {
        // The names a client may dial: container name, alias, the deploying machine's loopback, and
        // the addresses its ports are published on.
        const ipAddresses = certificateIpAddresses(node);
        return new NodeCertificate(
            `${name}-${node.name}-cert`,
            {
                commonName: node.name,
                dnsNames: [...new Set([node.containerName, node.alias, "localhost"])],
                ipAddresses,
                caCertPem: ca.certPem,
                caPrivateKeyPem: ca.privateKeyPem,
            },
            { parent: this },
        );
    }
}
