// The sentinel container's start: the declared sentinel.conf (uploaded outside /data) becomes
// /data/sentinel.conf, keeping what Sentinel learned and wrote there (its id, epochs, the replicas
// and sentinels it knows, the master it follows now), so a restart or a replaced container carries
// on where the group stands instead of going back to the declared master. Pure: renders a POSIX sh
// script run as the container's entrypoint (`/bin/sh -c <script> <name> <server> <args>`).
//
// Sentinel rewrites its config file itself (CONFIG REWRITE on every state change) and reads these
// directives at start (sentinel.c, sentinelHandleConfiguration): `sentinel myid`, `sentinel
// current-epoch`, `sentinel config-epoch <name>`, `sentinel leader-epoch <name>`, `sentinel
// known-replica <name> <ip> <port>`, `sentinel known-sentinel <name> <ip> <port> <id>`, and
// `sentinel monitor <name> <host> <port> <quorum>`, which after a failover names the promoted node.
// It sorts them into pre-monitor, monitor and post-monitor lines itself, so their order in the file
// does not matter.

/** Paths and names the script works with. */
export interface SentinelEntrypointArgs {
    /** Sentinel's name of the group (the `sentinel monitor` line to carry the address of). */
    readonly group: string;
    /** The uploaded, declared config. */
    readonly declaredConf: string;
    /** The config Sentinel runs on and rewrites, in its volume. */
    readonly liveConf: string;
}

/** The state directives carried from the live config into the declared one. */
export const SENTINEL_STATE_DIRECTIVES = ["myid", "current-epoch", "config-epoch", "leader-epoch", "known-replica", "known-sentinel"] as const;

const NAME = /^[a-z0-9-]+$/;
const PATH = /^\/[A-Za-z0-9._/-]+$/;

/**
 * The script: merge, then `exec docker-entrypoint.sh "$@"` ("$@" = `<server> <liveConf> --sentinel`).
 * As root without DAC_OVERRIDE it can neither write into the volume's directory nor read the live
 * file once they belong to the server's user (the image's /data is the user's; Sentinel writes the
 * file 0600); CHOWN, which the container keeps for that entrypoint, lets it take both back first,
 * and the entrypoint's chown of everything under /data not the user's returns them.
 */
export function renderSentinelEntrypoint(args: SentinelEntrypointArgs): string {
    if (!NAME.test(args.group)) throw new Error(`group name "${args.group}" is not a plain name`);
    for (const path of [args.declaredConf, args.liveConf]) if (!PATH.test(path)) throw new Error(`"${path}" is not a plain absolute path`);
    const { group, declaredConf, liveConf } = args;
    const state = SENTINEL_STATE_DIRECTIVES.join("|");
    return [
        "set -eu",
        "umask 077",
        `live=${liveConf}`,
        `next=${liveConf}.next`,
        'state=""',
        'master=""',
        `chown 0 ${liveConf.replace(/\/[^/]+$/, "") || "/"}`,
        'if [ -f "$live" ]; then',
        '    chown 0 "$live"',
        `    state=$(grep -i -E '^sentinel (${state}) ' "$live" || true)`,
        // `host port` of the master Sentinel follows now.
        `    master=$(sed -n 's/^[Ss][Ee][Nn][Tt][Ii][Nn][Ee][Ll] monitor ${group} \\([^ ]*\\) \\([0-9]*\\) .*$/\\1 \\2/p' "$live" | head -n 1)`,
        "fi",
        'if [ -n "$master" ]; then',
        `    sed "s/^sentinel monitor ${group} [^ ]* [0-9]* /sentinel monitor ${group} $master /" ${declaredConf} > "$next"`,
        `    echo "redis-chain sentinel: kept the state of $live; monitoring ${group} at $master" >&2`,
        "else",
        `    cat ${declaredConf} > "$next"`,
        `    echo "redis-chain sentinel: no earlier state; monitoring ${group} as declared" >&2`,
        "fi",
        'if [ -n "$state" ]; then printf "%s\\n" "$state" >> "$next"; fi',
        'mv "$next" "$live"',
        'exec docker-entrypoint.sh "$@"',
        "",
    ].join("\n");
}
