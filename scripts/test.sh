#!/usr/bin/env bash
# The test command: brings a current Node, the npm packages, shellcheck, a Docker engine and the
# local server images when missing, lints every shell script, then runs every test (unit, Pulumi
# mocks, end to end on the real engine).
# Extra arguments go to vitest, e.g. scripts/test.sh tests/unit
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
# shellcheck source=tests/infra/images.env
source tests/infra/images.env
echo "test: node $(node --version), $(docker version --format 'docker engine {{.Server.Version}}'), image ${REDIS_CHAIN_LOCAL_IMAGE:-$REDIS_8_6_IMAGE}"
npm run --silent lint:shell
# The multi-host tests start a second engine and stop it themselves; this also stops it when the
# test run itself dies.
if [ "$(id -u)" -eq 0 ]; then
    trap 'bash tests/infra/second-docker-host.sh down >/dev/null 2>&1 || true' EXIT
fi
# A JSON report beside the console one, for the plain closing line below.
results="$(mktemp)"
status=0
npm test -- --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# shellcheck disable=SC2016 # a JavaScript template literal, not a shell expansion
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || true
rm -f "$results"
exit "$status"
