// The data-format rule a server change must keep: the server a node's volume is opened by must read
// the RDB format its previous server wrote there. Checked on the declared releases of the last
// deploy against those of this one, before any container is touched.
import { dataFormatRefusal } from "./rdbFormats";
import { ServerRelease, formatRelease } from "./serverRelease";
import { NodeSpec } from "./topology";

/** One node's declared server, as the guard keeps it in the stack state. */
export interface GuardedRelease {
    readonly node: string;
    /** The config field that sets the release, e.g. `nodes[2].image` or `image`. */
    readonly field: string;
    readonly image: string;
    readonly release: ServerRelease;
}

/** The guard's inputs: every node's declared server. */
export interface ServerReleaseGuardInputs {
    readonly nodes: readonly GuardedRelease[];
}

/** A refused change, shaped like a dynamic provider's CheckFailure (property "" = the whole resource). */
export interface ReleaseRefusal {
    readonly property: string;
    readonly reason: string;
}

/** What the guard holds for a topology. */
export function guardedReleases(topology: { readonly nodes: readonly NodeSpec[] }): GuardedRelease[] {
    return topology.nodes.map((n) => ({ node: n.name, field: n.releaseField, image: n.image, release: n.release }));
}

/**
 * One refusal per node whose new server cannot open what its old server wrote. `olds` is empty on a
 * first deploy (and on the first deploy that has the guard): nothing to compare with.
 */
export function releaseRefusals(olds: Partial<ServerReleaseGuardInputs> | undefined, news: ServerReleaseGuardInputs): ReleaseRefusal[] {
    const before = new Map((olds?.nodes ?? []).map((n) => [n.node, n]));
    return news.nodes.flatMap((now) => {
        const then = before.get(now.node);
        const refusal = then && dataFormatRefusal(then.release, now.release);
        if (!refusal) return [];
        return [
            {
                property: "",
                reason:
                    `${now.field}: node ${now.node} would change from ${formatRelease(then.release)} (${then.image}) to ` +
                    `${formatRelease(now.release)} (${now.image}) on its existing volume: ${refusal}. no node was touched; ` +
                    `set ${now.field} back to ${then.image} (or another release that reads what it wrote)`,
            },
        ];
    });
}
