// One image change on a running seed stack, as every upgrade test runs it: deploy the first image,
// write keys before the change, then change the image under a write load on the master and keep the
// figures. The stack is destroyed after the describe block and nothing under the prefix may be left.
import { afterAll, beforeAll } from "vitest";
import { DeployedStack, StackConfig, deployStack } from "../../testkit/harness/deployStack";
import { removeLeftovers } from "../../testkit/dockerObjects";
import { WriteLoadResult } from "../../testkit/writeLoad/writeLoad";
import { readBack } from "./chainProbes";
import { expectNothingLeft } from "./support";
import { UpgradeFigures, upgradeUnderLoad } from "./upgradeProbes";
import { seedKeys } from "./upgradeSeed";

/** Keys written on the master before the change, each read back on every node afterwards. */
const KEYS_BEFORE = 200;

/** The seed stack's nodes, each with the listener the tests read it on. */
export const SEED_NODES = [["redis-a", "plain"], ["redis-b", "plain"], ["redis-c", "tls"]] as const;

/** Per node and key set that is not all there, `<node> <set>: <n> missing, <m> wrong`; [] when nothing was lost. */
export async function lostKeys(stack: DeployedStack, sets: Record<string, Map<string, string>>): Promise<string[]> {
    const lost: string[] = [];
    for (const [node, transport] of SEED_NODES) {
        for (const [what, expected] of Object.entries(sets)) {
            const read = await readBack(stack.outputs, node, transport, expected);
            if (read.missing.length + read.wrong.length > 0) lost.push(`${node} ${what}: ${read.missing.length} missing, ${read.wrong.length} wrong`);
        }
    }
    return lost;
}

/** One image change: the stack, the two images and how the log names them. */
export interface UpgradeScenarioArgs {
    /** Name prefix of every container, network and volume the scenario creates. */
    readonly prefix: string;
    /** The stack config of both deploys (nodes, host ports, rollout mode), without its image. */
    readonly base: StackConfig;
    /** Image of the first deploy. */
    readonly fromImage: string;
    /** Image the change deploys. */
    readonly toImage: string;
    /** The two servers as the figures name them, e.g. `{ from: "redis 7.0.15", to: "redis 8.0.2" }`. */
    readonly label: { readonly from: string; readonly to: string };
    /** Tag of this scenario's log lines, e.g. `upgrade parallel`. */
    readonly logTag: string;
}

/** What the change left behind; read it in tests only (`beforeAll` fills it in). */
export interface UpgradeScenario {
    /** Prints one line under the scenario's tag; for later deploys on the same stack. */
    readonly log: (line: string) => void;
    /** The stack after the change. */
    upgraded: DeployedStack;
    figures: UpgradeFigures;
    /** The write load that ran on the master during the change. */
    load: WriteLoadResult;
    /** The keys written before the change, with their values. */
    before: Map<string, string>;
}

/**
 * Registers the scenario's `beforeAll` (deploy, seed, change under load; figures to the log) and
 * `afterAll` (destroy, then nothing left under the prefix) in the calling describe block.
 */
export function upgradeScenario(args: UpgradeScenarioArgs): UpgradeScenario {
    const log = (line: string) => console.log(`[${args.logTag}] ${line}`);
    const scenario = { log } as UpgradeScenario;
    let first: DeployedStack | undefined;

    beforeAll(async () => {
        await removeLeftovers(args.prefix);
        first = await deployStack({ ...args.base, image: args.fromImage }, log);
        scenario.before = await seedKeys(first.outputs, "before-upgrade:", KEYS_BEFORE);
        const { stack, figures, load } = await upgradeUnderLoad(first, { ...args.base, image: args.toImage }, args.label, log);
        Object.assign(scenario, { upgraded: stack, figures, load });
        log(`figures ${JSON.stringify(figures)}`);
    }, 180_000);

    afterAll(async () => {
        await first?.destroy();
        await expectNothingLeft(args.prefix);
    }, 120_000);

    return scenario;
}
