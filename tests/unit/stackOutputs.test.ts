import { describe, expect, it } from "vitest";
import { chainFromOutputs } from "../../lib/stackOutputs";

const NODES = { "redis-a": { name: "redis-a" } };

describe("chainFromOutputs: the check logs in as the check user", () => {
    it("takes the check user's password, never the application's or the admin's", () => {
        const { credentials } = chainFromOutputs({
            nodes: NODES,
            caCertPem: "",
            password: "appPw",
            adminPassword: "adminPw",
            checkPassword: "checkPw",
            clientCertPem: "cert",
            clientKeyPem: "key",
        });
        expect(credentials).toEqual({ username: "check", password: "checkPw", clientCertPem: "cert", clientKeyPem: "key" });
    });

    it("with authentication off: no user, no password", () => {
        expect(chainFromOutputs({ nodes: NODES, caCertPem: "" }).credentials).toEqual({ clientCertPem: undefined, clientKeyPem: undefined });
    });

    it.each([
        [{ password: "appPw" }, /no checkPassword: the stack predates the check user; run `pulumi up` first/],
        [{ password: "appPw", checkPassword: "[secret]" }, /read them with --show-secrets/],
        [{}, undefined],
    ])("outputs %j", (extra, message) => {
        const read = () => chainFromOutputs({ nodes: NODES, caCertPem: "", ...extra });
        if (message) expect(read).toThrow(message);
        else expect(read).not.toThrow();
    });
});

describe("chainFromOutputs: failover groups", () => {
    const failover = {
        "redis-a": { declaredMaster: "redis-a", quorum: 2, transport: "plain", sentinels: [{ name: "redis-a-sentinel-1", host: "127.0.0.1", port: 26479 }], natMap: {} },
    };

    it("passes the groups to the check and the sentinel password with the credentials", () => {
        const { chain, credentials } = chainFromOutputs({ nodes: NODES, caCertPem: "", failover, sentinelPassword: "sentinelPw" });
        expect(chain.failover).toEqual(failover);
        expect(credentials.sentinelPassword).toBe("sentinelPw");
    });

    it("an empty failover output means no group", () => {
        expect("failover" in chainFromOutputs({ nodes: NODES, caCertPem: "", failover: {} }).chain).toBe(false);
    });

    it("a hidden sentinel password is refused like the others", () => {
        expect(() => chainFromOutputs({ nodes: NODES, caCertPem: "", failover, sentinelPassword: "[secret]" })).toThrow(/--show-secrets/);
    });
});
