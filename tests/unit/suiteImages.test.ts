// Which server images the e2e suites run on: the default image alone in `npm test`, every server image
// under REDIS_CHAIN_MATRIX=1, and stacks of different images never sharing a name or a host port.
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_LOCAL_IMAGE, LOCAL_IMAGES, SERVER_IMAGES, suiteImages } from "../../testkit/testBed";

describe("suiteImages", () => {
    afterEach(() => vi.unstubAllEnvs());

    it("is the default image alone without REDIS_CHAIN_MATRIX", () => {
        vi.stubEnv("REDIS_CHAIN_MATRIX", undefined);
        expect(suiteImages().map((i) => i.image)).toEqual([DEFAULT_LOCAL_IMAGE]);
    });

    it("is Redis 7.0, Redis 8.0 and Valkey 8.1 under REDIS_CHAIN_MATRIX=1", () => {
        vi.stubEnv("REDIS_CHAIN_MATRIX", "1");
        expect(suiteImages().map((i) => i.image).sort()).toEqual([LOCAL_IMAGES.redis7, LOCAL_IMAGES.redis8, LOCAL_IMAGES.valkey8].sort());
    });

    it("defaults to the Redis 8.0 image, the local counterpart of the program's default", () => {
        if (process.env.REDIS_CHAIN_LOCAL_IMAGE === undefined) expect(DEFAULT_LOCAL_IMAGE).toBe(LOCAL_IMAGES.redis8);
        expect(SERVER_IMAGES.map((i) => i.image)).toContain(DEFAULT_LOCAL_IMAGE);
    });

    // The suites' stacks use host ports at most 4 apart or at least 100 apart, so shifts 10 apart never meet.
    it("gives every image its own name key and a host port shift at least 10 from the others", () => {
        expect(new Set(SERVER_IMAGES.map((i) => i.key)).size).toBe(SERVER_IMAGES.length);
        const shifts = SERVER_IMAGES.map((i) => i.portShift).sort((a, b) => a - b);
        shifts.slice(1).forEach((shift, n) => expect(shift - shifts[n]).toBeGreaterThanOrEqual(10));
    });
});
