#!/usr/bin/env bash
# The test command: brings a current Node, the npm packages, a Docker engine and the local Redis
# image when missing, then runs every test (unit, Pulumi mocks, end to end on the real engine).
# Extra arguments go to vitest, e.g. scripts/test.sh tests/unit
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PATH="$(bash scripts/ensure-node.sh):$PATH"
export PATH
bash scripts/install-deps.sh
bash scripts/ensure-docker.sh
bash scripts/build-redis-image.sh
echo "test: node $(node --version), $(docker version --format 'docker engine {{.Server.Version}}'), image ${REDIS_CHAIN_LOCAL_IMAGE:-redis-chain-local/redis:7.0.15}"
npm test -- "$@"
