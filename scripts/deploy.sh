#!/usr/bin/env bash
# The deploy command: brings a current Node, the npm packages, a Docker engine and the Pulumi CLI
# when missing, then `pulumi up` of the stack (default dev) on the local state backend. `pulumi up`
# ends with the replication check; the stack outputs are printed after it.
# Use: scripts/deploy.sh [stack] [extra pulumi up arguments]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stack="${1:-dev}"
shift || true
PATH="$(bash scripts/ensure-node.sh):$PATH"
export PATH
bash scripts/install-deps.sh
bash scripts/ensure-docker.sh
if ! command -v pulumi >/dev/null && [ ! -x "$HOME/.pulumi/bin/pulumi" ]; then
    echo "deploy: installing the Pulumi CLI into ~/.pulumi (needs internet access)" >&2
    curl -fsSL https://get.pulumi.com | sh >&2
fi
bash scripts/pulumi.sh stack select "$stack" --create --non-interactive >/dev/null
bash scripts/pulumi.sh up --yes --stack "$stack" "$@"
bash scripts/pulumi.sh stack output --stack "$stack"
