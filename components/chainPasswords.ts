import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { UserPasswords } from "../lib/aclUsers";

/** Which optional users the chain has. */
export interface ChainPasswordsArgs {
    /** The `sentinel` user of failover groups' nodes, and the `fence` user of their candidates. */
    readonly sentinelUser?: boolean;
}

/** One password per ACL user of the chain, generated once by @pulumi/random and kept in the stack state. */
export class ChainPasswords extends pulumi.ComponentResource {
    /** All of them, secret, in the shape lib/aclUsers.ts renders. */
    readonly values: pulumi.Output<UserPasswords>;
    /** The application user's password (secret): what clients send. */
    readonly application: pulumi.Output<string>;
    /** The admin user's password (secret), for operators. */
    readonly admin: pulumi.Output<string>;
    /** The check user's password (secret), for the post-deploy check and `npm run verify`. */
    readonly check: pulumi.Output<string>;

    constructor(name: string, args: ChainPasswordsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("redis-chain:index:ChainPasswords", name, {}, opts);
        // Alphanumeric: the passwords go into config-file tokens and redis:// URLs unquoted.
        const password = (role: string) =>
            new random.RandomPassword(`${name}-${role}`, { length: 32, special: false }, { parent: this }).result;
        // The application's password keeps the resource name `client`, so a deployed stack keeps it.
        const application = password("client");
        const admin = password("admin");
        const check = password("check");
        const replication = password("replication");
        const healthcheck = password("healthcheck");
        const sentinel = args.sentinelUser ? password("sentinel") : undefined;
        const fence = args.sentinelUser ? password("fence") : undefined;
        // Mocks and emulators do not mark provider outputs secret; the program does.
        this.application = pulumi.secret(application);
        this.admin = pulumi.secret(admin);
        this.check = pulumi.secret(check);
        this.values = pulumi.secret(
            pulumi
                .all([application, admin, check, replication, healthcheck, sentinel, fence])
                .apply(([application, admin, check, replication, healthcheck, sentinel, fence]) => ({
                    application,
                    admin,
                    check,
                    replication,
                    healthcheck,
                    ...(sentinel === undefined ? {} : { sentinel }),
                    ...(fence === undefined ? {} : { fence }),
                })),
        );
        this.registerOutputs({});
    }
}
