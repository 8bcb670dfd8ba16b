import { deployStack, readStackConfig } from "../testkit/harness/deployStack";
import { docker } from "../testkit/harness/run";
import { removeLeftovers } from "../testkit/dockerObjects";
import { staggeredStartOrder } from "../testkit/startOrder";
import { testStack, withHostPorts } from "../testkit/stacks";
import { sleep } from "../testkit/sleep";
const PREFIX = "diag-";
async function main() {
    const order = (process.argv[2] ?? "redis-c,redis-b,redis-a").split(",");
    await removeLeftovers(PREFIX);
    const config = { ...withHostPorts(testStack(readStackConfig("dev"), PREFIX, 0), {
        "redis-a": { plain: 48840 }, "redis-b": { plain: 48841, tls: 48842 }, "redis-c": { tls: 48843 } }), postDeployCheck: "false" };
    const stack = await deployStack(config as any, () => undefined, undefined, undefined, { containerStartHook: staggeredStartOrder(order.map((n) => PREFIX + n), 60) });
    await sleep(4000);
    for (const n of ["redis-a", "redis-b", "redis-c"]) {
        const started = (await docker(["inspect", "--format", "{{.State.StartedAt}}", PREFIX + n])).trim();
        console.log(`===== ${n} started ${started}`);
        console.log(await docker(["logs", "-t", PREFIX + n]));
    }
    await stack.destroy();
}
main().catch((e) => { console.error(e); process.exit(1); });
