#!/usr/bin/env bash
# Runs the Pulumi CLI with this project's defaults: a local file state backend in .pulumi-state/
# (no account needed) unless PULUMI_BACKEND_URL is set, and a generated passphrase for stack secrets
# unless PULUMI_CONFIG_PASSPHRASE(_FILE) is set. E.g. scripts/pulumi.sh destroy --yes
#   scripts/pulumi.sh --print-env   prints the variables it would set (NAME=value lines) and exits;
#                                   scripts/pulumiEnv.ts reads them, so this file is the one source.
#
# The generated passphrase lives in the user's config directory, never next to the state: whoever
# gets a copy of .pulumi-state/ (a backup, an archive of the checkout) must not get the key to its
# secrets with it. One file per state backend:
#   ${XDG_CONFIG_HOME:-$HOME/.config}/redis-chain/passphrases/<first 16 hex of sha256(backend URL)>
# (directories 0700, file 0600), with the backend URL in a .url file beside it for humans.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
set_vars=()
if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
    mkdir -p "$root/.pulumi-state"
    export PULUMI_BACKEND_URL="file://$root/.pulumi-state"
    set_vars+=(PULUMI_BACKEND_URL)
fi
if [ -z "${PULUMI_CONFIG_PASSPHRASE+set}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    config_dir="${XDG_CONFIG_HOME:-${HOME:?pulumi.sh: HOME is unset; set PULUMI_CONFIG_PASSPHRASE_FILE}/.config}/redis-chain/passphrases"
    backend_id="$(printf '%s' "$PULUMI_BACKEND_URL" | sha256sum | cut -c1-16)"
    passphrase="$config_dir/$backend_id"
    (umask 077 && mkdir -p "$config_dir")
    chmod 0700 "$config_dir" "$(dirname "$config_dir")"
    legacy="$root/.pulumi-state/passphrase"
    if [ ! -s "$passphrase" ] && [ -s "$legacy" ] && [ "$PULUMI_BACKEND_URL" = "file://$root/.pulumi-state" ]; then
        # An older pulumi.sh kept it beside the state: move it, or the state's secrets stay locked.
        (umask 077 && cp "$legacy" "$passphrase.tmp") && mv "$passphrase.tmp" "$passphrase" && rm -f "$legacy"
        echo "pulumi.sh: moved the stack secrets passphrase from .pulumi-state/passphrase to $passphrase" >&2
    fi
    if [ ! -s "$passphrase" ]; then
        (umask 077 && head -c 32 /dev/urandom | base64 > "$passphrase.tmp") && mv "$passphrase.tmp" "$passphrase"
        echo "pulumi.sh: generated the stack secrets passphrase in $passphrase; back it up apart from the state" >&2
    fi
    chmod 0600 "$passphrase"
    (umask 077 && printf '%s\n' "$PULUMI_BACKEND_URL" > "$passphrase.url")
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
