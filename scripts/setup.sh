# shellcheck shell=bash
# Sourced by scripts/test.sh and scripts/bench.sh: puts a current Node first on PATH and installs
# what is missing: npm packages, shellcheck, a Docker engine, the local server images and the
# exporter and Prometheus images the metrics tests run; keeps the e2e tests' host ports out of the
# ephemeral port range.
PATH="$(bash scripts/ensure-node.sh):$PATH"
export PATH
bash scripts/install-deps.sh
bash scripts/ensure-docker.sh
bash scripts/ensure-shellcheck.sh
bash tests/infra/build-images.sh
bash tests/infra/build-images.sh redis-exporter prometheus
bash tests/infra/reserve-test-ports.sh
