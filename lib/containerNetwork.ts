// Kernel network settings of a node's container, stated once.
//
// A replica that probes its upstream while the upstream's container is still being started sends
// to an address whose interface is not on the bridge yet: its ARP request goes unanswered, and
// Linux asks again only after `retrans_time_ms` (1000 by default), holding every packet to that
// address meanwhile. Measured on Docker 20.10 here: with the default, a replica's probes stalled
// for ~0.95 s around the upstream's start; with 50 ms, ~0.45 s, all of it before the upstream's
// container was running. The interface is eth0: a node's container joins exactly one network.

/** `HostConfig.Sysctls` of every node container (net.* sysctls are per network namespace). */
export const NODE_SYSCTLS: Readonly<Record<string, string>> = {
    "net.ipv4.neigh.eth0.retrans_time_ms": "50",
};
