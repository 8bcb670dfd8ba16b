// The environment `pulumi` runs with from this project's scripts: a local file state backend
// inside the project unless the user chose another, so no account is needed, and the passphrase
// file scripts/deploy.sh generated there unless the user gave a passphrase.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

export const PROJECT_DIR = resolve(__dirname, "..");

export function pulumiEnv(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    if (!env.PULUMI_BACKEND_URL) {
        const stateDir = join(PROJECT_DIR, ".pulumi-state");
        mkdirSync(stateDir, { recursive: true });
        env.PULUMI_BACKEND_URL = `file://${stateDir}`;
    }
    const passphraseFile = join(PROJECT_DIR, ".pulumi-state", "passphrase");
    if (env.PULUMI_CONFIG_PASSPHRASE === undefined && !env.PULUMI_CONFIG_PASSPHRASE_FILE && existsSync(passphraseFile)) {
        env.PULUMI_CONFIG_PASSPHRASE_FILE = passphraseFile;
    }
    return env;
}
