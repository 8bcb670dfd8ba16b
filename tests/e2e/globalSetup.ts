// Before the suite: remove what an earlier, killed run left on the engine under the test prefix
// "e2e-" (a SIGKILLed vitest cannot tear down). Nothing outside that prefix is touched, so a user's
// dev stack on the same engine is safe. Each e2e file still asserts it left nothing behind.
import { removeLeftovers } from "./harness/leftovers";

export default async function setup(): Promise<void> {
    let removed: string[];
    try {
        removed = await removeLeftovers("e2e-");
    } catch {
        return; // no engine: the e2e files will say so themselves
    }
    if (removed.length > 0) console.warn(`[setup] removed leftovers of an earlier run: ${removed.join(", ")}`);
}
