// The write fence of a failover candidate: a small sh loop beside the server that stops an
// overruled or cut-off master from taking writes until a majority of its group's sentinels name it
// master again. Pure: it renders the loop's script text.
//
// Why: `min-replicas-to-write` stops an isolated master once its replicas' acknowledgements are
// older than `min-replicas-max-lag`, but a replica Sentinel cannot reach (one without a listener of
// the group's transport, such as a TLS-only replica in a plain group) stays with that old master,
// reconnects to it when the network heals and makes it writable again. Sentinel converts the old
// master only after it has reported the master role for 8 s (SENTINEL_PUBLISH_PERIOD * 4 in
// sentinel.c), and every write it takes meanwhile is lost in the full resync that follows.
//
// What the loop does, never changing a node's role (that stays Sentinel's job):
// - It reads the node's own INFO replication every LOOK_INTERVAL_SECONDS over one connection.
// - Fence: a master short of good replicas (`min_slaves_good_slaves` below its configured
//   `min-replicas-to-write`) for SHORTFALL_SECONDS that no majority of the sentinels names master,
//   or a master of at least SETTLE_SECONDS that a majority of the sentinels no longer name master, gets `min-replicas-to-write` FENCED_MIN_REPLICAS:
//   every write is refused with NOREPLICAS, whichever replicas come back.
// - Lift: back to the configured value once the node is a replica, or once a majority of the
//   sentinels name it master.
// - A master younger than SETTLE_SECONDS is not fenced by the sentinels' view: after a promotion the
//   other sentinels learn the new master from the leader's hello messages, every 2 s.
// The fence is never written to a config file: redis.conf is root's and the server cannot rewrite it.
import { FENCE_USER } from "./aclUsers";
import { FENCE_PASSWORD_PATH } from "./containerPaths";
import { majority } from "./failoverGroups";
import { ownServerCli } from "./healthcheck";
import { SentinelStartArgs, ownAddress, renderSentinelAsk } from "./sentinelStartLines";
import { NodeSpec, runsWriteFence } from "./topology";

/** `min-replicas-to-write` of a fenced master: more replicas than any node has. */
export const FENCED_MIN_REPLICAS = 1_000_000;
/** Between two looks at the node's INFO replication, s. */
export const LOOK_INTERVAL_SECONDS = 0.25;
/** How long a master may be short of good replicas before it is fenced, s. */
export const SHORTFALL_SECONDS = 1;
/** How long a new master waits before the sentinels' view can fence it, s. */
export const SETTLE_SECONDS = 10;
/** Between two asks of the sentinels by a settled, unfenced master, s. */
export const ASK_INTERVAL_SECONDS = 2;
/** Between two asks of the sentinels by a fenced master, s: how long the fence may outlast its cause. */
export const FENCED_ASK_INTERVAL_SECONDS = 1;

/** `$0` of the loop: names it in `ps` and in its log lines. */
export const WRITE_FENCE_NAME = "redis-chain-fence";

/** What the loop of one candidate needs. */
export interface WriteFenceArgs {
    /** How the node asks its group's sentinels (the same as its start lines). */
    readonly sentinel: SentinelStartArgs;
    /** The cli aimed at the node's own listener, without login (see ownServerCli). */
    readonly ownCli: string;
    /** The fence user's name and password file; absent with authentication off. */
    readonly login?: { readonly user: string; readonly passwordFile: string };
    /** The node's configured `min-replicas-to-write` (> 0): what the fence is lifted back to. */
    readonly minReplicasToWrite: number;
    /** Overrides of the timing constants above, for tests. */
    readonly timing?: Partial<WriteFenceTiming>;
}

/** The loop's timing, s. */
export interface WriteFenceTiming {
    readonly lookIntervalSeconds: number;
    readonly shortfallSeconds: number;
    readonly settleSeconds: number;
    readonly askIntervalSeconds: number;
    readonly fencedAskIntervalSeconds: number;
}

/**
 * The fence script of one node, or undefined where no fence runs: the node asks the sentinels as its
 * start lines do (`sentinel`, absent outside a group), and logs in as the fence user when
 * authentication is on.
 */
export function writeFenceFor(node: NodeSpec, sentinel: SentinelStartArgs | undefined, authEnabled: boolean): string | undefined {
    if (!sentinel || !runsWriteFence(node)) return undefined;
    return renderWriteFence({
        sentinel,
        ownCli: ownServerCli(node),
        login: authEnabled ? { user: FENCE_USER, passwordFile: FENCE_PASSWORD_PATH } : undefined,
        minReplicasToWrite: node.failover!.minReplicasToWrite,
    });
}

/** The loop's script, for `sh -c <script> redis-chain-fence`. */
export function renderWriteFence(args: WriteFenceArgs): string {
    if (!Number.isInteger(args.minReplicasToWrite) || args.minReplicasToWrite < 1) {
        throw new Error(`write fence: minReplicasToWrite must be at least 1, got ${args.minReplicasToWrite}`);
    }
    const timing: WriteFenceTiming = {
        lookIntervalSeconds: LOOK_INTERVAL_SECONDS,
        shortfallSeconds: SHORTFALL_SECONDS,
        settleSeconds: SETTLE_SECONDS,
        askIntervalSeconds: ASK_INTERVAL_SECONDS,
        fencedAskIntervalSeconds: FENCED_ASK_INTERVAL_SECONDS,
        ...args.timing,
    };
    const looks = (seconds: number) => Math.max(1, Math.ceil(seconds / timing.lookIntervalSeconds));
    const own = args.login
        ? `REDISCLI_AUTH="$(cat ${args.login.passwordFile} 2>/dev/null)" ${args.ownCli} --user ${args.login.user}`
        : args.ownCli;
    const lines = [
        "set -u",
        `log() { echo "${WRITE_FENCE_NAME}: $*"; }`,
        `cr=$(printf '\\r')`,
        // Sets rc_s_master, rc_s_votes, rc_s_count.
        "ask() {",
        // Not indented: its heredoc delimiters must start their lines.
        ...renderSentinelAsk(args.sentinel),
        "}",
        // Sets verdict: self (a majority names this node), other (a majority names another), or
        // none (no majority answers alike).
        "judge_sentinels() {",
        "    ask",
        `    if [ -z "$rc_s_master" ] || [ "$rc_s_votes" -lt ${majority(args.sentinel.sentinels.length)} ]; then verdict=none`,
        `    elif [ "$rc_s_master" = "${ownAddress(args.sentinel)}" ]; then verdict=self`,
        "    else verdict=other; fi",
        "}",
        "set_min() {",
        `    out=$(${own} config set min-replicas-to-write "$1" 2>&1)`,
        '    [ "$out" = OK ] && return 0',
        '    log "CONFIG SET min-replicas-to-write $1 failed: $out"',
        "    return 1",
        "}",
        `fence() { set_min ${FENCED_MIN_REPLICAS} && state=fenced && log "$1; refusing every write until a majority of the sentinels name this node master"; }`,
        `lift() { set_min ${args.minReplicasToWrite} && state=open && log "$1; writes need ${args.minReplicasToWrite} good replicas again"; }`,
        // One look: role, good replicas; decided at the last field of INFO replication.
        "decide() {",
        '    if [ "$role" != master ]; then',
        "        master_looks=0",
        "        short=0",
        '        [ "$state" = open ] || lift "a replica now"',
        "        return",
        "    fi",
        "    master_looks=$((master_looks + 1))",
        "    since_ask=$((since_ask + 1))",
        '    if [ "$state" != open ]; then',
        // Fenced, or just started (a previous loop may have fenced it).
        `        [ "$since_ask" -ge ${looks(timing.fencedAskIntervalSeconds)} ] || [ "$state" = unknown ] || return`,
        "        since_ask=0",
        "        judge_sentinels",
        "        case $verdict in",
        `            self) lift "a majority of the sentinels name this node master" ;;`,
        `            other) [ "$state" = fenced ] || fence "a majority of the sentinels name $rc_s_master master" ;;`,
        '            none) [ "$state" = fenced ] || state=open ;;',
        "        esac",
        "        return",
        "    fi",
        `    if [ "\${good:-${args.minReplicasToWrite}}" -lt ${args.minReplicasToWrite} ]; then short=$((short + 1)); else short=0; fi`,
        // Short of replicas: fenced unless a majority of the sentinels still name it master (a
        // master they confirm is not cut off; fencing it would only be lifted at the next ask).
        `    if [ "$short" -ge ${looks(timing.shortfallSeconds)} ]; then`,
        "        short=0",
        "        since_ask=0",
        "        judge_sentinels",
        `        [ "$verdict" = self ] || fence "a master with $good of ${args.minReplicasToWrite} good replicas for ${timing.shortfallSeconds} s"`,
        "        return 0",
        "    fi",
        `    if [ "$master_looks" -ge ${looks(timing.settleSeconds)} ] && [ "$since_ask" -ge ${looks(timing.askIntervalSeconds)} ]; then`,
        "        since_ask=0",
        "        judge_sentinels",
        `        [ "$verdict" = other ] && fence "a majority of the sentinels name $rc_s_master master"`,
        "    fi",
        "    return 0",
        "}",
        `log "watching this master's replicas and its sentinels (fence below ${args.minReplicasToWrite} good replicas for ${timing.shortfallSeconds} s)"`,
        "while :; do",
        // A new connection (the first, or after Sentinel's CLIENT KILL of a demoted master's
        // clients): what the loop did before is unknown until it has looked.
        "    state=unknown master_looks=0 short=0 since_ask=0 role= good=",
        `    ${own} -r -1 -i ${timing.lookIntervalSeconds} info replication 2>/dev/null | {`,
        '        while IFS= read -r line; do',
        '            line=${line%"$cr"}',
        '            case "$line" in',
        "                role:*) role=${line#role:} good= ;;",
        "                min_slaves_good_slaves:*) good=${line#*:} ;;",
        "                repl_backlog_histlen:*) decide ;;",
        "            esac",
        "        done",
        "    }",
        "    sleep 1",
        "done",
    ];
    return `${lines.join("\n")}\n`;
}
