// Which stack config keys Pulumi stored encrypted (`pulumi config set --secret`). The engine hands
// the language host that list with the values (PULUMI_CONFIG_SECRET_KEYS); the Node SDK reads it in
// runtime/config.ts `isConfigSecret`, which its typings leave out. `config.getSecret` cannot tell:
// it marks whatever it reads as secret.
import * as pulumi from "@pulumi/pulumi";

type RuntimeWithSecretKeys = { isConfigSecret?: (fullKey: string) => boolean };

/** True when the full key (`<project>:<key>`) holds a secret value, in whole or in part. */
export function isConfigSecret(fullKey: string): boolean {
    const lookup = (pulumi.runtime as unknown as RuntimeWithSecretKeys).isConfigSecret;
    // Without it, no key would count as secret and every secret key material would be refused.
    if (typeof lookup !== "function") throw new Error("@pulumi/pulumi no longer has runtime.isConfigSecret; see components/configSecrets.ts");
    return lookup(fullKey);
}
