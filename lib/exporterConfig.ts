// What one node's exporter container runs: its name, the address it scrapes, its flags and the
// files it reads. Pure, so every flag is table-tested; components/redisExporter.ts only turns it
// into a container.
import { EXPORTER_USER } from "./aclUsers";
import { NodeSpec } from "./topology";

/** Port redis_exporter listens on inside its container (its default). */
export const EXPORTER_PORT = 9121;

// The official image is `scratch` with the binary at /redis_exporter: no directory of its own, so
// the uploads make one. Root-owned 0644 files: the image runs as uid 59000, and the container holds
// nothing but the exporter, so readable-by-all reaches no other process.
export const EXPORTER_DIR = "/redis-exporter";
export const EXPORTER_PASSWORD_FILE = `${EXPORTER_DIR}/password.json`;
export const EXPORTER_CA_FILE = `${EXPORTER_DIR}/ca.crt`;
export const EXPORTER_CLIENT_CERT_FILE = `${EXPORTER_DIR}/client.crt`;
export const EXPORTER_CLIENT_KEY_FILE = `${EXPORTER_DIR}/client.key`;

/** One node's exporter, rendered. */
export interface ExporterPlan {
    /** Container name: the node's container name with `-exporter`. */
    readonly containerName: string;
    /** What the exporter dials: `redis://` on the node's plain port, else `rediss://` on its TLS port. */
    readonly redisAddr: string;
    /** True when it reaches the node through TLS (the node is TLS-only). */
    readonly tls: boolean;
    /** True when the node asks TLS clients for a certificate, so the exporter presents the chain's client certificate. */
    readonly clientCertificate: boolean;
    /** The container's command (the image's entrypoint is the exporter binary). */
    readonly command: readonly string[];
    readonly hostPort: number;
    readonly publishAddress: string;
}

/** The exporter of `node`, or undefined when metrics are off for it. */
export function exporterPlan(node: NodeSpec, authEnabled: boolean): ExporterPlan | undefined {
    if (!node.metrics) return undefined;
    // The plain listener when there is one: it is on the node's own Docker network, as plain
    // replication links are; through TLS only when the node has no plain listener.
    const plain = node.listeners.plain;
    const tls = plain === undefined;
    const port = plain ? plain.port : node.listeners.tls!.port;
    // The node's alias is in its certificate's SANs, and the exporter checks the name it dials.
    const redisAddr = `${tls ? "rediss" : "redis"}://${node.alias}:${port}`;
    const clientCertificate = tls && node.tlsAuthClients !== "no";
    const command = [
        `--redis.addr=${redisAddr}`,
        `--web.listen-address=:${EXPORTER_PORT}`,
        // CONFIG GET is refused to the exporter user (it would show masterauth); do not ask.
        "--config-command=-",
        ...(authEnabled ? [`--redis.user=${EXPORTER_USER}`, `--redis.password-file=${EXPORTER_PASSWORD_FILE}`] : []),
        ...(tls ? [`--tls-ca-cert-file=${EXPORTER_CA_FILE}`] : []),
        ...(clientCertificate ? [`--tls-client-cert-file=${EXPORTER_CLIENT_CERT_FILE}`, `--tls-client-key-file=${EXPORTER_CLIENT_KEY_FILE}`] : []),
    ];
    return {
        containerName: `${node.containerName}-exporter`,
        redisAddr,
        tls,
        clientCertificate,
        command,
        hostPort: node.metrics.hostPort,
        publishAddress: node.metrics.publishAddress,
    };
}

/**
 * The exporter's password file: a JSON map from the address it dials, with the user in it, to the
 * password (how redis_exporter looks passwords up), so the password is on no command line and in
 * no environment variable that `docker inspect` shows.
 */
export function exporterPasswordFile(plan: ExporterPlan, password: string): string {
    const url = new URL(plan.redisAddr);
    return `${JSON.stringify({ [`${url.protocol}//${EXPORTER_USER}@${url.host}`]: password })}\n`;
}
