import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
    AclUser,
    UserPasswords,
    applicationRules,
    nodeUsers,
    renderNodeUsersFile,
    renderUsersFile,
} from "../../lib/aclUsers";
import { parseTopology } from "../../lib/parseTopology";
import { nodeByName } from "../../lib/topology";
import { seedNodes } from "../support/seed";

const PASSWORDS: UserPasswords = {
    application: "appPw1",
    admin: "adminPw2",
    check: "checkPw3",
    replication: "replPw4",
    healthcheck: "hcPw5",
};
const hash = (text: string) => createHash("sha256").update(text).digest("hex");

describe("applicationRules", () => {
    it.each([
        [
            false,
            "~* &* -@all +@connection +@transaction +@keyspace +@read +@write +@string +@list +@hash +@set +@sortedset " +
                "+@stream +@bitmap +@hyperloglog +@geo +@pubsub +@blocking +time +acl|whoami -@admin -@dangerous -@scripting",
        ],
        [
            true,
            "~* &* -@all +@connection +@transaction +@keyspace +@read +@write +@string +@list +@hash +@set +@sortedset " +
                "+@stream +@bitmap +@hyperloglog +@geo +@pubsub +@blocking +@scripting +time +acl|whoami -@admin -@dangerous",
        ],
    ])("allowScripting %s", (allowScripting, rules) => {
        expect(applicationRules({ allowScripting }).join(" ")).toBe(rules);
    });

    it("@admin and @dangerous are removed after every grant, so no category can bring them back", () => {
        for (const allowScripting of [false, true]) {
            const rules = applicationRules({ allowScripting });
            const lastGrant = Math.max(...rules.map((r, i) => (r.startsWith("+") ? i : -1)));
            expect(rules.indexOf("-@admin")).toBeGreaterThan(lastGrant);
            expect(rules.indexOf("-@dangerous")).toBeGreaterThan(lastGrant);
        }
    });
});

describe("renderUsersFile", () => {
    it("a master: every user with its hashed password, no masterauth", () => {
        expect(renderUsersFile({ nodeName: "redis-a", users: nodeUsers(PASSWORDS) })).toEqual([
            "# redis-a: ACL users rendered by redis-chain; mode 0600, readable by Redis only.",
            "# clients: data commands only",
            `user default reset on #${hash("appPw1")} ${applicationRules().join(" ")}`,
            "# operators: everything",
            `user admin reset on #${hash("adminPw2")} ~* &* +@all`,
            "# post-deploy check: PING, INFO, its own keys",
            `user check reset on #${hash("checkPw3")} ~redis-chain:check:* resetchannels -@all +ping +info +set +get +del`,
            "# replicas logging in to this node",
            `user replicator reset on #${hash("replPw4")} resetchannels -@all +psync +replconf +ping`,
            "# container healthcheck: PING, INFO",
            `user healthcheck reset on #${hash("hcPw5")} resetchannels -@all +ping +info`,
        ]);
    });

    it("a replica also logs in to its upstream, in plain text", () => {
        const lines = renderUsersFile({ nodeName: "redis-b", users: nodeUsers(PASSWORDS), masterauth: "replPw4" });
        expect(lines.at(-1)).toBe("masterauth replPw4");
        expect(lines.filter((l) => l.startsWith("masterauth"))).toHaveLength(1);
    });

    it("no password other than masterauth appears in plain text", () => {
        const text = renderUsersFile({ nodeName: "redis-b", users: nodeUsers(PASSWORDS), masterauth: "replPw4" }).join("\n");
        for (const password of Object.values(PASSWORDS)) {
            expect(text.split(password).length - 1).toBe(password === "replPw4" ? 1 : 0);
        }
    });

    it("the application user is default, so a password-only AUTH logs in as it", () => {
        expect(nodeUsers(PASSWORDS).map((u) => u.name)).toEqual(["default", "admin", "check", "replicator", "healthcheck"]);
    });

    it("scripting reaches the application user only when allowed", () => {
        const app = (allowScripting: boolean) => nodeUsers(PASSWORDS, { allowScripting })[0].rules;
        expect(app(false)).toContain("-@scripting");
        expect(app(true)).toContain("+@scripting");
        expect(app(true)).not.toContain("-@scripting");
    });

    const user = (over: Partial<AclUser>): AclUser => ({ name: "x", purpose: "p", password: "pw", rules: ["-@all"], ...over });
    it.each<[string, readonly AclUser[], string | undefined, RegExp]>([
        ["a password with a space", [user({ password: "a b" })], undefined, /x user's password must be alphanumeric/],
        ["an empty password", [user({ password: "" })], undefined, /alphanumeric/],
        ["a password with a newline", [user({ password: "a\nuser evil on nopass +@all" })], undefined, /alphanumeric/],
        ["a masterauth with a space", [user({})], "a b", /masterauth password must be alphanumeric/],
        ["a user name with a space", [user({ name: "a b" })], undefined, /user name "a b" must be alphanumeric/],
        ["a duplicate user", [user({}), user({ password: "other" })], undefined, /"x" is declared twice/],
        ["a shared password", [user({}), user({ name: "y" })], undefined, /y and x users must not share a password/],
        ["a rule with a space", [user({ rules: ["+get ~*"] })], undefined, /must be one token/],
        ["an empty rule", [user({ rules: [""] })], undefined, /must be one token/],
        ["a password rule", [user({ rules: [">other"] })], undefined, /not a command, key or channel rule/],
        ["a hashed password rule", [user({ rules: ["#abc"] })], undefined, /not a command, key or channel rule/],
        ["nopass", [user({ rules: ["nopass"] })], undefined, /not a command, key or channel rule/],
        ["off", [user({ rules: ["off"] })], undefined, /not a command, key or channel rule/],
    ])("refuses %s", (_what, users, masterauth, message) => {
        expect(() => renderUsersFile({ nodeName: "n", users, masterauth })).toThrow(message);
    });

    it("accepts key rules with permissions", () => {
        expect(() => renderUsersFile({ nodeName: "n", users: [user({ rules: ["%R~a:*", "%RW~b:*", "&c"] })] })).not.toThrow();
    });
});

describe("renderNodeUsersFile: the file each node gets", () => {
    const seed = parseTopology(seedNodes());

    it("the master: every user, no masterauth, newline-terminated", () => {
        const text = renderNodeUsersFile(nodeByName(seed, "redis-a"), PASSWORDS);
        expect(text).toBe(`${renderUsersFile({ nodeName: "redis-a", users: nodeUsers(PASSWORDS) }).join("\n")}\n`);
        expect(text).not.toMatch(/^masterauth/m);
    });

    it.each(["redis-b", "redis-c"])("the replica %s logs in upstream with the replication password", (name) => {
        const lines = renderNodeUsersFile(nodeByName(seed, name), PASSWORDS).split("\n");
        expect(lines.filter((l) => l.startsWith("masterauth"))).toEqual(["masterauth replPw4"]);
        expect(lines[0]).toBe(`# ${name}: ACL users rendered by redis-chain; mode 0600, readable by Redis only.`);
    });

    it("allowScripting reaches the application user's line", () => {
        const defaultLine = (allowScripting: boolean) =>
            renderNodeUsersFile(nodeByName(seed, "redis-a"), PASSWORDS, { allowScripting })
                .split("\n")
                .find((l) => l.startsWith("user default "))!;
        expect(defaultLine(false)).toMatch(/ -@scripting$/);
        expect(defaultLine(true)).toContain(" +@scripting ");
        expect(defaultLine(true)).not.toContain("-@scripting");
    });

    it.each(["redis:7.0.15", "redis:8.0.3", "valkey/valkey:8.1.1"])("%s understands every line (the same text everywhere)", (image) => {
        const topology = parseTopology(seedNodes(), { image });
        expect(renderNodeUsersFile(nodeByName(topology, "redis-b"), PASSWORDS)).toBe(renderNodeUsersFile(nodeByName(seed, "redis-b"), PASSWORDS));
    });
});
