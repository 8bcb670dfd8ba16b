// A failover group of a deployed stack as the failover kit drives it: the group's outputs plus the
// logins the stack outputs carry.
import { ADMIN_USER } from "../../lib/aclUsers";
import { FailoverGroup, FailoverTarget, HostAddress } from "./failoverOutputs";

/** The stack outputs the kit reads (`failover`, the passwords). */
export interface FailoverStackOutputs {
    readonly failover?: Readonly<Record<string, FailoverGroup>>;
    readonly sentinelPassword?: string;
    readonly password?: string;
    readonly adminPassword?: string;
}

/** Group `group` of the outputs, logged in as the application user, inspected as the admin user. */
export function stackFailoverTarget(outputs: FailoverStackOutputs, group: string): FailoverTarget {
    const found = outputs.failover?.[group];
    if (!found) throw new Error(`the stack outputs have no failover group ${group} (groups: ${Object.keys(outputs.failover ?? {}).join(", ") || "none"})`);
    return {
        masterName: group,
        group: found,
        sentinelPassword: outputs.sentinelPassword,
        password: outputs.password,
        inspector: outputs.adminPassword === undefined ? {} : { username: ADMIN_USER, password: outputs.adminPassword },
    };
}

/** Where the host reaches the node whose container is `containerName` (its natMap entry, any port). */
export function nodeAddress(target: FailoverTarget, containerName: string): HostAddress {
    const entry = Object.entries(target.group.natMap).find(([announced]) => announced.slice(0, announced.lastIndexOf(":")) === containerName);
    if (!entry) throw new Error(`no natMap entry for ${containerName} (known: ${Object.keys(target.group.natMap).join(", ")})`);
    return entry[1];
}
