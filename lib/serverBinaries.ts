// The executables of each server kind. The official images' entrypoints chown /data and drop to the
// unprivileged user only when the command is the server's own name (`redis-server` in the redis
// image, `valkey-server` in the valkey image); the valkey image also ships `redis-*` names, and
// Valkey started through one of them keeps running as root. So a node's command must use these.
import { ServerKind } from "./serverRelease";

/** The executables of one server kind. */
export interface ServerBinaries {
    /** The server; the container command starts with it. */
    readonly server: string;
    /** Sentinel, for failover monitoring. */
    readonly sentinel: string;
    /** The command-line client, used by healthchecks and tests. */
    readonly cli: string;
}

export const SERVER_BINARIES: Readonly<Record<ServerKind, ServerBinaries>> = {
    redis: { server: "redis-server", sentinel: "redis-sentinel", cli: "redis-cli" },
    valkey: { server: "valkey-server", sentinel: "valkey-sentinel", cli: "valkey-cli" },
};

/** The executables of `kind`. */
export function serverBinaries(kind: ServerKind): ServerBinaries {
    return SERVER_BINARIES[kind];
}
