// A node's container entrypoint when something must run before the image's entrypoint (the
// sentinel start lines): an inline `/bin/sh -c` script that ends in `exec docker-entrypoint.sh "$@"`,
// with the server command as its arguments, so the image's entrypoint still hands /data to the
// server's user and drops root exactly as without it.

/** The `$0` of the inline script, which names it in `ps` and in sh's own error messages. */
export const START_SCRIPT_NAME = "redis-chain-start";

/** Container `entrypoints` running `lines` before the image's entrypoint; the container's `command` stays the server command. */
export function startEntrypoint(lines: readonly string[]): string[] {
    return ["/bin/sh", "-c", [...lines, 'exec docker-entrypoint.sh "$@"', ""].join("\n"), START_SCRIPT_NAME];
}
