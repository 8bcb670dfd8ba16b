// A Sentinel failover group over two Docker engines: the machine's own, and the second one in a
// network namespace (tests/infra/second-docker-host.sh, at 10.200.0.2) standing in for another
// machine. The master lives on the second host; losing that whole engine under a Sentinel write
// load must elect a replica on the surviving host, with writes resuming and no WAIT-confirmed write
// lost; when the engine is back, the old master must rejoin as a replica without taking a write.
// Nodes announce their published address and port, sentinels `announce-ip/port`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeLeftovers } from "../../testkit/dockerObjects";
import { FailoverTarget, HostAddress } from "../../testkit/failover/failoverOutputs";
import { infoFields, measureRejoin } from "../../testkit/failover/rejoin";
import { readBackAudit, startSentinelLoad } from "../../testkit/failover/sentinelLoad";
import { masterAddresses, rolesOf, waitForFailover, waitForSentinelsReady } from "../../testkit/failover/sentinelView";
import { stackFailoverTarget } from "../../testkit/failover/stackTarget";
import { acknowledgedByAfter, firstWriteAfter } from "../../testkit/failover/writeAudit";
import { DeployedStack, StackConfig, deployStack, readStackConfig } from "../../testkit/harness/deployStack";
import { sleep } from "../../testkit/sleep";
import { testStack } from "../../testkit/stacks";
import { TWO_HOSTS, host2, secondHost, secondHostUnavailable } from "../../testkit/secondDockerHost";
import { expectNothingLeft } from "./support";

const notRoot = secondHostUnavailable;
if (notRoot) console.warn("[multi-host failover] skipped: the second Docker host needs root (network namespace, dockerd)");

const PREFIX = "e2e-mhf-";
const GROUP = "a";
// Every host port of this file lies in 47200-47299.
const PORTS = { a: 47201, b: 47202, c: 47203, sentinels: [47211, 47212, 47213] };
const DOWN_AFTER_MS = 1000;
// As announced (published address and port), the way Sentinel and the natMap name them.
const A = `10.200.0.2:${PORTS.a}`;
const B = `10.200.0.1:${PORTS.b}`;
const C = `10.200.0.1:${PORTS.c}`;
const log = (line: string) => console.log(`[mh-failover] ${line}`);
const key = (a: HostAddress) => `${a.host}:${a.port}`;


/**
 * A on host2; B and C, both its direct replicas, on the local host: once host2 is gone, B or C is
 * promoted and keeps the other as its replica, so minReplicasToWrite 1 still lets it write. Two
 * sentinels on the local host and one on host2: host2's loss leaves 2 of 3, the quorum and the
 * majority. With two hosts, no placement of 3 sentinels also survives the local host's loss (it
 * leaves at most 1), so the validator needs allowQuorumOnOneHost. Plain links across hosts, by
 * consent (a test bed in a private namespace).
 */
function groupConfig(): StackConfig {
    const plainNode = (hostPort: number) => ({ plain: { hostPort }, allowPlainOnNetwork: true });
    return {
        namePrefix: PREFIX,
        image: testStack(readStackConfig("dev"), PREFIX, 0).image,
        hosts: TWO_HOSTS,
        nodes: [
            {
                name: "a",
                host: "host2",
                ...plainNode(PORTS.a),
                failover: {
                    hosts: ["local", "local", "host2"],
                    hostPorts: PORTS.sentinels,
                    allowQuorumOnOneHost: true,
                    downAfterMs: DOWN_AFTER_MS,
                    failoverTimeoutMs: 5000,
                    minReplicasMaxLagS: 3,
                },
            },
            { name: "b", replicaOf: "a", link: "plain", allowPlainAcrossHosts: true, ...plainNode(PORTS.b) },
            { name: "c", replicaOf: "a", link: "plain", allowPlainAcrossHosts: true, ...plainNode(PORTS.c) },
        ],
    };
}

/** The group as seen from the local host alone: its sentinels, every node of the natMap. */
function survivorsOf(target: FailoverTarget): FailoverTarget {
    return { ...target, group: { ...target.group, sentinels: target.group.sentinels.filter((s) => s.host === TWO_HOSTS.local.address) } };
}

describe.skipIf(notRoot)("a failover group over two Docker hosts when the master's engine goes away", () => {
    let stack: DeployedStack | undefined;
    let target: FailoverTarget;
    let engineStopped = false;
    /** The master the sentinels elected when host2 went away (announced address). */
    let newMaster: HostAddress | undefined;

    beforeAll(async () => {
        await removeLeftovers(PREFIX);
        await secondHost("up");
        stack = await deployStack(groupConfig(), (line) => console.log(`[deploy ${PREFIX}] ${line}`));
        target = stackFailoverTarget(stack.outputs, GROUP);
        log(`deployed and checked in ${stack.deployMs} ms; outputs: ${JSON.stringify(target.group)}`);
    }, 240_000);

    afterAll(async () => {
        if (notRoot) return;
        try {
            // The stack's host2 resources are destroyed through its engine: start it again first.
            if (engineStopped) await secondHost("up");
            if (stack) await stack.destroy();
        } finally {
            await secondHost("down");
            const swept = await removeLeftovers(PREFIX);
            if (swept.length > 0) log(`removed leftovers: ${swept.join(", ")}`);
        }
        await expectNothingLeft(PREFIX);
    }, 240_000);

    it("deploys A on host2 and B, C on the local host, the sentinels announcing their published addresses", async () => {
        const there = (await host2.docker(["ps", "--format", "{{.Names}}"])).trim().split("\n").sort();
        expect(there).toEqual([`${PREFIX}a`, `${PREFIX}a-sentinel-3`]);
        expect(Object.keys(target.group.natMap).sort()).toEqual([B, C, A].sort());
        expect(target.group.sentinels.map(key)).toEqual(PORTS.sentinels.map((p, i) => `10.200.0.${i < 2 ? 1 : 2}:${p}`));
        await waitForSentinelsReady(target, 2, 30_000, log);
        expect(key((await masterAddresses(target)).agreed!)).toBe(A);
    }, 60_000);

    it("host2's engine stopped under load: a local replica is elected, writes resume, no WAIT-confirmed write is lost, one master", async () => {
        const load = await startSentinelLoad(target, { keyPrefix: "host-loss:", ratePerSecond: 200, waitMs: 500 });
        let faultAt = 0;
        let records;
        let seen;
        try {
            await load.waitForAcknowledged(100);
            await sleep(2000);
            faultAt = Date.now();
            engineStopped = true;
            // dockerd stops its containers (SIGTERM, then SIGKILL after their stop timeout) before
            // it exits: the sentinels are watched meanwhile, not after.
            const stopping = secondHost("stop-engine").then(() => log(`host2's dockerd exited ${Date.now() - faultAt} ms after the stop was called`));
            seen = await waitForFailover(survivorsOf(target), { host: "10.200.0.2", port: PORTS.a }, 30_000, log);
            log(`the local sentinels agree on ${key(seen.master)} ${seen.at - faultAt} ms after the stop was called`);
            await stopping;
            await load.waitForAcknowledged(100, 30_000);
        } finally {
            records = await load.stop();
        }
        const errors: Record<string, number> = {};
        for (const r of records) if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
        log(`load errors: ${JSON.stringify(errors)}`);
        const audit = await readBackAudit(survivorsOf(target), "host-loss:", records);
        const firstWrite = firstWriteAfter(records, faultAt, A);
        // A shuts down gracefully after the call and acknowledges writes meanwhile: the outage the
        // clients see runs from A's last acknowledged write to the new master's first.
        const lastOnA = Math.max(...records.filter((r) => r.acknowledged && r.node === A).map((r) => r.repliedAt));
        const { acknowledgedLost, waitConfirmedLost, ...rest } = audit;
        log(
            JSON.stringify({
                newMaster: key(seen.master),
                sentinelsAgreedMs: seen.at - faultAt,
                firstWrite,
                lastWriteOnAMs: lastOnA - faultAt,
                noWriteAcknowledgedMs: firstWrite ? firstWrite.afterMs - (lastOnA - faultAt) : undefined,
                staleWrites: acknowledgedByAfter(records, faultAt, A),
                audit: { ...rest, acknowledgedLost: acknowledgedLost.length, waitConfirmedLost: waitConfirmedLost.length },
            }),
        );
        expect([B, C]).toContain(key(seen.master));
        expect(firstWrite?.node).toBe(key(seen.master));
        // dockerd gives each container 10 s to stop; then Sentinel's down-after and the election.
        expect(firstWrite!.afterMs).toBeLessThan(10_000 + DOWN_AFTER_MS + 5000);
        expect(audit.waitConfirmed).toBeGreaterThan(100);
        expect(waitConfirmedLost).toEqual([]);
        // The nodes the deploying machine still reaches: exactly one master, the elected one.
        const { roles, masters } = await rolesOf(target, [B, C].map((n) => target.group.natMap[n]));
        log(`roles: ${JSON.stringify(roles)}`);
        expect(masters.map((m) => Object.entries(target.group.natMap).find(([, a]) => key(a) === key(m))![0])).toEqual([key(seen.master)]);
        newMaster = seen.master;
    }, 120_000);

    // The heal of a host's loss: dockerd restarts A (restart policy unless-stopped), whose start
    // script asks the sentinels before the server starts.
    it("host2's engine started again: A rejoins as the new master's replica and takes no write as a master", async () => {
        expect(newMaster, "set by the host-loss test").toBeDefined();
        const at = (announced: string) => target.group.natMap[announced];
        const rejoin = await measureRejoin(
            target,
            at(A),
            at(key(newMaster!)),
            async () => {
                await secondHost("up");
                engineStopped = false;
            },
            120_000,
            log,
        );
        log(`host2 back: ${JSON.stringify(rejoin)}`);
        expect(rejoin.writesTaken).toBe(0);
        const replication = await infoFields(target, at(A), "replication");
        expect(`${replication.master_host}:${replication.master_port}`).toBe(key(newMaster!));
        const { masters } = await rolesOf(target, [A, B, C].map((n) => at(n)));
        expect(masters.map(key)).toEqual([key(at(key(newMaster!)))]);
    }, 180_000);
});
