import { describe, expect, it } from "vitest";
import { PasswordValues, renderAuthConf } from "../../lib/authConf";
import { parseTopology } from "../../lib/parseTopology";
import { nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

const PASSWORDS: PasswordValues = { client: "clientPw123", replication: "replPw456", healthcheck: "hcPw789" };
const seed = parseTopology(seedNodes());

describe("renderAuthConf", () => {
    it("a master: client password and the two least-privilege users, no masterauth", () => {
        expect(renderAuthConf(nodeByName(seed, "redis-a"), PASSWORDS)).toBe(
            [
                "# redis-a: secrets rendered by redis-chain; mode 0600, owned by redis.",
                "requirepass clientPw123",
                "user replicator on >replPw456 -@all +psync +replconf +ping",
                "user healthcheck on >hcPw789 -@all +ping +info",
                "",
            ].join("\n"),
        );
    });

    it.each(["redis-b", "redis-c"])("a replica (%s) also logs in to its upstream with the replication password", (name) => {
        const lines = renderAuthConf(nodeByName(seed, name), PASSWORDS).split("\n");
        expect(lines).toContain("masterauth replPw456");
        expect(lines).toContain("user replicator on >replPw456 -@all +psync +replconf +ping");
        expect(lines[0]).toBe(`# ${name}: secrets rendered by redis-chain; mode 0600, owned by redis.`);
    });

    it.each([
        ["client", { ...PASSWORDS, client: "has space" }],
        ["replication", { ...PASSWORDS, replication: "a>b" }],
        ["healthcheck", { ...PASSWORDS, healthcheck: "" }],
    ])("refuses a %s password that is not a single config token", (which, passwords) => {
        expect(() => renderAuthConf(nodeByName(seed, "redis-b"), passwords)).toThrow(`the ${which} password must be alphanumeric`);
    });
});
