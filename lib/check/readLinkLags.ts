// Reads INFO replication from every node of a deployed chain and returns each link's lag.
import { ChainConnectionInfo, ChainCredentials } from "../connectionInfo";
import { LinkLag, linkLags } from "./linkLag";
import { NodeClient } from "./nodeClient";
import { parseInfo } from "./replicationStatus";

/** Clients kept open across refreshes (`npm run verify -- --watch`); NodeClient reconnects after a failure. */
export class LinkLagReader {
    private readonly clients: Map<string, NodeClient>;

    constructor(private readonly chain: ChainConnectionInfo, credentials: ChainCredentials) {
        this.clients = new Map(
            chain.nodes.map((node) => {
                const transport = node.plain ? "plain" : "tls";
                const endpoint = (node.plain ?? node.tls)!;
                return [node.name, new NodeClient({ node: node.name, transport, endpoint }, chain.caCertPem, credentials)];
            }),
        );
    }

    /** One reading of every node, in parallel; an unreachable node shows as unknown figures. */
    async read(): Promise<LinkLag[]> {
        const infos = new Map<string, Record<string, string>>();
        await Promise.all(
            this.chain.nodes.map(async (node) => {
                const info = await this.clients.get(node.name)!.run((c) => c.info("replication")).catch(() => undefined);
                if (info !== undefined) infos.set(node.name, parseInfo(info));
            }),
        );
        return linkLags(this.chain.nodes, infos);
    }

    close(): void {
        for (const client of this.clients.values()) client.close();
    }
}
