// Which server a node runs, as its INFO server section reports it. Valkey keeps `redis_version`
// at 7.2.4 for clients that test it and reports its own release in `valkey_version`, so the
// kind has to be read before the version.

/** What INFO server says about the running process. */
export interface ServerIdentity {
    readonly kind: "redis" | "valkey";
    /** The release, e.g. "8.0.2". */
    readonly version: string;
    /** Changes with every start of the process. */
    readonly runId: string;
}

/** Reads kind, version and run id from parsed INFO fields; undefined when the section is missing. */
export function serverIdentity(info: Record<string, string>): ServerIdentity | undefined {
    const valkey = info.server_name === "valkey" || info.valkey_version !== undefined;
    const version = valkey ? info.valkey_version : info.redis_version;
    if (version === undefined || info.run_id === undefined) return undefined;
    return { kind: valkey ? "valkey" : "redis", version, runId: info.run_id };
}

/** "redis 8.0.2" / "valkey 8.1.1": how releases are written in messages and resource inputs. */
export function releaseLabel(identity: Pick<ServerIdentity, "kind" | "version">): string {
    return `${identity.kind} ${identity.version}`;
}
