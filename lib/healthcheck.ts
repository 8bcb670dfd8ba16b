// The container healthcheck: healthy means Redis answers on its own listener and, for a replica,
// that its replication link is up, so `docker ps` shows a broken link too.
import { HEALTHCHECK_PASSWORD_PATH, TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH } from "./containerPaths";
import { HEALTHCHECK_USER } from "./aclUsers";
import { serverBinaries } from "./serverBinaries";
import { NodeSpec } from "./topology";

/** True when the healthcheck presents the node's own certificate and key (a TLS-only node that requires one). */
export function healthcheckReadsNodeKey(node: NodeSpec): boolean {
    return !node.listeners.plain && node.tlsAuthClients === "yes";
}

/**
 * The cli aimed at the node's own server from inside its container: the plain listener when it has
 * one, else the TLS listener with the chain's CA (and the node's own certificate where it demands one).
 */
export function ownServerCli(node: NodeSpec): string {
    const binary = serverBinaries(node.release.kind).cli;
    return node.listeners.plain
        ? `${binary} -p ${node.listeners.plain.port}`
        : `${binary} --tls --cacert ${TLS_CA_PATH}` +
              (healthcheckReadsNodeKey(node) ? ` --cert ${TLS_CERT_PATH} --key ${TLS_KEY_PATH}` : "") +
              ` -p ${node.listeners.tls!.port}`;
}

/** The shell command Docker runs inside the container (CMD-SHELL). */
export function healthcheckCommand(node: NodeSpec, authEnabled: boolean): string {
    let cli = ownServerCli(node);
    // REDISCLI_AUTH keeps the password off the command line and out of `docker inspect`; valkey-cli
    // 8.1 reads the same variable (it ignores VALKEYCLI_AUTH).
    if (authEnabled) cli = `REDISCLI_AUTH="$(cat ${HEALTHCHECK_PASSWORD_PATH})" ${cli} --user ${HEALTHCHECK_USER}`;
    return node.role === "replica"
        ? `${cli} info replication | grep -q master_link_status:up`
        : `${cli} ping | grep -q PONG`;
}
