// The container healthcheck: healthy means Redis answers on its own listener and, for a replica,
// that its replication link is up, so `docker ps` shows a broken link too.
import { TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH } from "./containerPaths";
import { RedisNode } from "./topology";

/** The shell command Docker runs inside the container (CMD-SHELL). */
export function healthcheckCommand(node: RedisNode): string {
    const cli = node.listeners.plain
        ? `redis-cli -p ${node.listeners.plain.port}`
        : `redis-cli --tls --cacert ${TLS_CA_PATH}` +
          (node.tlsAuthClients === "yes" ? ` --cert ${TLS_CERT_PATH} --key ${TLS_KEY_PATH}` : "") +
          ` -p ${node.listeners.tls!.port}`;
    return node.role === "replica"
        ? `${cli} info replication | grep -q master_link_status:up`
        : `${cli} ping | grep -q PONG`;
}
