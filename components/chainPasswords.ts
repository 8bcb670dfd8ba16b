import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PasswordValues } from "../lib/authConf";

/** The chain's three passwords, generated once by @pulumi/random and kept in the stack state. */
export class ChainPasswords extends pulumi.ComponentResource {
    /** All three, secret, in the shape lib/authConf.ts renders. */
    readonly values: pulumi.Output<PasswordValues>;
    /** The clients' password (secret). */
    readonly client: pulumi.Output<string>;

    constructor(name: string, args: Record<string, never> = {}, opts?: pulumi.ComponentResourceOptions) {
        super("redis-chain:index:ChainPasswords", name, args, opts);
        // Alphanumeric: the passwords go into redis.conf tokens and redis:// URLs unquoted.
        const password = (role: string) =>
            new random.RandomPassword(`${name}-${role}`, { length: 32, special: false }, { parent: this }).result;
        const client = password("client");
        const replication = password("replication");
        const healthcheck = password("healthcheck");
        // Mocks and emulators do not mark provider outputs secret; the program does.
        this.client = pulumi.secret(client);
        this.values = pulumi.secret(pulumi.all([client, replication, healthcheck]).apply(([c, r, h]) => ({ client: c, replication: r, healthcheck: h })));
        this.registerOutputs({});
    }
}
