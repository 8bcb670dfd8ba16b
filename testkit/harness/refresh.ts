// What `pulumi refresh` records for a resource deleted behind the program's back: the provider's
// Read finds nothing, so the resource leaves the state, and the next `pulumi up` creates it again.
// The harness never reads resources back, so tests that remove a container by hand say so here.
import { StackState } from "./providerEmulator";

/** Drops resource `type`/`name` from `state`; throws when the state has no such resource. */
export function forgetDeletedResource(state: StackState, type: string, name: string): void {
    const key = `${type}::${name}`;
    if (!state.delete(key)) throw new Error(`the stack state has no ${key}`);
}
