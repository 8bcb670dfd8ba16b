// The project's second Docker host: a dockerd in a network namespace at 10.200.0.2 (made by
// tests/infra/second-docker-host.sh), standing in for another machine; the machine's own engine is
// reached on 10.200.0.1 from there. Shared by the tests that spread a stack over two hosts.
import { DockerEngine, run } from "./harness/run";
import { DEFAULT_LOCAL_IMAGE, SECOND_HOST_SCRIPT } from "./testBed";

/** The second engine's socket, as a stack's `hosts` entry names it. */
export const HOST2_DOCKER = "unix:///run/redis-chain-host2/docker.sock";

/** `redis-chain:hosts` for a stack over the machine's engine ("local") and the second one ("host2"). */
export const TWO_HOSTS = {
    local: { address: "10.200.0.1" },
    host2: { docker: HOST2_DOCKER, address: "10.200.0.2" },
};

/** The second engine, for `docker` commands there. */
export const host2 = new DockerEngine(HOST2_DOCKER);

/** A network namespace and a second dockerd need root; CI runs as root. */
export const secondHostUnavailable = process.getuid?.() !== 0;

/** Brings the second host up (with a copy of the tests' image), takes it down, or stops its engine only. */
export function secondHost(command: "up" | "down" | "stop-engine"): Promise<string> {
    const env = { ...process.env, REDIS_CHAIN_LOCAL_IMAGE: DEFAULT_LOCAL_IMAGE };
    return run("bash", [SECOND_HOST_SCRIPT, command], { env, onStderr: (c) => process.stderr.write(c) });
}
