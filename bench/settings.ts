// Sizes, names and host ports of one benchmark run. The full run takes a few minutes on 2 cores;
// the smoke run uses the same code with tiny sizes and its own names, so both never collide.

/** How much work each figure does. */
export interface BenchSizes {
    readonly mode: "full" | "smoke";
    /** Figure 2: replicated PUBLISH probes, and the SET load of the "loaded" run. */
    readonly latency: {
        readonly probes: number;
        readonly probesPerSecond: number;
        readonly load: LoadShape;
        /** Load runs this long before the first probe. */
        readonly loadWarmupMs: number;
    };
    /** Figure 3: restart of B under load. */
    readonly restart: {
        readonly load: LoadShape;
        /** Load runs this long before `docker stop`. */
        readonly beforeStopMs: number;
        /** Time between `docker stop` returning and `docker start`. */
        readonly downMs: number;
        /** Bound for both links to come back. */
        readonly linkTimeoutMs: number;
    };
    /** Figure 4: full sync of `values` x `valueBytes` written on A. */
    readonly fullSync: { readonly values: number; readonly valueBytes: number; readonly timeoutMs: number };
    /** Figure 5: runs of the post-deploy check on a healthy chain. */
    readonly check: { readonly runs: number; readonly seedTimeoutMs: number };
}

/** A steady SET load: rate, value size, and how many distinct keys it cycles through. */
export interface LoadShape {
    readonly setsPerSecond: number;
    readonly valueBytes: number;
    readonly keyspace: number;
}

export const FULL: BenchSizes = {
    mode: "full",
    latency: {
        probes: 500,
        probesPerSecond: 200,
        load: { setsPerSecond: 5000, valueBytes: 512, keyspace: 50_000 },
        loadWarmupMs: 1000,
    },
    restart: {
        // ~3 MB/s of values: 10 s of outage is ~30 MB, past a 1 MB backlog, within 64 MB.
        load: { setsPerSecond: 3000, valueBytes: 1024, keyspace: 20_000 },
        beforeStopMs: 3000,
        downMs: 10_000,
        linkTimeoutMs: 90_000,
    },
    fullSync: { values: 256, valueBytes: 1 << 20, timeoutMs: 120_000 },
    check: { runs: 20, seedTimeoutMs: 5000 },
};

export const SMOKE: BenchSizes = {
    mode: "smoke",
    latency: {
        probes: 30,
        probesPerSecond: 100,
        load: { setsPerSecond: 500, valueBytes: 512, keyspace: 1000 },
        loadWarmupMs: 200,
    },
    restart: {
        load: { setsPerSecond: 300, valueBytes: 1024, keyspace: 1000 },
        beforeStopMs: 500,
        downMs: 1000,
        linkTimeoutMs: 60_000,
    },
    fullSync: { values: 4, valueBytes: 1 << 20, timeoutMs: 60_000 },
    check: { runs: 3, seedTimeoutMs: 2000 },
};

/** Names and host ports of the three deployments; every name starts with "bench-". */
export interface BenchNames {
    /** Seed containers are `${seedPrefix}redis-a|b|c`. */
    readonly seedPrefix: string;
    /** Seed host ports: A plain, B plain, B TLS, C TLS. */
    readonly seedPorts: { readonly a: number; readonly bPlain: number; readonly bTls: number; readonly c: number };
    /** namePrefix of our TLS chain (the dev stack, host ports moved by `oursPortOffset`). */
    readonly oursPrefix: string;
    readonly oursPortOffset: number;
    /** namePrefix and host ports (A, B, C) of our plain-only chain. */
    readonly plainPrefix: string;
    readonly plainPorts: { readonly a: number; readonly b: number; readonly c: number };
    /** namePrefix and host port offset of the dev stack deployed for the multi-host figure (one host, then two). */
    readonly multiHostPrefix: string;
    readonly multiHostPortOffset: number;
}

export function namesFor(mode: BenchSizes["mode"]): BenchNames {
    // Below Linux's ephemeral range (32768-60999), where a client socket can hold a port and make
    // a publish fail; clear of the dev stack (6379, 16379, 16380, 26380) and of the e2e tests.
    return mode === "full"
        ? {
              seedPrefix: "bench-seed-",
              seedPorts: { a: 28101, bPlain: 28102, bTls: 28103, c: 28104 },
              oursPrefix: "bench-ours-",
              oursPortOffset: 2000, // 8379, 18379, 18380, 28380
              plainPrefix: "bench-plain-",
              plainPorts: { a: 28111, b: 28112, c: 28113 },
              multiHostPrefix: "bench-mh-",
              multiHostPortOffset: 2200, // 8579, 18579, 18580, 28580
          }
        : {
              seedPrefix: "bench-smoke-seed-",
              seedPorts: { a: 28201, bPlain: 28202, bTls: 28203, c: 28204 },
              oursPrefix: "bench-smoke-ours-",
              oursPortOffset: 2100, // 8479, 18479, 18480, 28480
              plainPrefix: "bench-smoke-plain-",
              plainPorts: { a: 28211, b: 28212, c: 28213 },
              multiHostPrefix: "bench-smoke-mh-",
              multiHostPortOffset: 2300, // 8679, 18679, 18680, 28680
          };
}
