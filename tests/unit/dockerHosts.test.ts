import { describe, expect, it } from "vitest";
import { isSafeSshUrl, parseDockerHosts } from "../../lib/dockerHosts";

const parse = (raw: unknown, localPublishAddress = "127.0.0.1", storedEncrypted = true) => {
    const problems: string[] = [];
    const hosts = parseDockerHosts(raw, localPublishAddress, problems, storedEncrypted);
    return { hosts, problems };
};
const PEMS = { caCertPem: "ca", certPem: "cert", keyPem: "key" };
const FIELDS = "known fields are docker, address, publishAddress, caCertPem, certPem, keyPem, allowInsecureEngine";
/** An engine URL no rule but the one under test objects to. */
const SOCKET = "unix:///run/host2/docker.sock";

describe("parseDockerHosts: valid", () => {
    it("without the key: one host, local, at the publish address", () => {
        expect(parse(undefined, "0.0.0.0")).toEqual({
            hosts: [{ name: "local", address: "0.0.0.0", publishAddress: "0.0.0.0" }],
            problems: [],
        });
    });

    it("a remote host over TLS, with local added first", () => {
        expect(parse({ host2: { docker: "tcp://10.0.0.5:2376", address: "10.0.0.5", ...PEMS } })).toEqual({
            hosts: [
                { name: "local", address: "127.0.0.1", publishAddress: "127.0.0.1" },
                {
                    name: "host2",
                    docker: "tcp://10.0.0.5:2376",
                    address: "10.0.0.5",
                    // What no other machine needs stays on loopback.
                    publishAddress: "127.0.0.1",
                    tls: { caCertPem: "ca", certPem: "cert", keyPem: "key" },
                },
            ],
            problems: [],
        });
    });

    it("local keeps the stack publish address for its other ports; an explicit publishAddress wins", () => {
        const { hosts, problems } = parse({
            local: { address: "10.200.0.1" },
            host2: { docker: "ssh://user@10.200.0.2", address: "10.200.0.2", publishAddress: "127.0.0.1" },
        });
        expect(problems).toEqual([]);
        expect(hosts.map((h) => [h.name, h.address, h.publishAddress])).toEqual([
            ["local", "10.200.0.1", "127.0.0.1"],
            ["host2", "10.200.0.2", "127.0.0.1"],
        ]);
    });
});

describe("parseDockerHosts: one broken rule at a time", () => {
    it.each<[string, unknown, string]>([
        ["hosts is a list", [{ docker: "tcp://x:1" }], "hosts: expected a map of host name to { docker, address }"],
        ["hosts is a string", "host2", "hosts: expected a map of host name to { docker, address }"],
        ["host name with uppercase", { Host2: { docker: "tcp://x:1", address: "10.0.0.5" } }, "hosts.Host2: host names are 1-32 lowercase letters, digits or '-'"],
        [
            "host name of 33 characters",
            { ["h".repeat(33)]: { docker: "tcp://x:1", address: "10.0.0.5" } },
            `hosts.${"h".repeat(33)}: host names are 1-32 lowercase letters, digits or '-'`,
        ],
        ["unknown field", { host2: { docker: SOCKET, address: "10.0.0.5", user: "me" } }, `hosts.host2.user: unknown field; ${FIELDS}`],
        [
            "remote host without docker",
            { host2: { address: "10.0.0.5" } },
            "hosts.host2.docker: required; e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376 or ssh://user@host",
        ],
        [
            "docker URL with another scheme",
            { host2: { docker: "http://10.0.0.5:2375", address: "10.0.0.5" } },
            'hosts.host2.docker: "http://10.0.0.5:2375" is not a Docker engine URL; use unix://, tcp:// or ssh://',
        ],
        [
            "remote host without address",
            { host2: { docker: SOCKET } },
            "hosts.host2.address: undefined is not an IPv4 address other hosts can reach; set the host's address",
        ],
        [
            "address 0.0.0.0",
            { host2: { docker: SOCKET, address: "0.0.0.0" } },
            'hosts.host2.address: "0.0.0.0" is not an IPv4 address other hosts can reach; set the host\'s address',
        ],
        [
            "bad publishAddress",
            { host2: { docker: SOCKET, address: "10.0.0.5", publishAddress: "any" } },
            'hosts.host2.publishAddress: "any" is not an IPv4 address',
        ],
        [
            "only some TLS material",
            { host2: { docker: "tcp://10.0.0.5:2376", address: "10.0.0.5", caCertPem: "ca" } },
            "hosts.host2: give caCertPem, certPem and keyPem together (TLS to the engine), or none",
        ],
        [
            "TLS material with an ssh engine",
            { host2: { docker: "ssh://me@10.0.0.5", address: "10.0.0.5", ...PEMS } },
            "hosts.host2: TLS client certificates need a tcp:// engine",
        ],
        [
            "a tcp:// engine without TLS",
            { host2: { docker: "tcp://10.0.0.5:2375", address: "10.0.0.5" } },
            "hosts.host2.docker: tcp://10.0.0.5:2375 without TLS gives root on that host to anyone who reaches the port, and the " +
                "uploads (passwords, keys) cross the network in plain text; give caCertPem, certPem and keyPem, or set allowInsecureEngine: true",
        ],
        [
            "allowInsecureEngine on an ssh engine",
            { host2: { docker: "ssh://me@10.0.0.5", address: "10.0.0.5", allowInsecureEngine: true } },
            "hosts.host2.allowInsecureEngine: only for a tcp:// engine without TLS material; remove it",
        ],
        [
            "allowInsecureEngine with TLS material",
            { host2: { docker: "tcp://10.0.0.5:2376", address: "10.0.0.5", ...PEMS, allowInsecureEngine: true } },
            "hosts.host2.allowInsecureEngine: only for a tcp:// engine without TLS material; remove it",
        ],
        ["allowInsecureEngine not a boolean", { host2: { docker: SOCKET, address: "10.0.0.5", allowInsecureEngine: "yes" } }, "hosts.host2.allowInsecureEngine: use true or false"],
    ])("%s", (_rule, raw, problem) => {
        expect(parse(raw).problems).toEqual([problem]);
    });

    it("an engine key in plain stack config is refused with the command that stores it encrypted", () => {
        expect(parse({ host2: { docker: "tcp://10.0.0.5:2376", address: "10.0.0.5", ...PEMS } }, "127.0.0.1", false).problems).toEqual([
            "hosts.host2.keyPem: stored as plain text in the stack config; store it encrypted: " +
                "pulumi config set --secret --path 'hosts.host2.keyPem' < key.pem",
        ]);
    });

    it("without keyPem, hosts need not be secret", () => {
        expect(parse({ host2: { docker: SOCKET, address: "10.0.0.5" } }, "127.0.0.1", false).problems).toEqual([]);
    });

    it("a tcp:// engine without TLS is accepted with allowInsecureEngine: true", () => {
        const { hosts, problems } = parse({ host2: { docker: "tcp://10.0.0.5:2375", address: "10.0.0.5", allowInsecureEngine: true } });
        expect(problems).toEqual([]);
        expect(hosts[1]).toMatchObject({ docker: "tcp://10.0.0.5:2375", tls: undefined });
    });

    it("an address that is a host name is reported once, not again as the publish address defaulting to it", () => {
        expect(parse({ host2: { docker: SOCKET, address: "box.local" } }).problems).toEqual([
            'hosts.host2.address: "box.local" is not an IPv4 address other hosts can reach; set the host\'s address',
        ]);
    });

    it("every host's problems in one list", () => {
        expect(parse({ host2: { address: "10.0.0.5" }, host3: { docker: "ftp://x", address: "10.0.0.6" } }).problems).toEqual([
            "hosts.host2.docker: required; e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376 or ssh://user@host",
            'hosts.host3.docker: "ftp://x" is not a Docker engine URL; use unix://, tcp:// or ssh://',
        ]);
    });
});

describe("ssh engine URLs: nothing ssh could read as an option", () => {
    const sshProblem = (url: string) =>
        `hosts.host2.docker: ${JSON.stringify(url)} is not a plain ssh://user@host[:port]; user and host are letters, digits, ` +
        "'.', '-', '_' and may not start with '-' (ssh would read them as options); no path, query or password";

    it.each(["ssh://10.0.0.5", "ssh://deploy@10.0.0.5", "ssh://deploy@box.example.org:2222", "ssh://ci_user.2@box-1:22", "ssh://root@h"])(
        "accepts %s",
        (url) => {
            expect(isSafeSshUrl(url)).toBe(true);
            expect(parse({ host2: { docker: url, address: "10.0.0.5" } }).problems).toEqual([]);
        },
    );

    it.each([
        ["a host that is an option", "ssh://-oProxyCommand=touch${IFS}/tmp/x"],
        ["a user that is an option", "ssh://-oProxyCommand=id@box"],
        ["a host starting with '-'", "ssh://me@-box"],
        ["a space", "ssh://me@box -p 22"],
        ["a query", "ssh://me@box?ProxyCommand=id"],
        ["a path", "ssh://me@box/var/run/docker.sock"],
        ["a password", "ssh://me:secret@box"],
        ["a percent-escape", "ssh://%2DoProxyCommand@box"],
        ["a fragment", "ssh://me@box#x"],
        ["port 0", "ssh://me@box:0"],
        ["port 65536", "ssh://me@box:65536"],
        ["no host", "ssh://me@"],
        ["an empty label", "ssh://me@box..example"],
    ])("refuses %s: %s", (_case, url) => {
        expect(isSafeSshUrl(url)).toBe(false);
        expect(parse({ host2: { docker: url, address: "10.0.0.5" } }).problems).toEqual([sshProblem(url)]);
    });
});
