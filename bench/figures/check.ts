// Figure 5: the post-deploy check's own time, run from the outputs as `npm run verify` runs it.
import { connect as tlsConnect } from "node:tls";
import { checkReplication } from "../../lib/check/checkReplication";
import { chainFromOutputs } from "../../lib/stackOutputs";
import { BenchChain, Log } from "../chain";
import { BenchSizes } from "../settings";
import { percentile } from "./percentile";

export interface CheckResult {
    readonly ok: boolean;
    readonly runs: number;
    readonly p50Ms?: number;
    readonly maxMs?: number;
    readonly elapsedMs: number[];
    /** Why the check did not pass, when it did not. */
    readonly failure?: string;
    /** What a plain Node TLS client (CA, hostname verification on) says about each TLS listener, when the check failed. */
    readonly tlsDiagnosis?: string[];
}

/** checkReplication from the outputs (lib/stackOutputs.ts), one untimed warm-up, then `runs` runs. */
export async function measureCheck(chain: BenchChain, sizes: BenchSizes, log: Log): Promise<CheckResult> {
    const { chain: info, credentials } = chainFromOutputs(chain.outputs);
    const timeoutMs = chain.variant === "seed" ? sizes.check.seedTimeoutMs : 30_000;
    const warmup = await checkReplication(info, credentials, { timeoutMs });
    if (!warmup.ok) {
        const tlsDiagnosis = await Promise.all(
            info.nodes.filter((n) => n.tls).map((n) => tlsHandshake(n.tls!.host, n.tls!.port, info.caCertPem).then((r) => `${n.name} ${n.tls!.host}:${n.tls!.port}: ${r}`)),
        );
        log(`${chain.variant}: check: fails on this chain: ${warmup.failures.join("; ")} [TLS: ${tlsDiagnosis.join("; ")}]`);
        return { ok: false, runs: 1, elapsedMs: [warmup.elapsedMs], failure: warmup.failures.join("; "), tlsDiagnosis };
    }
    const elapsed: number[] = [];
    for (let i = 0; i < sizes.check.runs; i++) {
        const report = await checkReplication(info, credentials, { timeoutMs });
        if (!report.ok) return { ok: false, runs: i + 1, elapsedMs: elapsed, failure: report.failures.join("; ") };
        elapsed.push(report.elapsedMs);
    }
    const sorted = [...elapsed].sort((x, y) => x - y);
    log(`${chain.variant}: check: ${sizes.check.runs} runs, p50 ${percentile(sorted, 0.5)} ms, max ${sorted[sorted.length - 1]} ms`);
    return { ok: true, runs: sizes.check.runs, p50Ms: percentile(sorted, 0.5), maxMs: sorted[sorted.length - 1], elapsedMs: elapsed };
}

/** A bare TLS handshake as Node clients do it (chain and hostname verified): "ok" or the error. */
function tlsHandshake(host: string, port: number, ca: string): Promise<string> {
    return new Promise((resolve) => {
        const socket = tlsConnect({ host, port, ca: [ca], timeout: 3000 });
        const done = (result: string) => {
            socket.destroy();
            resolve(result);
        };
        socket.once("secureConnect", () => done("ok"));
        socket.once("error", (e: NodeJS.ErrnoException) => done(`${e.code ?? "error"}: ${e.message}`));
        socket.once("timeout", () => done("timeout"));
    });
}
