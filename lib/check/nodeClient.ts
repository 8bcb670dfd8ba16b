// A short-lived ioredis connection to one listener that reconnects on the next call after a failure,
// so a polling loop sees "connection refused" as a status instead of a crash.
import Redis from "ioredis";
import { ChainCredentials, Endpoint } from "../connectionInfo";

/** One listener of one node, as the check connects to it. */
export interface ListenerTarget {
    readonly node: string;
    readonly transport: "plain" | "tls";
    readonly endpoint: Endpoint;
}

export class NodeClient {
    private client: Redis | undefined;

    constructor(
        readonly target: ListenerTarget,
        /** CA that signed the TLS listeners; hostname verification is always on. */
        private readonly caCertPem: string,
        private readonly credentials: ChainCredentials,
    ) {}

    /** Runs `fn` on a connected client; on failure drops the connection and rethrows. */
    async run<T>(fn: (client: Redis) => Promise<T>): Promise<T> {
        try {
            if (!this.client || this.client.status !== "ready") {
                this.close();
                this.client = this.connectClient();
                await this.client.connect();
            }
            return await fn(this.client);
        } catch (error) {
            this.close();
            throw error;
        }
    }

    close(): void {
        this.client?.disconnect();
        this.client = undefined;
    }

    private connectClient(): Redis {
        const { host, port } = this.target.endpoint;
        const client = new Redis({
            host,
            port,
            // Node verifies the certificate chain and that host (name or IP) is in its SANs.
            tls:
                this.target.transport === "tls"
                    ? { ca: [this.caCertPem], cert: this.credentials.clientCertPem, key: this.credentials.clientKeyPem }
                    : undefined,
            username: this.credentials.username,
            password: this.credentials.password,
            // CLIENT SETINFO is no command of the check user (nor known to Redis 7.0); ioredis would
            // send it on every connect and leave a refusal in the ACL log each time. The ready check's
            // INFO stays: the check user may run INFO.
            disableClientInfo: true,
            lazyConnect: true,
            connectTimeout: 2000,
            commandTimeout: 2000,
            maxRetriesPerRequest: 0,
            enableOfflineQueue: false,
            // The polling loop decides when to try again, not ioredis.
            retryStrategy: () => null,
        });
        // Errors surface through the rejected command; without a listener ioredis logs them loudly.
        client.on("error", () => undefined);
        return client;
    }
}
