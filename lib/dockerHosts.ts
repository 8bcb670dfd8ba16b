// The Docker hosts a stack places nodes on (`redis-chain:hosts`). Without that key the stack has one
// host, "local": the engine the default docker provider reaches.
import { CONFIG_DEFAULTS, DockerHostConfig, dockerHostSchema, isIPv4, issueLines } from "./configSchema";
import { HostAddresses, LOCAL_HOST } from "./topology";

/** A validated host. */
export interface DockerHost extends HostAddresses {
    readonly name: string;
    /** Engine URL; undefined means the stack's default docker provider. */
    readonly docker?: string;
    readonly tls?: { readonly caCertPem: string; readonly certPem: string; readonly keyPem: string };
}

const HOST_FIELDS = Object.keys(dockerHostSchema.shape);

// The docker CLI's ssh helper hands user and host to `ssh` as arguments: a value starting with '-'
// would be read as an option (-oProxyCommand=... runs a command), so only user@host[:port] with
// plain names passes. No path, query, password or percent-escape either.
const SSH_URL = /^ssh:\/\/(?:([A-Za-z0-9_][A-Za-z0-9_.-]{0,31})@)?([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)(?::(\d{1,5}))?$/;

/** True for ssh://[user@]host[:port] with a user and host no ssh option can hide in. */
export function isSafeSshUrl(url: string): boolean {
    const match = SSH_URL.exec(url);
    return match !== null && (match[3] === undefined || (Number(match[3]) >= 1 && Number(match[3]) <= 65535));
}

/**
 * Validates `redis-chain:hosts`; problems are appended, one line each naming host and field.
 * `storedEncrypted`: whether Pulumi stored the key as a secret (`pulumi config set --secret`), which
 * a host's keyPem requires.
 */
export function parseDockerHosts(raw: unknown, localPublishAddress: string, problems: string[], storedEncrypted = false): DockerHost[] {
    const local: DockerHost = { name: LOCAL_HOST, address: localPublishAddress, publishAddress: localPublishAddress };
    if (raw === undefined) return [local];
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        problems.push("hosts: expected a map of host name to { docker, address }");
        return [local];
    }
    const hosts: DockerHost[] = [];
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
        const at = `hosts.${name}`;
        if (!/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(name)) {
            problems.push(`${at}: host names are 1-32 lowercase letters, digits or '-'`);
            continue;
        }
        const fields = (value ?? {}) as Record<string, unknown>;
        const shape = dockerHostSchema.safeParse(fields);
        const issues = shape.error?.issues ?? [];
        problems.push(...issueLines(issues, at, () => HOST_FIELDS));
        if (issues.some((iss) => iss.path.length === 0 && iss.code === "invalid_type")) continue;
        // The rules below still run on the fields that are well-formed, so every problem is said at once.
        const failed = new Set(issues.map((iss) => iss.path[0]));
        const host = shape.data ?? (Object.fromEntries(HOST_FIELDS.filter((key) => !failed.has(key)).map((key) => [key, fields[key]])) as DockerHostConfig);
        if (name !== LOCAL_HOST && !host.docker && !failed.has("docker")) {
            problems.push(`${at}.docker: required; e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376 or ssh://user@host`);
        }
        const defaultAddress = name === LOCAL_HOST ? localPublishAddress : undefined;
        const address = host.address ?? defaultAddress;
        if (!failed.has("address") && (address === undefined || !isIPv4(address) || address === "0.0.0.0")) {
            problems.push(`${at}.address: ${JSON.stringify(host.address)} is not an IPv4 address other hosts can reach; set the host's address`);
        }
        // Only what another machine needs goes on `address`; the rest stays on loopback unless the
        // user names another address.
        const publishAddress = host.publishAddress ?? (name === LOCAL_HOST ? localPublishAddress : CONFIG_DEFAULTS.publishAddress);
        if (host.publishAddress !== undefined && !isIPv4(host.publishAddress)) {
            problems.push(`${at}.publishAddress: "${publishAddress}" is not an IPv4 address`);
        }
        const pems = [host.caCertPem, host.certPem, host.keyPem].filter((p) => p !== undefined);
        if (pems.length !== 0 && pems.length !== 3) {
            problems.push(`${at}: give caCertPem, certPem and keyPem together (TLS to the engine), or none`);
        }
        if (pems.length === 3 && !host.docker?.startsWith("tcp://")) problems.push(`${at}: TLS client certificates need a tcp:// engine`);
        problems.push(...engineProblems(at, host, pems.length, storedEncrypted));
        hosts.push({
            name,
            docker: host.docker,
            address: address ?? "",
            publishAddress: publishAddress ?? "",
            tls: pems.length === 3 ? { caCertPem: host.caCertPem!, certPem: host.certPem!, keyPem: host.keyPem! } : undefined,
        });
    }
    if (!hosts.some((h) => h.name === LOCAL_HOST)) hosts.unshift(local);
    return hosts;
}

/** The rules that keep the engine's API (root on its host) and the uploads off the open network. */
function engineProblems(at: string, host: DockerHostConfig, pemCount: number, storedEncrypted: boolean): string[] {
    const problems: string[] = [];
    const docker = host.docker ?? "";
    if (docker.startsWith("ssh://") && !isSafeSshUrl(docker)) {
        problems.push(
            `${at}.docker: ${JSON.stringify(docker)} is not a plain ssh://user@host[:port]; user and host are letters, digits, ` +
                "'.', '-', '_' and may not start with '-' (ssh would read them as options); no path, query or password",
        );
    }
    if (docker.startsWith("tcp://") && pemCount === 0 && !host.allowInsecureEngine) {
        problems.push(
            `${at}.docker: ${docker} without TLS gives root on that host to anyone who reaches the port, and the uploads ` +
                "(passwords, keys) cross the network in plain text; give caCertPem, certPem and keyPem, or set allowInsecureEngine: true",
        );
    }
    if (host.allowInsecureEngine && (!docker.startsWith("tcp://") || pemCount === 3)) {
        problems.push(`${at}.allowInsecureEngine: only for a tcp:// engine without TLS material; remove it`);
    }
    if (host.keyPem !== undefined && !storedEncrypted) {
        problems.push(
            `${at}.keyPem: stored as plain text in the stack config; store it encrypted: ` +
                `pulumi config set --secret --path '${at}.keyPem' < key.pem`,
        );
    }
    return problems;
}
