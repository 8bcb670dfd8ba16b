// Faults on containers by name with the docker CLI, timed by the engine rather than by the caller:
// `docker kill` returns a few hundred ms after the process died, so the call instant is no fault instant.
import { docker } from "../harness/run";

/** SIGKILLs the container and returns when its process died (Date ms, from the engine's State.FinishedAt). */
export async function killContainer(name: string): Promise<number> {
    await docker(["kill", name]);
    const finished = (await docker(["inspect", "--format", "{{.State.FinishedAt}}", name])).trim();
    const at = Date.parse(finished);
    if (Number.isNaN(at)) throw new Error(`docker inspect ${name}: no FinishedAt (${finished})`);
    return at;
}

/** Disconnects the container from `network` and returns the instant the call returned. */
export async function disconnectContainer(network: string, name: string): Promise<number> {
    await docker(["network", "disconnect", network, name]);
    return Date.now();
}

/** Connects it again, under its name as network alias (other nodes find it by name). */
export async function connectContainer(network: string, name: string): Promise<number> {
    await docker(["network", "connect", "--alias", name, network, name]);
    return Date.now();
}
