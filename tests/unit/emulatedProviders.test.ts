// The e2e harness emulates the docker, tls and random providers as they behave at the versions in
// tests/infra/emulatedProviders.ts; an installed provider of another version may behave
// differently, so the suite fails until the emulation is re-checked against its source.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { EMULATED_PROVIDERS } from "../infra/emulatedProviders";

const PROJECT_DIR = resolve(__dirname, "..", "..");

function installedVersion(packageName: string): string {
    const manifest = join(PROJECT_DIR, "node_modules", ...packageName.split("/"), "package.json");
    return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

describe("emulated provider versions", () => {
    it.each(EMULATED_PROVIDERS.map((p) => [p.packageName, p] as const))("%s is the version the harness emulates", (_, provider) => {
        const installed = installedVersion(provider.packageName);
        const message =
            `${provider.packageName} ${installed} is installed, the e2e harness emulates ${provider.version}: ` +
            `re-read the provider's source (${provider.upstream}) for the fields the harness emulates (${provider.emulates.join("; ")}), ` +
            `update the emulation where it changed, then the version in tests/infra/emulatedProviders.ts`;
        expect(installed, message).toBe(provider.version);
    });

    it("package.json pins each emulated provider to that exact version", () => {
        const manifest = JSON.parse(readFileSync(join(PROJECT_DIR, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        for (const provider of EMULATED_PROVIDERS) {
            expect(manifest.dependencies[provider.packageName], `${provider.packageName} in package.json`).toBe(provider.version);
        }
    });
});
