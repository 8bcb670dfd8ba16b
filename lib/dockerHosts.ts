// The Docker hosts a stack places nodes on (`redis-chain:hosts`). Without that key the stack has one
// host, "local": the engine the default docker provider reaches.
import { DockerHostConfig, dockerHostSchema, isIPv4, issueLines } from "./configSchema";
import { HostAddresses, LOCAL_HOST } from "./topology";

/** A validated host. */
export interface DockerHost extends HostAddresses {
    readonly name: string;
    /** Engine URL; undefined means the stack's default docker provider. */
    readonly docker?: string;
    readonly tls?: { readonly caCertPem: string; readonly certPem: string; readonly keyPem: string };
}

const HOST_FIELDS = Object.keys(dockerHostSchema.shape);

/** Validates `redis-chain:hosts`; problems are appended, one line each naming host and field. */
export function parseDockerHosts(raw: unknown, localPublishAddress: string, problems: string[]): DockerHost[] {
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
        const publishAddress = host.publishAddress ?? (name === LOCAL_HOST ? localPublishAddress : address);
        // A publishAddress defaulted from a bad address is already reported as the address.
        if (host.publishAddress !== undefined && !isIPv4(host.publishAddress)) {
            problems.push(`${at}.publishAddress: "${publishAddress}" is not an IPv4 address`);
        }
        const pems = [host.caCertPem, host.certPem, host.keyPem].filter((p) => p !== undefined);
        if (pems.length !== 0 && pems.length !== 3) {
            problems.push(`${at}: give caCertPem, certPem and keyPem together (TLS to the engine), or none`);
        }
        if (pems.length === 3 && !host.docker?.startsWith("tcp://")) problems.push(`${at}: TLS client certificates need a tcp:// engine`);
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
