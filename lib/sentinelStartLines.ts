// The part of a node's start script that asks the sentinels of its group who is master now, so a
// node that Sentinel demoted never comes back as a second master because its uploaded redis.conf
// (rendered from the declared topology) says so. Pure: it renders POSIX sh lines (dash, busybox sh).
//
// Contract of the rendered lines, for the start script they are spliced into:
// - Run before `exec docker-entrypoint.sh "$@"`, with "$@" the server command (`redis-server <conf>`).
// - They ask every sentinel at once `SENTINEL GET-MASTER-ADDR-BY-NAME <group>` with the cli, the
//   sentinel password read from a file (REDISCLI_AUTH, never on a command line), each ask bounded
//   by `timeout` (0.5 s); all asks run in parallel, so the whole takes at most about that long (the
//   outer bound is 2 s).
// - The address most sentinels answer wins (a majority if there is one; else the most frequent, the
//   lexically first on a tie). If it is this node's own announced address, they replace the config
//   file in "$@" (its second word) by a copy without its `replicaof` line (MASTER_CONF_PATH); if another, `--replicaof <host> <port>` (and `--tls-replication yes`
//   in a TLS group); if no sentinel answers (first deploy: no sentinel runs yet), "$@" is unchanged and
//   the declared topology applies.
// - They log one line to stderr saying which case happened, starting `redis-chain start:`.
// - They use only variables named `rc_s_*`, never `exit`, and leave `set -e`/`-u` callers working.
// Sentinel answers with the addresses the nodes announce (replica-announce-ip/-port, their container
// names on one host), which is what the node compares with its own.
import { TLS_CA_PATH } from "./containerPaths";
import { Transport } from "./topology";

/** Where the node asks, and how it recognizes itself. */
export interface SentinelStartArgs {
    /** Sentinel's name of the group. */
    readonly group: string;
    /** Each sentinel as the node's container reaches it. */
    readonly sentinels: readonly { readonly host: string; readonly port: number }[];
    /** The group's transport: TLS to the sentinels and `--tls-replication yes` when "tls". */
    readonly transport: Transport;
    /** This node's announced address (replica-announce-ip/-port): what Sentinel reports when it is master. */
    readonly self: { readonly host: string; readonly port: number };
    /** The server's cli (redis-cli or valkey-cli). */
    readonly cli: string;
    /** File holding the sentinel password, readable by root in the container. */
    readonly passwordFile: string;
    /** CA file the sentinels' TLS certificates are verified with (TLS groups). */
    readonly caFile?: string;
    /** Where a node named master writes its config without `replicaof` (default MASTER_CONF_PATH). */
    readonly masterConfPath?: string;
    /** Bound of each ask, s (default 0.5). */
    readonly askTimeoutSeconds?: number;
}

/** The config a node the sentinels name master starts from: the uploaded one without its `replicaof` line. */
export const MASTER_CONF_PATH = "/tmp/redis-chain-master.conf";

const SAFE = /^[A-Za-z0-9._/-]+$/;

function word(value: string | number, what: string): string {
    const text = String(value);
    if (!SAFE.test(text)) throw new Error(`${what} "${text}" is not a plain sh word`);
    return text;
}

/** The sh lines (see the contract above). */
export function renderSentinelStartLines(args: SentinelStartArgs): string[] {
    const group = word(args.group, "group name");
    const self = ownAddress(args);
    const masterConf = word(args.masterConfPath ?? MASTER_CONF_PATH, "master config path");
    return [
        ...renderSentinelAsk(args),
        'if [ -z "$rc_s_master" ]; then',
        `    echo "redis-chain start: no sentinel of ${group} answered; starting as the declared topology says" >&2`,
        `elif [ "$rc_s_master" = "${self}" ]; then`,
        `    echo "redis-chain start: $rc_s_votes of $rc_s_count answering sentinels of ${group} (of ${args.sentinels.length}) name this node master; starting as master" >&2`,
        // Not `--replicaof no one`: Redis 7.0 to 8.6 and Valkey 8.1, given that after a config's
        // `replicaof` line, clear the master's host but keep connecting, to "(null)", that is
        // loopback at the old master's port: on one host the node's own, so it becomes its own
        // replica and every write goes round forever.
        `    { grep -v '^replicaof ' "$2" || true; } > ${masterConf}`,
        `    chmod 0644 ${masterConf}`,
        '    rc_s_server=$1',
        "    shift 2",
        `    set -- "$rc_s_server" ${masterConf} "$@"`,
        "else",
        `    echo "redis-chain start: $rc_s_votes of $rc_s_count answering sentinels of ${group} (of ${args.sentinels.length}) name $rc_s_master master; starting as its replica" >&2`,
        // Word splitting of `host port` into the two arguments of --replicaof is intended.
        `    set -- "$@" --replicaof $rc_s_master${args.transport === "tls" ? " --tls-replication yes" : ""}`,
        "fi",
    ];
}

/** `host port` as Sentinel names this node when it is master. */
export function ownAddress(args: SentinelStartArgs): string {
    return `${word(args.self.host, "own address")} ${word(args.self.port, "own port")}`;
}

/**
 * Lines that ask every sentinel at once who is master and set `rc_s_master` (`host port`, the most
 * frequent well-formed answer, the lexically first on a tie, empty when none came), `rc_s_votes` (how
 * many named it) and `rc_s_count` (how many answered). Usable as the body of a sh function. Besides
 * the asks (`timeout` and the cli, per sentinel) they start no process on the common path: the write
 * fence runs them every second for as long as the node lives.
 */
export function renderSentinelAsk(args: SentinelStartArgs): string[] {
    const group = word(args.group, "group name");
    const cli = word(args.cli, "cli");
    const timeout = args.askTimeoutSeconds ?? 0.5;
    const tls = args.transport === "tls" ? ` --tls --cacert ${word(args.caFile ?? TLS_CA_PATH, "CA file")}` : "";
    const asks = args.sentinels.map(
        (s, i) =>
            `timeout ${timeout} ${cli}${tls} -h ${word(s.host, "sentinel host")} -p ${word(s.port, "sentinel port")} ` +
            `sentinel get-master-addr-by-name ${group} > "$rc_s_dir/${i}" 2>/dev/null &`,
    );
    return [
        `# Who is master of ${group} now, by the sentinels (bounded: each ask ${timeout} s, all at once).`,
        // A fresh folder per ask, removed after: answers of an earlier ask, or of a killed process
        // whose PID this one reuses, are never read.
        "rc_s_dir=$(mktemp -d)",
        `REDISCLI_AUTH="$(cat ${word(args.passwordFile, "password file")} 2>/dev/null || true)"`,
        "export REDISCLI_AUTH",
        ...asks,
        "wait",
        "unset REDISCLI_AUTH",
        // Well-formed answers only (a host line, a port line), one `host port` per line.
        "rc_s_answers=",
        'for rc_s_f in "$rc_s_dir"/*; do',
        '    rc_s_host= rc_s_port=',
        '    { IFS= read -r rc_s_host; IFS= read -r rc_s_port; } < "$rc_s_f" 2>/dev/null || true',
        '    case "$rc_s_host" in "" | *[!A-Za-z0-9._-]*) continue ;; esac',
        '    case "$rc_s_port" in "" | *[!0-9]* | ??????*) continue ;; esac',
        '    rc_s_answers="$rc_s_answers$rc_s_host $rc_s_port',
        '"',
        "done",
        'rm -rf "$rc_s_dir"',
        // The most frequent; among equals the lexically first (expr compares strings).
        "rc_s_count=0 rc_s_master= rc_s_votes=0",
        "while IFS= read -r rc_s_a; do",
        '    [ -n "$rc_s_a" ] || continue',
        "    rc_s_count=$((rc_s_count + 1))",
        "    rc_s_n=0",
        "    while IFS= read -r rc_s_b; do",
        '        [ "$rc_s_a" = "$rc_s_b" ] && rc_s_n=$((rc_s_n + 1))',
        "    done <<EOF_RC_S",
        "$rc_s_answers",
        "EOF_RC_S",
        '    if [ "$rc_s_n" -gt "$rc_s_votes" ] || { [ "$rc_s_n" -eq "$rc_s_votes" ] && [ "$(expr "x$rc_s_a" \\< "x$rc_s_master")" = 1 ]; }; then',
        "        rc_s_master=$rc_s_a rc_s_votes=$rc_s_n",
        "    fi",
        "done <<EOF_RC_S",
        "$rc_s_answers",
        "EOF_RC_S",
    ];
}
