#!/usr/bin/env bash
# Runs the Pulumi CLI with this project's defaults: a local file state backend in .pulumi-state/
# (no account needed) unless PULUMI_BACKEND_URL is set, and a generated passphrase file for stack
# secrets unless PULUMI_CONFIG_PASSPHRASE(_FILE) is set. E.g. scripts/pulumi.sh destroy --yes
#   scripts/pulumi.sh --print-env   prints the variables it would set (NAME=value lines) and exits;
#                                   scripts/pulumiEnv.ts reads them, so this file is the one source.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
set_vars=()
if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
    mkdir -p "$root/.pulumi-state"
    export PULUMI_BACKEND_URL="file://$root/.pulumi-state"
    set_vars+=(PULUMI_BACKEND_URL)
fi
if [ -z "${PULUMI_CONFIG_PASSPHRASE+set}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    passphrase="$root/.pulumi-state/passphrase"
    if [ ! -s "$passphrase" ]; then
        mkdir -p "$root/.pulumi-state"
        (umask 077 && head -c 32 /dev/urandom | base64 > "$passphrase")
        echo "pulumi.sh: generated the stack secrets passphrase in .pulumi-state/passphrase; keep it with the state" >&2
    fi
    export PULUMI_CONFIG_PASSPHRASE_FILE="$passphrase"
    set_vars+=(PULUMI_CONFIG_PASSPHRASE_FILE)
fi
if ! command -v pulumi >/dev/null && [ -x "$HOME/.pulumi/bin/pulumi" ]; then
    PATH="$HOME/.pulumi/bin:$PATH"
    set_vars+=(PATH)
fi
if [ "${1:-}" = --print-env ]; then
    for name in "${set_vars[@]}"; do
        printf '%s=%s\n' "$name" "${!name}"
    done
    exit 0
fi
if ! command -v pulumi >/dev/null; then
    echo "pulumi.sh: the Pulumi CLI is not installed; scripts/deploy.sh installs it, or see https://www.pulumi.com/docs/install/" >&2
    exit 127
fi
exec pulumi "$@"
