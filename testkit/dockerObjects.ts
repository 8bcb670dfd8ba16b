// Containers, networks and volumes found by name prefix: the leftover check of the tests and the
// sweep of the bench, and the safety net for resources the harness could not track (a killed run,
// a deploy that failed before the harness knew what it created).
import { docker } from "./harness/run";

const LISTS = [
    ["ps", "-a", "--format", "{{.Names}}"],
    ["network", "ls", "--format", "{{.Name}}"],
    ["volume", "ls", "--format", "{{.Name}}"],
] as const;

/** Names of the containers, networks and volumes (in that order) that start with any of `prefixes`. */
export async function dockerObjectsNamed(...prefixes: string[]): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
    const [containers, networks, volumes] = await Promise.all(
        LISTS.map(async (args) => (await docker(args)).split("\n").filter((n) => n && prefixes.some((p) => n.startsWith(p)))),
    );
    return { containers, networks, volumes };
}

/** Every container, network and volume name that starts with any of `prefixes`. */
export async function leftoversNamed(...prefixes: string[]): Promise<string[]> {
    const { containers, networks, volumes } = await dockerObjectsNamed(...prefixes);
    return [...containers, ...networks, ...volumes];
}

/**
 * Force-removes every container (with its anonymous volumes), then network, then volume whose name
 * starts with any of `prefixes`, and returns their names. Containers go first: a network or volume
 * in use cannot be removed. A failed removal is left for the caller's leftover check to report.
 */
export async function removeLeftovers(...prefixes: string[]): Promise<string[]> {
    const { containers, networks, volumes } = await dockerObjectsNamed(...prefixes);
    for (const c of containers) await docker(["rm", "--force", "--volumes", c]).catch(() => undefined);
    for (const n of networks) await docker(["network", "rm", n]).catch(() => undefined);
    for (const v of volumes) await docker(["volume", "rm", "--force", v]).catch(() => undefined);
    return [...containers, ...networks, ...volumes];
}
