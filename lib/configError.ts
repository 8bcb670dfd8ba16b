// The one error invalid stack config raises, whichever key is wrong (nodes, hosts, image, ...).

/** Thrown for invalid stack config; `problems` holds one line per broken rule. */
export class ConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`invalid redis-chain config:\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }
}
