// Which server a node runs: Redis or Valkey, and which release. Every version-dependent decision
// (binary names, data format, directives) starts from a ServerRelease, so this module is the one
// place that turns configuration text (an image reference or an explicit `server:` block) into one.

/** The servers the program deploys as first-class citizens. */
export const SERVER_KINDS = ["redis", "valkey"] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** A server release; `patch` is absent when only major.minor is known (a floating tag like `redis:7.2`). */
export interface ServerRelease {
    readonly kind: ServerKind;
    readonly major: number;
    readonly minor: number;
    readonly patch?: number;
}

/** A release line (major.minor): data format and directives change only between lines. */
export interface ReleaseLine {
    readonly kind: ServerKind;
    readonly major: number;
    readonly minor: number;
}

/** Human names used in messages. */
export const SERVER_TITLES: Readonly<Record<ServerKind, string>> = { redis: "Redis", valkey: "Valkey" };

/**
 * The release lines the program supports, oldest first. A line is listed only once its RDB format
 * and its directives are known (lib/rdbFormats.ts and lib/serverDirectives.ts hold one row per line):
 * Redis from 7.0 (the oldest line the program was built on), Valkey from 7.2 (its first release).
 * Redis 8.6 and Valkey 9.1 were read in their release sources (8.6.3 and 9.1.2): RDB format, every
 * directive the program renders, the ACL categories and commands its users name, and the INFO
 * fields its check reads. Redis 8.0 stays for existing stacks, though Redis no longer lists it as
 * supported (SECURITY.md of 8.6.3: 8.6, 8.4, 8.2, 7.4 and 7.2 get fixes; 8.0 does not).
 *
 * Refused until read the same way: Redis 8.2 and 8.4 (between two known lines, but their RDB
 * version was not read), Redis 8.8 and 8.10 (the official image's `latest` is 8.10.2), and Valkey
 * 9.0 (whose format, RDB 80, Valkey 9.1.2's version map dates to 9.0.0, but whose sources were not read).
 */
export const SUPPORTED_LINES: readonly ReleaseLine[] = [
    { kind: "redis", major: 7, minor: 0 },
    { kind: "redis", major: 7, minor: 2 },
    { kind: "redis", major: 7, minor: 4 },
    { kind: "redis", major: 8, minor: 0 },
    { kind: "redis", major: 8, minor: 6 },
    { kind: "valkey", major: 7, minor: 2 },
    { kind: "valkey", major: 8, minor: 0 },
    { kind: "valkey", major: 8, minor: 1 },
    { kind: "valkey", major: 9, minor: 1 },
];

const VERSION_TEXT = /^(\d+)\.(\d+)(?:\.(\d+))?$/;

/** Parses `X.Y` or `X.Y.Z` (nothing else: no `v`, no suffix); undefined when the text is not one. */
export function parseServerVersion(text: string): VersionNumber | undefined {
    const m = VERSION_TEXT.exec(text.trim());
    if (!m) return undefined;
    const [major, minor] = [Number(m[1]), Number(m[2])];
    return m[3] === undefined ? { major, minor } : { major, minor, patch: Number(m[3]) };
}

/** Parses a release written as `<kind> X.Y[.Z]` or `<kind>:X.Y[.Z]` (e.g. `valkey 8.1.1`); undefined when not one. */
export function parseServerRelease(text: string): ServerRelease | undefined {
    const m = /^\s*(redis|valkey)[\s:]+(\S+)\s*$/i.exec(text);
    if (!m) return undefined;
    const version = parseServerVersion(m[2]);
    return version && { kind: m[1].toLowerCase() as ServerKind, ...version };
}

/** `Redis 7.0.15`, `Valkey 8.1`. */
export function formatRelease(release: ServerRelease | ReleaseLine): string {
    const patch = "patch" in release && release.patch !== undefined ? `.${release.patch}` : "";
    return `${SERVER_TITLES[release.kind]} ${release.major}.${release.minor}${patch}`;
}

/** The line a release belongs to. */
export function releaseLine(release: ServerRelease): ReleaseLine {
    return { kind: release.kind, major: release.major, minor: release.minor };
}

/** A version number, without its kind. */
export interface VersionNumber {
    readonly major: number;
    readonly minor: number;
    readonly patch?: number;
}

/** Orders two versions (of the same kind) by major, minor, then patch; an absent patch counts as 0. */
export function compareVersions(a: VersionNumber, b: VersionNumber): number {
    return a.major - b.major || a.minor - b.minor || (a.patch ?? 0) - (b.patch ?? 0);
}

/** The parts of an image reference `[registry[:port]/]path/name[:tag][@digest]`. */
export interface ImageReference {
    /** Everything before the tag and digest, e.g. `docker.io/library/redis`. */
    readonly repository: string;
    /** The last path segment of the repository, e.g. `redis`. */
    readonly name: string;
    readonly tag?: string;
    readonly digest?: string;
}

/** Splits an image reference; a `:` after the last `/` starts the tag (before it, it is a registry port). */
export function parseImageReference(image: string): ImageReference {
    const at = image.indexOf("@");
    const digest = at >= 0 ? image.slice(at + 1) : undefined;
    const nameAndTag = at >= 0 ? image.slice(0, at) : image;
    const colon = nameAndTag.lastIndexOf(":");
    const hasTag = colon > nameAndTag.lastIndexOf("/");
    const repository = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
    const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined;
    return { repository, name: repository.slice(repository.lastIndexOf("/") + 1), tag, digest };
}

// A version at the start of the tag, then optionally a variant suffix (`-alpine`, `-bookworm`).
const VERSION_TAG = /^(\d+)\.(\d+)(?:\.(\d+))?(?:-[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

/** Why an image name says nothing reliable about the server it runs. */
export type UnknownImageReason = "digest-only" | "unknown-repository" | "no-version-tag";

/** What an image reference tells about its server: a release, or why it cannot (with the message to show). */
export type ImageRelease =
    | { readonly known: true; readonly release: ServerRelease }
    | { readonly known: false; readonly reason: UnknownImageReason; readonly message: string };

/** The example in messages: a release the program supports, of the kind the image name suggests. */
function exampleServer(kind: ServerKind): string {
    return kind === "valkey" ? 'server: { kind: valkey, version: "9.1.4" }' : 'server: { kind: redis, version: "8.6.7" }';
}

/**
 * Derives the server from an image reference: the repository's last path segment is `redis` or
 * `valkey` and the tag starts with `X.Y[.Z]`. A digest-only reference, another name, or a tag
 * without a version (`latest`, `alpine`, `8`) is unknown: the config must then declare the server.
 */
export function releaseFromImage(image: string): ImageRelease {
    const ref = parseImageReference(image);
    const kind = (SERVER_KINDS as readonly string[]).includes(ref.name) ? (ref.name as ServerKind) : undefined;
    const unknown = (reason: UnknownImageReason, why: string): ImageRelease => ({
        known: false,
        reason,
        message: `image "${image}": ${why}; set ${exampleServer(kind ?? "redis")}`,
    });
    if (ref.tag === undefined && ref.digest !== undefined) {
        return unknown("digest-only", "cannot tell the server from an image pinned by digest only");
    }
    if (!kind) {
        return unknown("unknown-repository", `cannot tell the server from the image name (its last path segment "${ref.name}" is neither redis nor valkey)`);
    }
    const m = ref.tag === undefined ? null : VERSION_TAG.exec(ref.tag);
    if (!m) {
        return unknown("no-version-tag", `cannot tell the ${SERVER_TITLES[kind]} version from the tag "${ref.tag ?? "latest"}" (it must start with X.Y or X.Y.Z)`);
    }
    const release: ServerRelease =
        m[3] === undefined ? { kind, major: Number(m[1]), minor: Number(m[2]) } : { kind, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
    return { known: true, release };
}

/** The line of `release` in SUPPORTED_LINES, if any. */
export function supportedLine(release: ServerRelease | ReleaseLine): ReleaseLine | undefined {
    return SUPPORTED_LINES.find((l) => l.kind === release.kind && l.major === release.major && l.minor === release.minor);
}

/**
 * Why the program refuses to run `release` (undefined when it is supported). `source` names where
 * the release came from in messages, e.g. `image "redis:6.2"` or `server.version "9.0.0"`.
 */
export function unsupportedReleaseMessage(release: ServerRelease, source: string): string | undefined {
    if (supportedLine(release)) return undefined;
    const lines = SUPPORTED_LINES.filter((l) => l.kind === release.kind);
    const oldest = lines[0];
    const newest = lines[lines.length - 1];
    const known = lines.map((l) => `${l.major}.${l.minor}`).join(", ");
    const relation =
        compareVersions(release, oldest) < 0
            ? `is older than the oldest supported ${formatRelease(oldest)}`
            : compareVersions(release, newest) > 0
              ? `is newer than the newest supported ${formatRelease(newest)} (its data format and directives are not known to this program)`
              : "is not a known release line";
    return `${source}: ${formatRelease(release)} ${relation}; use ${SERVER_TITLES[release.kind]} ${known}`;
}

/** The `server:` block a node may declare when its image name does not tell (or to state it anyway). */
export interface DeclaredServer {
    readonly kind: ServerKind;
    /** `X.Y` or `X.Y.Z`. */
    readonly version: string;
}

/** The result of resolving a node's server: the release, or the message the validator shows. */
export type ResolvedServer =
    | { readonly ok: true; readonly release: ServerRelease }
    /** `field` is the config field at fault; `message` names it already when it is `server`. */
    | { readonly ok: false; readonly field: "image" | "server"; readonly message: string };

/**
 * Resolves a node's server from its image and optional `server:` block, and checks it is supported.
 * A declared server wins where the image cannot tell; where both tell, they must agree on the kind
 * and the line (a contradiction is a typo, and would pick the wrong binary or directives).
 */
export function resolveServerRelease(image: string, declared?: DeclaredServer): ResolvedServer {
    const fromImage = releaseFromImage(image);
    if (!declared) {
        if (!fromImage.known) return { ok: false, field: "image", message: fromImage.message };
        const refusal = unsupportedReleaseMessage(fromImage.release, `image "${image}"`);
        return refusal ? { ok: false, field: "image", message: refusal } : { ok: true, release: fromImage.release };
    }
    const version = parseServerVersion(declared.version);
    if (!version) {
        return { ok: false, field: "server", message: `server.version "${declared.version}": not a version; write X.Y.Z, e.g. ${exampleServer(declared.kind)}` };
    }
    const release: ServerRelease = { kind: declared.kind, ...version };
    if (fromImage.known) {
        const seen = fromImage.release;
        if (seen.kind !== release.kind || seen.major !== release.major || seen.minor !== release.minor) {
            return {
                ok: false,
                field: "server",
                message: `server: { kind: ${release.kind}, version: "${declared.version}" } contradicts image "${image}" (${formatRelease(seen)}); fix one of them or drop server:`,
            };
        }
    }
    const refusal = unsupportedReleaseMessage(release, `server: { kind: ${release.kind}, version: "${declared.version}" }`);
    return refusal ? { ok: false, field: "server", message: refusal } : { ok: true, release };
}
