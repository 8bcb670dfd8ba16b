#!/usr/bin/env bash
# Installs the npm packages when node_modules is missing or older than package-lock.json.
# Expects a current Node first on PATH (scripts/ensure-node.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "install-deps: npm ci" >&2
    npm ci --no-audit --no-fund --loglevel=error
fi
