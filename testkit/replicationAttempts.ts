// Whether a deploy made any replica try to replicate and fail, read from facts Redis (7.0, 8.x)
// and Valkey (8.x) both give:
// - every attempt a replica makes is one log line "Connecting to MASTER <host>:<port>" (Valkey:
//   "PRIMARY"), written when replicationCron or REPLICAOF starts it;
// - a failed one leaves one of the error lines below: the connect failed (upstream not listening),
//   PING or PSYNC was answered with an error (-LOADING, -NOAUTH, -NOMASTERLINK from a replica
//   upstream that is not linked itself, which Redis logs as "unable to PSYNC");
// - on the upstream, INFO stats `sync_full` counts the full syncs it served and `sync_partial_err`
//   the partial resyncs it had to refuse.
// A refused attempt: a replica logged more than one attempt before its link came up, or any of the
// error lines. On a fresh deploy each upstream serves exactly one full sync per direct replica.
import { docker } from "./harness/run";

const ATTEMPT_LINE = /Connecting to (MASTER|PRIMARY) /;
/** The link came up (first sync or partial resync done). */
export const LINK_UP_LOG_LINE = /(MASTER|PRIMARY) <-> REPLICA sync: Finished with success|accepted a Partial Resynchronization/;
const REFUSAL_LINES = [
    /Error condition on socket for SYNC/,
    /Unable to connect to (MASTER|PRIMARY)/,
    /unable to PSYNC/i,
    /Error reply to PING from (master|primary)/i,
    /Unexpected reply to PSYNC/i,
    /NOMASTERLINK|NOPRIMARYLINK|-LOADING|NOAUTH|WRONGPASS|NOPERM/,
    /Timeout connecting to the (MASTER|PRIMARY)/,
];

/** One replica's replication attempts in its log. */
export interface ReplicaAttempts {
    readonly container: string;
    /** "Connecting to MASTER" lines up to (and including the one of) the first link up. */
    readonly attempts: number;
    /** Error lines about an attempt, in order. */
    readonly refusals: readonly string[];
    /** Docker's timestamp (epoch ms) of the first link-up line, if any. */
    readonly linkedAt?: number;
}

/** Reads a replica's log (Docker's timestamps) up to its first link up. */
export async function replicaAttempts(container: string): Promise<ReplicaAttempts> {
    return parseReplicaLog(container, await docker(["logs", "--timestamps", container]));
}

/** The attempts in a replica's `docker logs --timestamps` text, up to its first link up. */
export function parseReplicaLog(container: string, text: string): ReplicaAttempts {
    let attempts = 0;
    const refusals: string[] = [];
    let linkedAt: number | undefined;
    for (const raw of text.split("\n")) {
        const space = raw.indexOf(" ");
        const line = raw.slice(space + 1);
        // The start script's own lines quote the cli's errors; only the server's count.
        if (line.startsWith("redis-chain-start:")) continue;
        if (ATTEMPT_LINE.test(line)) attempts++;
        if (REFUSAL_LINES.some((re) => re.test(line))) refusals.push(line);
        if (LINK_UP_LOG_LINE.test(line)) {
            linkedAt = Date.parse(raw.slice(0, space).replace(/(\.\d{3})\d*Z$/, "$1Z"));
            break;
        }
    }
    return { container, attempts, refusals, linkedAt };
}

/** What is wrong with a replica's attempts, or undefined when it linked at its first attempt. */
export function refusedAttemptProblem(a: ReplicaAttempts): string | undefined {
    if (a.linkedAt === undefined) return `${a.container}: never linked (${a.attempts} attempts)`;
    if (a.attempts !== 1 || a.refusals.length > 0) {
        return `${a.container}: ${a.attempts} attempts before its link came up${a.refusals.length ? `; ${a.refusals.join(" | ")}` : ""}`;
    }
    return undefined;
}
