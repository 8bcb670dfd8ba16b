// How a node's container starts: a POSIX sh script, the container's entrypoint, that holds a
// replica back until its upstream can serve it and then runs the server as the image's own
// entrypoint would.
//
// Why: a replica retries a failed replication attempt only at its next once-a-second replication
// cron tick. A replica started before its upstream listens, or before a replica upstream is itself
// linked (it answers -NOMASTERLINK), loses up to a second per hop, and the engine starts the
// containers in any order. Waiting here, with the server not yet running, means no client sees a
// replica that accepts connections while empty or unlinked: they are refused until it is linked.
//
// The script is passed inline (`sh -c`) rather than uploaded: it runs as root, and a file under
// /data is handed to the server's user before the server starts, so that user could rewrite what
// root runs at the next restart. The container config is the engine's, not the volume's.
import { HEALTHCHECK_USER } from "./aclUsers";
import { DATA_DIR, HEALTHCHECK_PASSWORD_PATH, TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH } from "./containerPaths";
import { SentinelStartArgs, renderSentinelStartLines } from "./sentinelStartLines";
import { SERVER_UID } from "./containerSecurity";
import { serverBinaries } from "./serverBinaries";
import { WRITE_FENCE_NAME } from "./writeFence";
import { NodeSpec } from "./topology";

/** The official images' entrypoint, on PATH there (and in this project's local images). */
export const IMAGE_ENTRYPOINT = "docker-entrypoint.sh";

/** `$0` of the script: names it in `ps` and in its own log lines. */
export const START_SCRIPT_NAME = "redis-chain-start";

/** Pause between two probes of the upstream, in seconds (also redis-cli's `-i` between INFOs). */
export const PROBE_INTERVAL_SECONDS = 0.01;

/** Bound of one attempt to reach the upstream (name lookup, connect, TLS, login), in seconds. */
export const CONNECT_TIMEOUT_SECONDS = 0.3;

/** Longest stretch of the listening wait between two checks of the bound, in seconds. */
export const LISTEN_SLICE_SECONDS = 0.3;

/**
 * When the watchdog ends a listening wait, in seconds: a lookup of a name Docker's DNS does not know
 * yet is forwarded outside, and here every 25th of such lookups in a row hung for the resolver's 5 s.
 */
const LISTEN_WATCHDOG_SECONDS = 0.4;

/** Pause between two connects of the listening wait, in seconds. */
const LISTEN_INTERVAL_SECONDS = 0.005;

/** INFO replies per probe connection: the script checks its bound between probes (~1 s each). */
const INFOS_PER_PROBE = 100;

/** Why a reachable upstream cannot serve a replica yet (the script's progress lines say so). */
const LOADING = "loading its data";
const UNLINKED = "not linked to its own master";

/** What the start script of one node needs to know. */
export interface StartScriptOptions {
    /** The node's upstream, when it is a replica (its TLS client-certificate demand decides the probe's flags). */
    readonly upstream?: NodeSpec;
    /** Authentication on: the probe logs in as the healthcheck user with its password file. */
    readonly authEnabled: boolean;
    /** Longest wait for the upstream, in seconds; then the server starts anyway. 0: never wait. */
    readonly waitSeconds: number;
    /** A promotion candidate of a failover group: the sentinels to ask who is master before anything else. */
    readonly sentinel?: SentinelStartArgs;
    /** The write fence's script (lib/writeFence.ts), run beside the server as its user; absent where no fence runs. */
    readonly writeFence?: string;
}

/**
 * The container's entrypoint: `sh -c <script> redis-chain-start`, followed by the container command
 * (the server binary and its config), which the script runs.
 */
export function startEntrypoint(node: NodeSpec, options: StartScriptOptions): string[] {
    return ["/bin/sh", "-c", renderStartScript(node, options), START_SCRIPT_NAME];
}

/** The script's text. */
export function renderStartScript(node: NodeSpec, options: StartScriptOptions): string {
    const lines = [
        `# ${node.name}: start script (redis-chain). Arguments: the server command.`,
        "set -u",
        // PID 1 ignores signals it has no handler for: without this, `docker stop` of a waiting
        // container would wait out the stop timeout.
        "trap 'exit 143' TERM INT",
        `log() { echo "${START_SCRIPT_NAME}: $*"; }`,
        // Sentinel's view comes first: it decides whether, and for whom, the node waits.
        ...(options.sentinel ? renderSentinelStartLines(options.sentinel) : []),
        ...waitForUpstream(node, options),
        ...(options.writeFence ? startWriteFence(options.writeFence) : []),
        ...handOverToServer(),
    ];
    return `${lines.join("\n")}\n`;
}

/** Lines that wait until the upstream is ready to serve a replica; none for a master. */
function waitForUpstream(node: NodeSpec, options: StartScriptOptions): string[] {
    const link = node.link;
    // A declared master the sentinels name a replica starts at once: its new master is serving.
    if (!link) return options.sentinel ? [] : ['log "master: nothing to wait for"'];
    if (!options.upstream || options.upstream.name !== link.upstream) {
        throw new Error(`start script of ${node.name}: its upstream ${link.upstream} was not given`);
    }
    const where = `${link.upstream} (${link.target.host}:${link.target.port}, ${link.transport})`;
    if (options.waitSeconds === 0) return [`log "replica of ${where}: not waiting (bound 0 s)"`];
    const cli = cliCommand(node, options.upstream, options.authEnabled);
    return [
        // The upstream, as `replicaof` names it, unless the sentinels named another master.
        `upstream_name=${link.upstream}`,
        `upstream_host=${link.target.host}`,
        `upstream_port=${link.target.port}`,
        ...(options.sentinel ? sentinelUpstream(options.sentinel) : [`wait_for_upstream=yes`]),
        ...(options.authEnabled ? passwordLines() : []),
        // Reads INFO replies on stdin: ready is loaded (no -LOADING to a sync) and a master or a
        // linked replica (no -NOMASTERLINK); else prints why not. Lines end in CR; the cli's errors
        // come down the same pipe. The shell's read takes a pipe byte by byte, so the verdict comes
        // with the line that decides it; awk (mawk in the Debian images) would wait for a full
        // buffer or the end of the cli's repeats, a second later.
        `cr=$(printf '\\r')`,
        `judge() {`,
        `    loading=`,
        `    why=`,
        `    while IFS= read -r line || [ -n "$line" ]; do`,
        `        line=\${line%"$cr"}`,
        `        case "$line" in`,
        `            "# Persistence") loading= ;;`,
        `            loading:*) loading=\${line#loading:} ;;`,
        `            role:master | master_link_status:up)`,
        `                [ "$loading" = 0 ] && return 0`,
        `                why="${LOADING}" ;;`,
        `            master_link_status:down) why="${UNLINKED}" ;;`,
        `            [a-z_0-9]*:*) ;;`,
        `            [A-Za-z\\(]*) why=$line ;;`,
        `        esac`,
        `    done`,
        `    echo "\${why:-no answer}"`,
        `    return 1`,
        `}`,
        // Runs in a subshell (why=$(ready)): REDISCLI_AUTH, which keeps the password off the command
        // line (valkey-cli reads it too), is exported there only, so the server never inherits it.
        `ready() {`,
        ...(options.authEnabled ? ['    export REDISCLI_AUTH="$password"'] : []),
        // One look, cut short: a lookup of a name the network does not know yet goes to the outside
        // resolvers, which can hold it for seconds after the upstream appears.
        `    why=$({`,
        `        ${cli} info persistence replication 2>&1 &`,
        `        look=$!`,
        ...indented("        ", startWatchdog("look", CONNECT_TIMEOUT_SECONDS)),
        `        wait "$look"`,
        ...indented("        ", stopWatchdog()),
        `    } | judge) && return 0`,
        `    case "$why" in`,
        `        "${LOADING}" | "${UNLINKED}") ;;`,
        `        *) echo "$why"; return 1 ;;`,
        `    esac`,
        // Reachable but not ready yet: one connection asks INFO every PROBE_INTERVAL_SECONDS (no
        // process or TLS handshake per look). The cli ignores SIGPIPE and would finish all its
        // repeats after judge has decided, so it writes to a FIFO and is killed once judge exits.
        `    rm -f "$looks"; mkfifo "$looks"`,
        `    ${cli} -r ${INFOS_PER_PROBE} -i ${PROBE_INTERVAL_SECONDS} info persistence replication >"$looks" 2>&1 &`,
        `    look=$!`,
        `    judge <"$looks"`,
        `    verdict=$?`,
        `    kill "$look" 2>/dev/null`,
        `    wait "$look" 2>/dev/null`,
        `    return $verdict`,
        `}`,
        ...listeningWait(),
        `looks=/tmp/${START_SCRIPT_NAME}.looks`,
        `if [ "$wait_for_upstream" = yes ]; then`,
        `log "replica of $upstream_name ($upstream_host:$upstream_port, ${link.transport}): waiting up to ${options.waitSeconds} s for it to serve replicas; the server starts after"`,
        `started=$(date +%s)`,
        `deadline=$((started + ${options.waitSeconds}))`,
        `probes=0`,
        `last=`,
        `said=$started`,
        `while :; do`,
        `    if why=$(listening) && why=$(ready); then`,
        `        log "$upstream_name ready after $probes failed probes; starting the server"`,
        `        break`,
        `    fi`,
        `    probes=$((probes + 1))`,
        `    now=$(date +%s)`,
        `    if [ "$now" -ge "$deadline" ]; then`,
        `        log "$upstream_name not ready after ${options.waitSeconds} s ($why); starting anyway, the server retries once a second"`,
        `        break`,
        `    fi`,
        // Progress: each new reason at once, the same one again once a second.
        `    if [ "$why" != "$last" ] || [ "$now" != "$said" ]; then`,
        `        log "$upstream_name: $why ($((now - started)) s)"`,
        `        last=$why`,
        `        said=$now`,
        `    fi`,
        `    sleep ${PROBE_INTERVAL_SECONDS}`,
        `done`,
        `fi`,
    ];
}

/**
 * `listening`: returns once the upstream accepts a TCP connection, or after LISTEN_SLICE_SECONDS
 * saying why not. A cli probe costs a process start (~16 ms of CPU here, with the watchdog and the
 * loop's own `date` and `sleep` ~40 ms): probing every 10 ms until the upstream listened kept a
 * whole core busy per waiting replica, and the upstream started that much slower on 2 cores. Bash
 * connects and naps without a new process (`/dev/tcp`, `read -t` on a FIFO that never gets data).
 * Images without bash (Alpine's busybox) keep the cli probe alone. The watchdog bounds a connect or
 * name lookup that hangs, as the cli's does.
 */
export function listeningWait(): string[] {
    const sliceMicros = Math.round(LISTEN_SLICE_SECONDS * 1e6);
    const bashLoop = [
        "host=$1 port=$2",
        'exec 8<>"$3"',
        `end=$((\${EPOCHREALTIME/./} + ${sliceMicros}))`,
        'while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do',
        '    true 2>/dev/null 9<>"/dev/tcp/$host/$port" && exit 0',
        `    read -r -t ${LISTEN_INTERVAL_SECONDS} -u 8`,
        "done",
        'why=$( { true 9<>"/dev/tcp/$host/$port"; } 2>&1 ) && exit 0',
        // The first line (bash says "<$0>: connect: Connection refused", then the path); no quote
        // characters here: the loop sits in single quotes in the start script.
        'mapfile -t lines <<< "$why"',
        'echo "not listening (${lines[0]#*: })"',
        "exit 1",
    ].join("\n");
    return [
        `listen_loop='${bashLoop}'`,
        `naps=/tmp/${START_SCRIPT_NAME}.naps`,
        `rm -f "$naps"; mkfifo "$naps"`,
        `listening() {`,
        `    command -v bash >/dev/null 2>&1 || return 0`,
        `    bash -c "$listen_loop" ${START_SCRIPT_NAME} "$upstream_host" "$upstream_port" "$naps" &`,
        `    listener=$!`,
        ...indented("    ", startWatchdog("listener", LISTEN_WATCHDOG_SECONDS)),
        `    wait "$listener" 2>/dev/null`,
        `    verdict=$?`,
        ...indented("    ", stopWatchdog()),
        `    [ "$verdict" -gt 128 ] && echo "not listening (no answer in ${LISTEN_WATCHDOG_SECONDS} s)"`,
        `    return $verdict`,
        `}`,
    ];
}

/**
 * Lines that start a watchdog killing the process whose pid is in `$pidVar` after `seconds`, its pid
 * in `$watchdog`. The kill is the script's own: busybox's timeout counts whole seconds. The watchdog
 * and its sleep are ended and reaped (stopWatchdog): an orphan is handed to PID 1, which is the
 * server once the script has exec'd it, and Redis, reaping it in place of its next fork's child
 * ("detected child with unmatched pid"), handles that child's end a cron tick (100 ms) late.
 */
function startWatchdog(pidVar: string, seconds: number): string[] {
    return [
        `{ trap 'kill "\${nap:-}"; wait "\${nap:-}"; exit' TERM; sleep ${seconds} & nap=$!; wait "$nap"; kill "$${pidVar}"; } >/dev/null 2>&1 &`,
        "watchdog=$!",
    ];
}

/** Lines that end and reap the watchdog once the process it guards has ended. */
function stopWatchdog(): string[] {
    return ['kill "$watchdog" 2>/dev/null', 'wait "$watchdog"'];
}

function indented(indent: string, lines: string[]): string[] {
    return lines.map((line) => `${indent}${line}`);
}

/** Heredoc delimiter of the fence's script inside the start script. */
const FENCE_SCRIPT_END = "REDIS_CHAIN_FENCE_SCRIPT_END";

/**
 * Starts the write fence in the background, as the server's user (it reads files the image's
 * entrypoint hands to that user, and needs nothing of root's). It stays a child of PID 1, the
 * server, once the script has exec'd.
 */
function startWriteFence(script: string): string[] {
    if (script.split("\n").includes(FENCE_SCRIPT_END)) throw new Error(`the write fence's script contains its heredoc delimiter ${FENCE_SCRIPT_END}`);
    return [
        `fence_script=$(cat <<'${FENCE_SCRIPT_END}'`,
        script.trimEnd(),
        FENCE_SCRIPT_END,
        ")",
        ...asServerUser("", `/bin/sh -c "$fence_script" ${WRITE_FENCE_NAME} &`, [
            'log "no gosu, su-exec or setpriv in the image: the write fence cannot drop root and does not run"',
        ]),
        "unset fence_script",
    ];
}

/**
 * Runs the server as the image's entrypoint would for the server's own binary name, which the
 * container command starts with: what under /data is not the server's user's is handed to it, umask
 * 0077 where the default 0022 is set, uid/gid 999. Done here, it skips the entrypoint's second shell,
 * `id`, `grep` and re-run of itself as the user, process starts that cost every node's start tens
 * of ms on this machine, on the path of every hop. The config sets protected-mode, the one other
 * thing the official entrypoints decide. Without a drop tool, or not root, the entrypoint does it.
 */
function handOverToServer(): string[] {
    return [
        'if [ "$(id -u)" = 0 ]; then',
        `    find ${DATA_DIR} \\! -user ${SERVER_UID} -exec chown ${SERVER_UID} '{}' +`,
        '    [ "$(umask)" = 0022 ] && umask 0077',
        ...indented("    ", asServerUser("exec ", '"$@"', [])),
        "fi",
        `exec ${IMAGE_ENTRYPOINT} "$@"`,
    ];
}

/**
 * Lines that run `command` as uid:gid 999 with the first drop tool the image has (gosu in the
 * official Debian images and this project's local ones, su-exec in the Alpine ones, setpriv in the
 * newest), `lead` ("exec " or nothing) before the tool; `otherwise` when it has none.
 */
function asServerUser(lead: string, command: string, otherwise: string[]): string[] {
    const id = `${SERVER_UID}:${SERVER_UID}`;
    return [
        "if command -v gosu >/dev/null 2>&1; then",
        `    ${lead}gosu ${id} ${command}`,
        "elif command -v su-exec >/dev/null 2>&1; then",
        `    ${lead}su-exec ${id} ${command}`,
        "elif command -v setpriv >/dev/null 2>&1; then",
        `    ${lead}setpriv --reuid=${SERVER_UID} --regid=${SERVER_UID} --clear-groups -- ${command}`,
        ...(otherwise.length > 0 ? ["else", ...indented("    ", otherwise)] : []),
        "fi",
    ];
}

/**
 * After the sentinel lines: a node the sentinels name master waits for nobody; one they name a
 * replica of another master waits for that master (its announced address) instead of the declared
 * upstream; with no answer (first deploy), the declared upstream.
 */
function sentinelUpstream(sentinel: SentinelStartArgs): string[] {
    return [
        `wait_for_upstream=yes`,
        `case "$rc_s_master" in`,
        `    "") ;;`,
        `    "${sentinel.self.host} ${sentinel.self.port}") wait_for_upstream=no ;;`,
        `    *) upstream_host=\${rc_s_master% *}; upstream_port=\${rc_s_master#* }; upstream_name=$upstream_host ;;`,
        `esac`,
    ];
}

/**
 * Reads the healthcheck password once. Unreadable (a root without DAC_OVERRIDE facing a file the
 * entrypoint handed to the server's user): the probe would only fail, so the script says so and
 * the wait bound is what remains.
 */
function passwordLines(): string[] {
    return [
        `if ! password=$(cat ${HEALTHCHECK_PASSWORD_PATH} 2>/dev/null); then`,
        `    log "cannot read ${HEALTHCHECK_PASSWORD_PATH}; probing without a password"`,
        `    password=`,
        `fi`,
    ];
}

/**
 * The cli aimed at the upstream as the healthcheck user, over TLS with the chain's CA where the link
 * is TLS, with the node's own certificate where the upstream demands one (as the replica will).
 */
function cliCommand(node: NodeSpec, upstream: NodeSpec, authEnabled: boolean): string {
    const binary = serverBinaries(node.release.kind).cli;
    const parts = [binary, "-h", '"$upstream_host"', "-p", '"$upstream_port"'];
    if (node.link!.transport === "tls") {
        parts.push("--tls", "--cacert", TLS_CA_PATH);
        if (upstream.tlsAuthClients === "yes") parts.push("--cert", TLS_CERT_PATH, "--key", TLS_KEY_PATH);
    }
    if (authEnabled) parts.push("--user", HEALTHCHECK_USER);
    return parts.join(" ");
}
