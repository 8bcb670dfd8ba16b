// Watches the promotion candidates' ROLE for the length of a scenario: every instant two of them
// answered "master" is a split brain the test must see, however short.
import { HostAddress, FailoverTarget } from "./failoverOutputs";
import { rolesOf } from "./sentinelView";

/** One poll where more than one node answered ROLE master. */
export interface TwoMasters {
    readonly at: number;
    readonly masters: readonly HostAddress[];
}

/** A running watch. */
export interface MasterWatch {
    /** Stops polling and returns the polls that saw more than one master, and how many polls ran. */
    stop(): Promise<{ readonly twoMasters: TwoMasters[]; readonly polls: number }>;
}

/** Polls ROLE on `nodes` every `intervalMs` (default 200) until stopped. */
export function watchMasters(target: FailoverTarget, nodes: readonly HostAddress[], intervalMs = 200): MasterWatch {
    const twoMasters: TwoMasters[] = [];
    let polls = 0;
    let stopped = false;
    const loop = (async () => {
        while (!stopped) {
            const at = Date.now();
            const { masters } = await rolesOf(target, nodes);
            polls++;
            if (masters.length > 1) twoMasters.push({ at, masters });
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - at))));
        }
    })();
    return {
        async stop() {
            stopped = true;
            await loop;
            return { twoMasters, polls };
        },
    };
}
