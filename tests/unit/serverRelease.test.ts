import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../lib/configSchema";
import {
    parseImageReference,
    parseServerRelease,
    parseServerVersion,
    releaseFromImage,
    resolveServerRelease,
    SUPPORTED_LINES,
    unsupportedReleaseMessage,
} from "../../lib/serverRelease";

describe("parseServerVersion", () => {
    it.each([
        ["7.0.15", { major: 7, minor: 0, patch: 15 }],
        ["8.1", { major: 8, minor: 1 }],
        [" 8.0.2 ", { major: 8, minor: 0, patch: 2 }],
    ])("%s", (text, expected) => expect(parseServerVersion(text)).toEqual(expected));

    it.each(["8", "v8.0.2", "8.0.2-alpine", "8.0.2.1", "latest", ""])("refuses %j", (text) => {
        expect(parseServerVersion(text)).toBeUndefined();
    });
});

describe("parseServerRelease", () => {
    it.each([
        ["redis 7.0.15", { kind: "redis", major: 7, minor: 0, patch: 15 }],
        ["Valkey:8.1", { kind: "valkey", major: 8, minor: 1 }],
    ])("%s", (text, expected) => expect(parseServerRelease(text)).toEqual(expected));

    it.each(["keydb 6.3.4", "redis", "redis latest"])("refuses %j", (text) => expect(parseServerRelease(text)).toBeUndefined());
});

describe("parseImageReference", () => {
    it.each([
        ["redis", { repository: "redis", name: "redis", tag: undefined, digest: undefined }],
        ["registry:5000/mirror/redis:7.2", { repository: "registry:5000/mirror/redis", name: "redis", tag: "7.2", digest: undefined }],
        // A registry port is not a tag.
        ["registry:5000/mirror/redis", { repository: "registry:5000/mirror/redis", name: "redis", tag: undefined, digest: undefined }],
        ["valkey/valkey:8.1.1@sha256:abc", { repository: "valkey/valkey", name: "valkey", tag: "8.1.1", digest: "sha256:abc" }],
        ["redis@sha256:abc", { repository: "redis", name: "redis", tag: undefined, digest: "sha256:abc" }],
    ])("%s", (image, expected) => expect(parseImageReference(image)).toEqual(expected));
});

describe("releaseFromImage", () => {
    it.each([
        ["redis:8.0.2", { kind: "redis", major: 8, minor: 0, patch: 2 }],
        ["docker.io/library/redis:7.4.1-alpine", { kind: "redis", major: 7, minor: 4, patch: 1 }],
        ["valkey/valkey:8.1.1", { kind: "valkey", major: 8, minor: 1, patch: 1 }],
        ["redis-chain-local/valkey:8.1.1", { kind: "valkey", major: 8, minor: 1, patch: 1 }],
        ["registry:5000/mirror/redis:7.2", { kind: "redis", major: 7, minor: 2 }],
        ["redis:7.2.5-bookworm", { kind: "redis", major: 7, minor: 2, patch: 5 }],
        // A tag next to a digest still names the version; the digest pins the bytes.
        ["valkey/valkey:8.0.1@sha256:0123", { kind: "valkey", major: 8, minor: 0, patch: 1 }],
        // Known-unsupported versions are still recognised; support is decided separately.
        ["redis:6.2.14", { kind: "redis", major: 6, minor: 2, patch: 14 }],
    ])("%s", (image, release) => expect(releaseFromImage(image)).toEqual({ known: true, release }));

    it.each([
        ["redis@sha256:0123", "digest-only", 'image "redis@sha256:0123": cannot tell the server from an image pinned by digest only; set server: { kind: redis, version: "8.6.7" }'],
        [
            "bitnami/redis-cluster:7.2",
            "unknown-repository",
            'image "bitnami/redis-cluster:7.2": cannot tell the server from the image name (its last path segment "redis-cluster" is neither redis nor valkey); set server: { kind: redis, version: "8.6.7" }',
        ],
        ["redis/redis-stack-server:7.4.0-v1", "unknown-repository", undefined],
        // `redis` as a path segment that is not the last one says nothing.
        ["redis/custom:8.0.2", "unknown-repository", undefined],
        ["valkey/valkey:latest", "no-version-tag", 'image "valkey/valkey:latest": cannot tell the Valkey version from the tag "latest" (it must start with X.Y or X.Y.Z); set server: { kind: valkey, version: "9.1.4" }'],
        ["redis", "no-version-tag", 'image "redis": cannot tell the Redis version from the tag "latest" (it must start with X.Y or X.Y.Z); set server: { kind: redis, version: "8.6.7" }'],
        ["redis:8", "no-version-tag", undefined],
        ["redis:alpine", "no-version-tag", undefined],
        ["redis:v8.0.2", "no-version-tag", undefined],
    ])("%s is unknown (%s)", (image, reason, message) => {
        const found = releaseFromImage(image);
        expect(found).toMatchObject({ known: false, reason });
        if (message !== undefined && !found.known) expect(found.message).toBe(message);
    });
});

describe("unsupportedReleaseMessage", () => {
    it.each([
        [{ kind: "redis", major: 7, minor: 0, patch: 15 }],
        [{ kind: "redis", major: 7, minor: 2 }],
        [{ kind: "redis", major: 7, minor: 4, patch: 1 }],
        [{ kind: "redis", major: 8, minor: 0, patch: 2 }],
        [{ kind: "valkey", major: 7, minor: 2, patch: 5 }],
        [{ kind: "valkey", major: 8, minor: 0, patch: 1 }],
        [{ kind: "valkey", major: 8, minor: 1, patch: 1 }],
        [{ kind: "redis", major: 8, minor: 6, patch: 7 }],
        [{ kind: "valkey", major: 9, minor: 1, patch: 4 }],
    ] as const)("supports %j", (release) => expect(unsupportedReleaseMessage(release, "x")).toBeUndefined());

    it.each([
        [{ kind: "redis", major: 6, minor: 2, patch: 14 }, 'image "redis:6.2.14": Redis 6.2.14 is older than the oldest supported Redis 7.0; use Redis 7.0, 7.2, 7.4, 8.0, 8.6'],
        [{ kind: "valkey", major: 7, minor: 0 }, "src: Valkey 7.0 is older than the oldest supported Valkey 7.2; use Valkey 7.2, 8.0, 8.1, 9.1"],
        [
            { kind: "redis", major: 8, minor: 8, patch: 3 },
            "src: Redis 8.8.3 is newer than the newest supported Redis 8.6 (its data format and directives are not known to this program); use Redis 7.0, 7.2, 7.4, 8.0, 8.6",
        ],
        [{ kind: "redis", major: 8, minor: 2, patch: 1 }, "src: Redis 8.2.1 is not a known release line; use Redis 7.0, 7.2, 7.4, 8.0, 8.6"],
        [{ kind: "valkey", major: 9, minor: 0, patch: 0 }, "src: Valkey 9.0.0 is not a known release line; use Valkey 7.2, 8.0, 8.1, 9.1"],
        [{ kind: "redis", major: 7, minor: 3 }, "src: Redis 7.3 is not a known release line; use Redis 7.0, 7.2, 7.4, 8.0, 8.6"],
    ] as const)("refuses %j", (release, message) => {
        const source = message?.startsWith("image") ? 'image "redis:6.2.14"' : "src";
        const got = unsupportedReleaseMessage(release, source);
        expect(got).toBeDefined();
        if (message) expect(got).toBe(message);
    });
});

describe("lines released upstream whose sources were not read", () => {
    const NEWER_REDIS = "is newer than the newest supported Redis 8.6 (its data format and directives are not known to this program); use Redis 7.0, 7.2, 7.4, 8.0, 8.6";
    const UNKNOWN_REDIS = "is not a known release line; use Redis 7.0, 7.2, 7.4, 8.0, 8.6";
    it.each([
        ["redis:8.2.2", `Redis 8.2.2 ${UNKNOWN_REDIS}`],
        ["redis:8.4.5", `Redis 8.4.5 ${UNKNOWN_REDIS}`],
        ["redis:8.8.3", `Redis 8.8.3 ${NEWER_REDIS}`],
        ["redis:8.10.2", `Redis 8.10.2 ${NEWER_REDIS}`],
        ["redis:8.12-rc1", `Redis 8.12 ${NEWER_REDIS}`],
        ["valkey/valkey:9.0.7", "Valkey 9.0.7 is not a known release line; use Valkey 7.2, 8.0, 8.1, 9.1"],
    ])("%s is refused", (image, why) => {
        expect(resolveServerRelease(image)).toEqual({ ok: false, field: "image", message: `image "${image}": ${why}` });
    });

    it.each(["redis:8.6.7", "redis:8.6.3-alpine", "valkey/valkey:9.1.4", "valkey/valkey:9.1.2-trixie"])("%s is accepted", (image) => {
        expect(resolveServerRelease(image).ok).toBe(true);
    });
});

describe("the default image", () => {
    it("is a supported Redis release pinned to an exact patch tag", () => {
        const resolved = resolveServerRelease(CONFIG_DEFAULTS.image);
        expect(resolved.ok).toBe(true);
        if (!resolved.ok) return;
        expect(resolved.release.kind).toBe("redis");
        expect(resolved.release.patch).toBeDefined();
    });

    it("is on the newest supported Redis line", () => {
        const resolved = resolveServerRelease(CONFIG_DEFAULTS.image);
        const newest = SUPPORTED_LINES.filter((l) => l.kind === "redis").at(-1);
        expect(resolved.ok && { major: resolved.release.major, minor: resolved.release.minor }).toEqual(newest && { major: newest.major, minor: newest.minor });
    });

    // CVE-2025-49844 (Lua use-after-free, remote code execution) is patched in 6.2.20, 7.2.11,
    // 7.4.6, 8.0.4 and 8.2.2; every earlier patch of those lines is exposed.
    it("carries the CVE-2025-49844 fix of its line", () => {
        // Lines released after the fix carry it from their first patch.
        const fixedIn: Record<string, number> = { "7.2": 11, "7.4": 6, "8.0": 4, "8.2": 2, "8.6": 0 };
        const resolved = resolveServerRelease(CONFIG_DEFAULTS.image);
        if (!resolved.ok) throw new Error(resolved.message);
        const { major, minor, patch } = resolved.release;
        expect(fixedIn[`${major}.${minor}`]).toBeDefined();
        expect(patch ?? 0).toBeGreaterThanOrEqual(fixedIn[`${major}.${minor}`]);
    });
});

describe("resolveServerRelease", () => {
    it("takes the release from the image name", () => {
        expect(resolveServerRelease("valkey/valkey:8.1.1")).toEqual({ ok: true, release: { kind: "valkey", major: 8, minor: 1, patch: 1 } });
    });

    it("takes a declared server where the image cannot tell", () => {
        expect(resolveServerRelease("registry:5000/cache@sha256:0123", { kind: "valkey", version: "8.0.1" })).toEqual({
            ok: true,
            release: { kind: "valkey", major: 8, minor: 0, patch: 1 },
        });
    });

    it("accepts a declaration that agrees with the image, and the declared patch wins", () => {
        expect(resolveServerRelease("redis:7.2", { kind: "redis", version: "7.2.5" })).toEqual({ ok: true, release: { kind: "redis", major: 7, minor: 2, patch: 5 } });
    });

    it.each([
        ["redis@sha256:0123", undefined, 'image "redis@sha256:0123": cannot tell the server from an image pinned by digest only; set server: { kind: redis, version: "8.6.7" }'],
        ["redis:6.2", undefined, 'image "redis:6.2": Redis 6.2 is older than the oldest supported Redis 7.0; use Redis 7.0, 7.2, 7.4, 8.0, 8.6'],
        ["cache@sha256:0123", { kind: "redis", version: "8" }, 'server.version "8": not a version; write X.Y.Z, e.g. server: { kind: redis, version: "8.6.7" }'],
        [
            "redis:8.0.2",
            { kind: "valkey", version: "8.1.1" },
            'server: { kind: valkey, version: "8.1.1" } contradicts image "redis:8.0.2" (Redis 8.0.2); fix one of them or drop server:',
        ],
        [
            "cache@sha256:0123",
            { kind: "valkey", version: "9.2.0" },
            'server: { kind: valkey, version: "9.2.0" }: Valkey 9.2.0 is newer than the newest supported Valkey 9.1 (its data format and directives are not known to this program); use Valkey 7.2, 8.0, 8.1, 9.1',
        ],
    ] as const)("%s with %j is refused", (image, declared, message) => {
        expect(resolveServerRelease(image, declared)).toEqual({ ok: false, field: declared ? "server" : "image", message });
    });
});
