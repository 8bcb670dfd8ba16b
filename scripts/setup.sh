# Sourced by scripts/test.sh and scripts/bench.sh: puts a current Node first on PATH and installs
# what is missing: npm packages, a Docker engine, the local Redis image.
PATH="$(bash scripts/ensure-node.sh):$PATH"
export PATH
bash scripts/install-deps.sh
bash scripts/ensure-docker.sh
bash scripts/build-redis-image.sh
