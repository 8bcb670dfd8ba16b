// A steady pace of asynchronous operations with a bound on those awaiting completion.

/** Knobs of one pace. */
export interface PaceOptions {
    /** Operations started per second. */
    readonly ratePerSecond: number;
    /** At most this many operations awaiting completion. */
    readonly maxInFlight: number;
    /** Timer period in ms (default 10). */
    readonly tickMs?: number;
}

/** A running pace. */
export interface Pace {
    /** Operations started so far (each got its own sequence number from 0). */
    readonly started: number;
    /** Stops starting operations and resolves once the ones in flight completed. */
    stop(): Promise<void>;
}

/**
 * Calls `operation(n)` for n = 0, 1, 2, … at `ratePerSecond`, counted from now. A slot that falls due
 * while `maxInFlight` operations are pending (a slow server) is skipped, not made up later, and a
 * stalled event loop never turns into more than one second's worth of operations at once.
 */
export function startPace(options: PaceOptions, operation: (n: number) => Promise<unknown>): Pace {
    const { ratePerSecond: rate, maxInFlight } = options;
    const inFlight = new Set<Promise<unknown>>();
    let started = 0;
    let paced = 0; // slots of the steady pace used up, started or skipped
    const begin = Date.now();
    const timer = setInterval(() => {
        const due = Math.floor(((Date.now() - begin) * rate) / 1000);
        let budget = Math.min(due - paced, rate);
        while (budget-- > 0 && inFlight.size < maxInFlight) {
            paced++;
            const work = operation(started++).catch(() => undefined);
            inFlight.add(work);
            work.finally(() => inFlight.delete(work));
        }
        if (due - paced > maxInFlight) paced = due;
    }, options.tickMs ?? 10);
    let stopped: Promise<void> | undefined;
    return {
        get started() {
            return started;
        },
        stop() {
            stopped ??= (async () => {
                clearInterval(timer);
                while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
            })();
            return stopped;
        },
    };
}
