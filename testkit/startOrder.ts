// Forcing the order in which a deploy's containers start (the engine creates them in parallel with
// no order between them, so every order happens to users). Hooks for deployStack's
// `containerStartHook`; containers not named start at once.
import { ContainerStartHook } from "./harness/dockerEmulation";
import { sleep } from "./sleep";

/** How long a start waits for a named container that never comes (its create failed), ms. */
const ARRIVAL_TIMEOUT_MS = 60_000;

/** Resolves after `ms` without keeping the process alive for it. */
function giveUpAfter(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
}

/**
 * Strict: each named container's `docker start` begins only once the previous one's returned (so
 * that container is running). Costs one `docker start` per step over a parallel start.
 */
export function strictStartOrder(containerNames: readonly string[]): ContainerStartHook {
    const started = containerNames.map(() => deferred());
    return async (name, start) => {
        const index = containerNames.indexOf(name);
        if (index < 0) return start();
        if (index > 0) await Promise.race([started[index - 1].promise, giveUpAfter(ARRIVAL_TIMEOUT_MS)]);
        try {
            await start();
        } finally {
            started[index].resolve();
        }
    };
}

/**
 * Staggered: every named container waits until all of them are ready to start (created, networks
 * joined, files copied), then the i-th starts `gapMs * i` later; the starts overlap as in a parallel
 * deploy. The order is likely, not certain: read the containers' StartedAt to know it.
 */
export function staggeredStartOrder(containerNames: readonly string[], gapMs: number): ContainerStartHook {
    const arrived = new Set<string>();
    const all = deferred();
    return async (name, start) => {
        const index = containerNames.indexOf(name);
        if (index < 0) return start();
        arrived.add(name);
        if (arrived.size === containerNames.length) all.resolve();
        await Promise.race([all.promise, giveUpAfter(ARRIVAL_TIMEOUT_MS)]);
        if (index > 0) await sleep(gapMs * index);
        await start();
    };
}
