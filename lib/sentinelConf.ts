// Renders each sentinel's sentinel.conf. Pure. The directive names are those of Redis's sentinel.c
// (sentinelHandleConfiguration) and its example sentinel.conf; Valkey's Sentinel keeps them.
// Sentinel rewrites this file at run time with its state (myid, epochs, known replicas and
// sentinels, the current master): the rendered file is the declared start, never edited in place.
import { TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH, DATA_DIR } from "./containerPaths";
import { SENTINEL_USER } from "./aclUsers";
import { FailoverGroup, SentinelSpec } from "./topology";

/** The secrets a sentinel.conf holds; the rendered file is secret as a whole. */
export interface SentinelSecrets {
    /** What clients and the other sentinels authenticate to this sentinel with (`requirepass`, `sentinel sentinel-pass`). */
    readonly sentinelPassword: string;
    /** The nodes' `sentinel` ACL user's password (`sentinel auth-pass`); absent with authentication off. */
    readonly nodePassword?: string;
}

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** The sentinel.conf of `sentinel` in `group`. */
export function renderSentinelConf(group: FailoverGroup, sentinel: SentinelSpec, secrets: SentinelSecrets): string {
    for (const [which, value] of Object.entries(secrets)) {
        if (value !== undefined && !TOKEN.test(value)) throw new Error(`the ${which} must be alphanumeric (a config-file token)`);
    }
    const name = group.name;
    const lines = [
        `# ${sentinel.name}: Sentinel of group ${name}, rendered by redis-chain; Sentinel rewrites its copy in ${DATA_DIR}.`,
        "",
        "# Listener. With tls-replication, Sentinel announces its tls-port to the other sentinels.",
        ...(group.transport === "tls" ? ["port 0", `tls-port ${sentinel.port}`] : [`port ${sentinel.port}`]),
        `dir ${DATA_DIR}`,
        "",
        "# Docker names: the nodes announce their container names on one host (replica-announce-ip),",
        "# which Sentinel resolves and reports as names rather than container IPs that change on restart.",
        "sentinel resolve-hostnames yes",
        "sentinel announce-hostnames yes",
    ];
    if (sentinel.announce) {
        lines.push(
            "# Across hosts the other sentinels reach this one at its host's address and published port.",
            `sentinel announce-ip ${sentinel.announce.ip}`,
            `sentinel announce-port ${sentinel.announce.port}`,
        );
    }
    lines.push(
        "",
        "# Clients and the other sentinels log in with the group's sentinel password.",
        `requirepass ${secrets.sentinelPassword}`,
        `sentinel sentinel-pass ${secrets.sentinelPassword}`,
    );
    if (group.transport === "tls") {
        lines.push(
            "",
            "# TLS to every monitored node and every other sentinel (one transport per Sentinel).",
            `tls-cert-file ${TLS_CERT_PATH}`,
            `tls-key-file ${TLS_KEY_PATH}`,
            `tls-ca-cert-file ${TLS_CA_PATH}`,
            "tls-auth-clients no",
            "tls-replication yes",
            'tls-protocols "TLSv1.2 TLSv1.3"',
        );
    }
    lines.push(
        "",
        `# The group: its master as declared; a failover rewrites this line in ${DATA_DIR}/sentinel.conf.`,
        `sentinel monitor ${name} ${group.monitor.host} ${group.monitor.port} ${group.quorum}`,
        `sentinel down-after-milliseconds ${name} ${group.downAfterMs}`,
        `sentinel failover-timeout ${name} ${group.failoverTimeoutMs}`,
        `sentinel parallel-syncs ${name} ${group.parallelSyncs}`,
    );
    if (secrets.nodePassword !== undefined) {
        lines.push(`sentinel auth-user ${name} ${SENTINEL_USER}`, `sentinel auth-pass ${name} ${secrets.nodePassword}`);
    }
    return `${lines.join("\n")}\n`;
}
