// The failover bench against a group built by hand with the docker CLI (no Pulumi): runnable now.
// FAILOVER_KILLS (default 3), FAILOVER_DOWN_AFTER_MS (default 1000), FAILOVER_WAIT_MS (default 100),
// FAILOVER_IMAGE (default: the tests' default Redis image).
import { killContainer } from "../testkit/failover/dockerFaults";
import { startHandGroup } from "../testkit/failover/handGroup";
import { docker } from "../testkit/harness/run";
import { removeLeftovers } from "../testkit/dockerObjects";
import { FailoverDeployment, failoverMarkdown, runFailoverBench } from "./failover";
import { runMain } from "./runMain";

/** Names and host ports of the hand-made group; host ports 47000-47099 stay clear of the other benches and tests. */
const PREFIX = "bench-failover-";
const HOST_PORT_BASE = 47050;
const DEFAULT_IMAGE = "redis-chain-local/redis:8.6.3";

async function deployHandGroup(downAfterMs: number, image: string): Promise<FailoverDeployment> {
    await removeLeftovers(PREFIX);
    const group = await startHandGroup({ prefix: PREFIX, image, hostPortBase: HOST_PORT_BASE, downAfterMs });
    return {
        target: group.target,
        control: {
            kill: killContainer,
            async restart(node, how, newMaster) {
                if (how === "asDeployed") await docker(["start", node]);
                else await group.recreateNode(node === group.containers.a ? "a" : "b", ["--replicaof", newMaster.host, String(newMaster.port)]);
            },
        },
        destroy: group.remove,
    };
}

async function main(): Promise<number> {
    const kills = Number(process.env.FAILOVER_KILLS ?? 3);
    const downAfterMs = Number(process.env.FAILOVER_DOWN_AFTER_MS ?? 1000);
    const waitMs = Number(process.env.FAILOVER_WAIT_MS ?? 100);
    const image = process.env.FAILOVER_IMAGE ?? DEFAULT_IMAGE;
    try {
        const result = await runFailoverBench({
            deploy: () => deployHandGroup(downAfterMs, image),
            downAfterMs,
            kills,
            variants: [{ label: "SET" }, { label: `SET + WAIT 1 ${waitMs}`, waitMs }],
        });
        process.stdout.write(`\nHand-made group, ${image}, down-after-milliseconds ${downAfterMs}, ${kills} kills per load:\n\n${failoverMarkdown(result)}\n`);
        return result.variants.some((v) => v.error) ? 1 : 0;
    } finally {
        await removeLeftovers(PREFIX);
    }
}

runMain(main);
