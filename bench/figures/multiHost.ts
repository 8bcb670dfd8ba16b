// Figure 6: converge of our dev chain with C on a second Docker host vs all on one host, same run.
// The second host is a dockerd in a network namespace (tests/infra/second-docker-host.sh), which needs
// root; elsewhere the figure is skipped with the reason.
import { DeployedStack, StackConfig, deployStack, readStackConfig } from "../../testkit/harness/deployStack";
import { run } from "../../testkit/harness/run";
import { convergeMs, testStack } from "../../testkit/stacks";
import { SECOND_HOST_SCRIPT } from "../../testkit/testBed";
import { Log } from "../chain";
import { BenchNames } from "../settings";

/** Addresses the script gives the machine's own engine and the second one. */
const HOSTS = { local: { address: "10.200.0.1" }, host2: { docker: "unix:///run/redis-chain-host2/docker.sock", address: "10.200.0.2" } };

export type MultiHostResult =
    | {
          /** First container create -> post-deploy check done (every link up, a key read on every node). */
          readonly oneHostMs: number;
          readonly twoHostsMs: number;
      }
    | { readonly skipped: string };

/** Why this machine cannot run the figure, or undefined when it can. */
export function multiHostUnavailable(): string | undefined {
    return process.getuid?.() === 0 ? undefined : "the second Docker host needs root (network namespace, dockerd)";
}

export async function measureMultiHost(names: BenchNames, log: Log): Promise<MultiHostResult> {
    const unavailable = multiHostUnavailable();
    if (unavailable) {
        log(`multi-host: skipped: ${unavailable}`);
        return { skipped: unavailable };
    }
    const secondHost = (command: "up" | "down") => run("bash", [SECOND_HOST_SCRIPT, command]);
    // The post-deploy check stays on: converge as users feel it ends with the check.
    const base = testStack(readStackConfig("dev"), names.multiHostPrefix, names.multiHostPortOffset);
    const twoHosts: StackConfig = {
        ...base,
        hosts: HOSTS,
        nodes: (base.nodes as any[]).map((n) => (n.name === "redis-c" ? { ...n, host: "host2" } : n)),
    };
    const timed = async (label: string, config: StackConfig): Promise<number> => {
        log(`multi-host: deploying ${label}`);
        const stack: DeployedStack = await deployStack(config, (line) => log(`multi-host ${label}: ${line}`));
        try {
            return convergeMs(stack);
        } finally {
            await stack.destroy();
        }
    };
    await secondHost("up");
    try {
        const oneHostMs = await timed("one host", base);
        const twoHostsMs = await timed("C on a second host", twoHosts);
        log(`multi-host: converge one host ${oneHostMs} ms, C on a second host ${twoHostsMs} ms`);
        return { oneHostMs, twoHostsMs };
    } finally {
        await secondHost("down");
    }
}
