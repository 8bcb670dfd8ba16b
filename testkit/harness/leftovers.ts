// The safety net for resources the harness could not track (a killed run, a deploy that failed
// before the harness knew what it created).
import { docker } from "./run";

/**
 * Force-removes every container, network and volume whose name starts with `prefix` and returns
 * their names: the safety net for a deploy that failed before the harness knew what it created.
 */
export async function removeLeftovers(prefix: string): Promise<string[]> {
    const named = async (args: string[]) => (await docker(args)).split("\n").filter((n) => n.startsWith(prefix));
    const containers = await named(["ps", "-a", "--format", "{{.Names}}"]);
    for (const c of containers) await docker(["rm", "--force", "--volumes", c]).catch(() => undefined);
    const networks = await named(["network", "ls", "--format", "{{.Name}}"]);
    for (const n of networks) await docker(["network", "rm", n]).catch(() => undefined);
    const volumes = await named(["volume", "ls", "--format", "{{.Name}}"]);
    for (const v of volumes) await docker(["volume", "rm", "--force", v]).catch(() => undefined);
    return [...containers, ...networks, ...volumes];
}
