// What a sentinel container runs, derived from the group model: command, entrypoint, healthcheck.
// Pure, so the mocks and unit tests compare against the same values the component uses.
import { SENTINEL_DECLARED_CONF_PATH, SENTINEL_LIVE_CONF_PATH, SENTINEL_PASSWORD_PATH, TLS_CA_PATH } from "./containerPaths";
import { renderSentinelEntrypoint } from "./sentinelEntrypoint";
import { serverBinaries } from "./serverBinaries";
import { FailoverGroup, SentinelSpec } from "./topology";

/**
 * The container command: the server's own binary with `--sentinel`, not redis-sentinel, because
 * the image's entrypoint drops to the unprivileged user only for the server's own binary name.
 */
export function sentinelCommand(group: FailoverGroup): string[] {
    return [serverBinaries(group.release.kind).server, SENTINEL_LIVE_CONF_PATH, "--sentinel"];
}

/** The container entrypoint: the state-keeping start script, then the image's entrypoint. */
export function sentinelEntrypoints(group: FailoverGroup): string[] {
    const script = renderSentinelEntrypoint({ group: group.name, declaredConf: SENTINEL_DECLARED_CONF_PATH, liveConf: SENTINEL_LIVE_CONF_PATH });
    return ["/bin/sh", "-c", script, "redis-chain-sentinel-start"];
}

/** The healthcheck: the sentinel answers PING to the sentinel password (read from a file, never on a command line). */
export function sentinelHealthcheckCommand(group: FailoverGroup, sentinel: SentinelSpec): string {
    const cli = serverBinaries(group.release.kind).cli;
    const tls = group.transport === "tls" ? ` --tls --cacert ${TLS_CA_PATH}` : "";
    return `REDISCLI_AUTH="$(cat ${SENTINEL_PASSWORD_PATH})" ${cli}${tls} -p ${sentinel.port} ping | grep -q PONG`;
}
