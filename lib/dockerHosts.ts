// The Docker hosts a stack places nodes on (`redis-chain:hosts`). Without that key the stack has one
// host, "local": the engine the default docker provider reaches.
import { HostAddresses, LOCAL_HOST } from "./topology";

/** One host as written in the stack config. */
export interface DockerHostConfig {
    /** How to reach its engine: unix:///path, tcp://host:port (TLS with the *Pem fields) or ssh://user@host. */
    readonly docker?: string;
    /** Address other hosts and the deploying machine use to reach ports published there. */
    readonly address?: string;
    /** Address ports not used across hosts are published on; default `address` (127.0.0.1 for local). */
    readonly publishAddress?: string;
    /** PEMs of the engine's CA and of a client certificate and key, for tcp:// with TLS. */
    readonly caCertPem?: string;
    readonly certPem?: string;
    readonly keyPem?: string;
}

/** A validated host. */
export interface DockerHost extends HostAddresses {
    readonly name: string;
    /** Engine URL; undefined means the stack's default docker provider. */
    readonly docker?: string;
    readonly tls?: { readonly caCertPem: string; readonly certPem: string; readonly keyPem: string };
}

const FIELDS = ["docker", "address", "publishAddress", "caCertPem", "certPem", "keyPem"];
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for a dotted-quad IPv4 address (Docker publishes ports on IPs, not names). */
export function isIPv4(value: string): boolean {
    return IPV4.test(value);
}

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
        const host = (value ?? {}) as DockerHostConfig & Record<string, unknown>;
        for (const key of Object.keys(host)) {
            if (!FIELDS.includes(key)) problems.push(`${at}.${key}: unknown field; known fields are ${FIELDS.join(", ")}`);
        }
        if (name !== LOCAL_HOST && !host.docker) {
            problems.push(`${at}.docker: required; e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376 or ssh://user@host`);
        }
        if (host.docker !== undefined && !/^(unix|tcp|ssh):\/\/.+/.test(host.docker)) {
            problems.push(`${at}.docker: "${host.docker}" is not a Docker engine URL; use unix://, tcp:// or ssh://`);
        }
        const defaultAddress = name === LOCAL_HOST ? localPublishAddress : undefined;
        const address = host.address ?? defaultAddress;
        if (address === undefined || !isIPv4(address) || address === "0.0.0.0") {
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
