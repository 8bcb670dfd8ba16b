// What an ACL user may run, read from the server itself: ACL DRYRUN of every command it knows.
import Redis from "ioredis";

/** Redis lets any user run these (logging in, leaving, resetting the connection): DRYRUN reports them allowed for every user. */
export const EVERY_USER_COMMANDS: readonly string[] = ["auth", "hello", "quit", "reset"];

/** Every command and subcommand the server knows (`name` or `name|sub`), with enough dummy arguments for its arity. */
export async function allCommands(admin: Redis): Promise<{ name: string; words: string[] }[]> {
    const docs = (await admin.call("COMMAND")) as unknown[][];
    const invocation = (name: string, arity: number) => {
        const words = name.split("|");
        return { name, words: [...words, ...Array(Math.max(Math.abs(arity), words.length) - words.length).fill("x")] };
    };
    return docs.flatMap((doc) => {
        const subcommands = (doc[9] as unknown[][] | undefined) ?? [];
        return subcommands.length === 0 ? [invocation(String(doc[0]), Number(doc[1]))] : subcommands.map((sub) => invocation(String(sub[0]), Number(sub[1])));
    });
}

/** The commands (lower case) `user` may run, by ACL DRYRUN over all of them, through an admin connection. */
export async function commandsAllowed(admin: Redis, user: string): Promise<{ allowed: string[]; tried: number }> {
    const invocations = await allCommands(admin);
    const allowed: string[] = [];
    for (const { name, words } of invocations) {
        const verdict = await admin.call("ACL", "DRYRUN", user, ...words).catch((e: Error) => e.message);
        if (verdict === "OK") allowed.push(name.toLowerCase());
    }
    return { allowed: allowed.sort(), tried: invocations.length };
}

/** What `commandsAllowed` should return for a user with these rules: its `+command` rules and EVERY_USER_COMMANDS. */
export function expectedAllowed(rules: readonly string[]): string[] {
    return [...rules.filter((r) => r.startsWith("+") && !r.startsWith("+@")).map((r) => r.slice(1)), ...EVERY_USER_COMMANDS].sort();
}
