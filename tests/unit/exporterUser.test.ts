// The exporter's ACL user in the node's users file: its rules, and its line only when it has a password.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EXPORTER_RULES, UserPasswords, nodeUsers, renderNodeUsersFile, renderUsersFile } from "../../lib/aclUsers";
import { parseTopology } from "../../lib/parseTopology";
import { nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

const PASSWORDS: UserPasswords = { application: "appPw1", admin: "adminPw2", check: "checkPw3", replication: "replPw4", healthcheck: "hcPw5" };
const hash = (text: string) => createHash("sha256").update(text).digest("hex");
const seed = parseTopology(seedNodes());

describe("exporter user", () => {
    it("its rules: PING, INFO, CLIENT SETNAME, LATENCY LATEST/HISTOGRAM, SLOWLOG LEN; no key, no channel, no CONFIG", () => {
        expect(EXPORTER_RULES.join(" ")).toBe("resetchannels -@all +ping +info +client|setname +latency|latest +latency|histogram +slowlog|len");
    });

    it("users file: present with its hashed password only when it has one", () => {
        expect(nodeUsers(PASSWORDS).map((u) => u.name)).not.toContain("exporter");
        const lines = renderUsersFile({ nodeName: "redis-a", users: nodeUsers({ ...PASSWORDS, exporter: "expPw6" }) });
        expect(lines.slice(-2)).toEqual([
            "# metrics exporter: INFO, LATENCY, SLOWLOG LEN",
            `user exporter reset on #${hash("expPw6")} resetchannels -@all +ping +info +client|setname +latency|latest +latency|histogram +slowlog|len`,
        ]);
        expect(lines.join("\n")).not.toContain("expPw6");
    });

    it("users file: refuses an exporter password shared with another user", () => {
        expect(() => renderUsersFile({ nodeName: "redis-a", users: nodeUsers({ ...PASSWORDS, exporter: "hcPw5" }) })).toThrow(
            "the exporter and healthcheck users must not share a password",
        );
    });

    it.each(["redis-a", "redis-b", "redis-c"])("node users file of %s: the exporter line only when it has a password", (name) => {
        const node = nodeByName(seed, name);
        expect(renderNodeUsersFile(node, PASSWORDS)).not.toContain("exporter");
        expect(renderNodeUsersFile(node, { ...PASSWORDS, exporter: "expPw6" }).split("\n")).toContain(
            `user exporter reset on #${hash("expPw6")} resetchannels -@all +ping +info +client|setname +latency|latest +latency|histogram +slowlog|len`,
        );
    });

    it("node users file refuses an exporter password that is not one token", () => {
        expect(() => renderNodeUsersFile(nodeByName(seed, "redis-a"), { ...PASSWORDS, exporter: "a b" })).toThrow(
            "the exporter user's password must be alphanumeric",
        );
    });
});
