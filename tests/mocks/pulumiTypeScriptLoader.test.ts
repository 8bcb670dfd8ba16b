// `pulumi up` compiles index.ts with ts-node and the project's typescript; vitest does not. This
// runs the program through the same loader Pulumi uses, so a program that only vitest can load fails
// here instead of at the user's first deploy.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const SCRIPT = join(__dirname, "..", "loader", "runUnderPulumiLoader.js");

it("loads and runs index.ts under Pulumi's TypeScript loader", () => {
    const config = {
        "redis-chain:nodes": JSON.stringify([
            { name: "redis-a", plain: { hostPort: 6379 }, tls: { hostPort: 6380 } },
            { name: "redis-b", replicaOf: "redis-a", link: "tls", tls: { hostPort: 16380 } },
        ]),
        "redis-chain:postDeployCheck": "false",
    };
    const out = execFileSync(process.execPath, [SCRIPT, JSON.stringify(config)], { encoding: "utf8", timeout: 60_000 });
    const types: string[] = JSON.parse(out.trim().split("\n").pop()!);
    expect(types.filter((t) => t === "docker:index/container:Container")).toHaveLength(2);
    expect(types).toContain("tls:index/locallySignedCert:LocallySignedCert");
}, 60_000);
