// The provider packages the e2e harness emulates, at the exact versions the emulation was written
// against, and what it emulates of each: when an installed version differs, those are the fields
// to re-read in that provider's source before trusting the harness again.

/** One emulated provider package. */
export interface EmulatedProvider {
    /** npm package name. */
    readonly packageName: string;
    /** The version whose source the emulation follows (package.json pins it exactly). */
    readonly version: string;
    /** The upstream provider whose source holds the behaviour (the npm package wraps it). */
    readonly upstream: string;
    /** What the harness reproduces of this provider's behaviour. */
    readonly emulates: readonly string[];
}

export const EMULATED_PROVIDERS: readonly EmulatedProvider[] = [
    {
        packageName: "@pulumi/docker",
        version: "5.2.0",
        upstream: "kreuzwerker/terraform-provider-docker (pulumi/pulumi-docker provider/resources.go maps it)",
        emulates: [
            "container create/update/delete (which field changes update in place, which replace, delete before create)",
            "container uploads (copy time, file modes, owner in the tar)",
            "container ports (bindings, ip)",
            "container networks (networksAdvanced, aliases)",
            "container volumes",
            "image (RemoteImage pull, keepLocally, imageId)",
            "network and volume create/delete and auto-naming",
        ],
    },
    {
        packageName: "@pulumi/tls",
        version: "5.6.1",
        upstream: "hashicorp/terraform-provider-tls",
        emulates: [
            "tls private keys (algorithms, curves, PEM and OpenSSH encodings)",
            "tls certificates (self-signed, certificate requests, locally signed: validity, allowedUses, SANs, subject)",
        ],
    },
    {
        packageName: "@pulumi/random",
        version: "4.21.2",
        upstream: "hashicorp/terraform-provider-random",
        emulates: ["random password (length, character classes and minimums, special characters)"],
    },
];
