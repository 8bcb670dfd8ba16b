// Which server images the e2e suites run on: the default image alone in `npm test`, every server image
// under REDIS_CHAIN_MATRIX=1, and stacks of different images never sharing a name or a host port.
import { afterEach, describe, expect, it, vi } from "vitest";
import { CONFIG_DEFAULTS } from "../../lib/configSchema";
import { DEFAULT_LOCAL_IMAGE, LOCAL_IMAGES, SERVER_IMAGES, suiteImages } from "../../testkit/testBed";

describe("suiteImages", () => {
    afterEach(() => vi.unstubAllEnvs());

    it("is the default image alone without REDIS_CHAIN_MATRIX", () => {
        vi.stubEnv("REDIS_CHAIN_MATRIX", undefined);
        expect(suiteImages().map((i) => i.image)).toEqual([DEFAULT_LOCAL_IMAGE]);
    });

    it("is every local server image under REDIS_CHAIN_MATRIX=1", () => {
        vi.stubEnv("REDIS_CHAIN_MATRIX", "1");
        const servers = [LOCAL_IMAGES.redis7, LOCAL_IMAGES.redis8, LOCAL_IMAGES.redis86, LOCAL_IMAGES.valkey8, LOCAL_IMAGES.valkey91];
        expect(suiteImages().map((i) => i.image).sort()).toEqual(servers.sort());
    });

    it("defaults to the local image of the program's default server line", () => {
        const line = (image: string) => /:(\d+\.\d+)\./.exec(image)![1];
        const kind = (image: string) => (image.includes("valkey") ? "valkey" : "redis");
        if (process.env.REDIS_CHAIN_LOCAL_IMAGE === undefined) {
            expect([kind(DEFAULT_LOCAL_IMAGE), line(DEFAULT_LOCAL_IMAGE)]).toEqual([kind(CONFIG_DEFAULTS.image), line(CONFIG_DEFAULTS.image)]);
        }
        expect(SERVER_IMAGES.map((i) => i.image)).toContain(DEFAULT_LOCAL_IMAGE);
    });

    // Each suite's stack spans fewer than 10 host ports (or keeps images at least 100 apart), so shifts 10 apart never meet.
    it("gives every image its own name key and a host port shift at least 10 from the others", () => {
        expect(new Set(SERVER_IMAGES.map((i) => i.key)).size).toBe(SERVER_IMAGES.length);
        const shifts = SERVER_IMAGES.map((i) => i.portShift).sort((a, b) => a - b);
        shifts.slice(1).forEach((shift, n) => expect(shift - shifts[n]).toBeGreaterThanOrEqual(10));
    });
});
