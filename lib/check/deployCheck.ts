// The check as the Pulumi engine runs it at the end of `pulumi up`: a failed check throws, which
// fails the deployment with the report in the error.
import { ChainConnectionInfo, ChainCredentials } from "../connectionInfo";
import { checkReplication } from "./checkReplication";
import { formatReport } from "./formatReport";

/** Inputs of the check resource, as the engine hands them to the dynamic provider. */
export interface DeployCheckInputs {
    readonly chain: ChainConnectionInfo;
    /** Secret input: the engine stores it encrypted. */
    readonly credentials: ChainCredentials;
    readonly timeoutMs: number;
}

/** Outputs recorded in the stack state after a passing check. */
export interface DeployCheckOutputs {
    readonly ok: true;
    readonly elapsedMs: number;
    readonly linksUpMs: number;
    readonly nodesChecked: number;
}

export async function runDeployCheck(inputs: DeployCheckInputs): Promise<DeployCheckOutputs> {
    const report = await checkReplication(inputs.chain, inputs.credentials, {
        timeoutMs: inputs.timeoutMs,
        // Plugin stderr reaches the engine's log; the failure text below is what the user sees.
        onProgress: (line) => console.error(`redis-chain check ${line}`),
    });
    if (!report.ok) {
        throw new Error(`replication check failed: ${report.failures.join("; ")}\n${formatReport(report)}`);
    }
    return { ok: true, elapsedMs: report.elapsedMs, linksUpMs: report.linksUpMs!, nodesChecked: report.nodes.length };
}
