// What the engine does with a resource whose inputs changed between two runs, by the real
// providers' rules (each provider schema's ForceNew fields, listed below): update in place, or replace, and in which order.

export type DiffResult = "same" | "update" | "replace";

/** Container fields the provider changes in place with ContainerUpdate. */
const CONTAINER_IN_PLACE = new Set(["restart", "maxRetryCount", "cpuShares", "cpuSet", "memory", "memorySwap", "mustRun"]);
/** Container fields accepted into state and never applied to the running container. */
const CONTAINER_STATE_ONLY = new Set([
    "healthcheck", "init", "rm", "tmpfs", "destroyGraceSeconds", "removeVolumes", "wait", "waitTimeout", "start", "attach", "logs",
]);
/** Container fields that are sets in the provider schema: order does not count. */
const CONTAINER_SETS = new Set(["envs", "labels", "uploads", "volumes", "networksAdvanced"]);

/** Fields a replacement never depends on, per type: changed alone, they update state in place. */
const IN_PLACE_BY_TYPE: Record<string, Set<string>> = {
    "tls:index/locallySignedCert:LocallySignedCert": new Set(["earlyRenewalHours"]),
    "tls:index/selfSignedCert:SelfSignedCert": new Set(["earlyRenewalHours"]),
    "docker:index/remoteImage:RemoteImage": new Set(["keepLocally", "forceRemove"]),
};

/** Inputs as the engine compares them: JSON values only, undefined dropped, sets sorted. */
export function normalizeInputs(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const plain = JSON.parse(JSON.stringify(inputs)) as Record<string, unknown>;
    if (type === "docker:index/container:Container") {
        for (const field of CONTAINER_SETS) {
            const value = plain[field];
            if (Array.isArray(value)) plain[field] = value.map((v) => JSON.stringify(v)).sort().map((v) => JSON.parse(v));
        }
        // Port entries are matched by `internal`: a reorder alone is suppressed.
        if (Array.isArray(plain.ports)) plain.ports = [...plain.ports].sort((a: any, b: any) => a.internal - b.internal);
    }
    return plain;
}

function changedFields(olds: Record<string, unknown>, news: Record<string, unknown>): string[] {
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
    return [...keys].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
}

/** Decides same / update / replace for `type` from the normalized old and new inputs. */
export function diffResource(type: string, olds: Record<string, unknown>, news: Record<string, unknown>): DiffResult {
    const changed = changedFields(normalizeInputs(type, olds), normalizeInputs(type, news));
    if (changed.length === 0) return "same";
    // A dynamic provider without a diff method: the engine updates on any input change, never replaces.
    if (type.startsWith("pulumi-nodejs:dynamic")) return "update";
    if (type === "docker:index/container:Container") {
        return changed.every((f) => CONTAINER_IN_PLACE.has(f) || CONTAINER_STATE_ONLY.has(f)) ? "update" : "replace";
    }
    if (type === "random:index/randomPassword:RandomPassword") {
        // keepers: adding keys with null values does not replace; any other change does.
        const onlyKeepers = changed.every((f) => f === "keepers");
        if (onlyKeepers && keepersOnlyGainedNulls(olds.keepers, news.keepers)) return "update";
        return "replace";
    }
    const inPlace = IN_PLACE_BY_TYPE[type] ?? new Set<string>();
    return changed.every((f) => inPlace.has(f)) ? "update" : "replace";
}

function keepersOnlyGainedNulls(olds: unknown, news: unknown): boolean {
    const o = (olds ?? {}) as Record<string, unknown>;
    const n = (news ?? {}) as Record<string, unknown>;
    return Object.keys(o).every((k) => k in n && n[k] === o[k]) && Object.keys(n).every((k) => k in o || n[k] === null);
}

/** Containers are deleted before their replacement is created (the docker provider's setting). */
export function deletesBeforeReplace(type: string): boolean {
    return type === "docker:index/container:Container";
}
