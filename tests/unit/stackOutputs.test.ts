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
