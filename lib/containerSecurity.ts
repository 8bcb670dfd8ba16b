// What a Redis container may do beyond running the server, stated once. The start script (as the
// official images' entrypoint would) starts as root, hands /data to the server's user (chown) and
// drops to uid/gid 999 (gosu, su-exec or setpriv): those three capabilities are all it uses, and
// the server itself then runs with none (CapEff 0, checked on every local image by serverImages).

/** The server's user and group in the official images (and this project's local ones). */
export const SERVER_UID = 999;

/** Capabilities added back after dropping ALL: the entrypoint's chown of /data and its privilege drop. */
export const ENTRYPOINT_CAPABILITIES = ["CHOWN", "SETUID", "SETGID"] as const;

/** No process in the container gains privileges through setuid binaries or file capabilities. */
export const SECURITY_OPTS = ["no-new-privileges:true"] as const;

/**
 * Mode of uploaded files that `docker exec` (the healthcheck) must read besides the server. Without
 * DAC_OVERRIDE, root in the container cannot read a 0600 file the entrypoint handed to uid 999; the
 * entrypoint changes only the owner, so the group stays root (gid 0, which the server is not in).
 */
export const EXEC_READABLE_SECRET_MODE = "0640";

/** Mode of uploaded files only the server reads. */
export const SERVER_ONLY_SECRET_MODE = "0600";
