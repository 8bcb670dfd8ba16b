// Server settings that close administrative doors no ACL user should be able to open, the
// administrator included; rendered into every node's redis.conf.

/**
 * `enable-debug-command no` and `enable-module-command no`: DEBUG can crash or stall the server
 * and read memory, MODULE LOAD runs arbitrary code; both are refused to every connection, even
 * with `+@all`. `enable-protected-configs no`: CONFIG SET of `dir`, `dbfilename` and the other
 * protected settings (the classic "write a file anywhere" escalation) is refused too.
 */
export const HARDENING_SETTINGS: readonly string[] = [
    "enable-debug-command no",
    "enable-module-command no",
    "enable-protected-configs no",
];
