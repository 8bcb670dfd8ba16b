#!/usr/bin/env bash
# The one entry point for the local images (names and tags in tests/infra/images.env):
#
#   tests/infra/build-images.sh [NAME...]
#     NAME: redis-7.0 | redis-8.0 | redis-8.6 | valkey-8.1 | valkey-9.1 | redis-exporter | prometheus
#     default: redis-7.0 redis-8.0 redis-8.6 valkey-8.1 valkey-9.1 (the server images the tests
#     run); the tool images (redis-exporter, prometheus) are built when named.
#
# Each build is skipped when its image exists with the same recipe label.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"

[ "$#" -gt 0 ] || set -- redis-7.0 redis-8.0 redis-8.6 valkey-8.1 valkey-9.1
for name in "$@"; do
  case "$name" in
    redis-7.0) bash "$HERE/build-redis-7.0-image.sh" ;;
    redis-8.0 | redis-8.6 | valkey-8.1 | valkey-9.1 | redis-exporter | prometheus)
      bash "$HERE/build-debian-image.sh" "$name" ;;
    *) die "unknown image '$name' (redis-7.0, redis-8.0, redis-8.6, valkey-8.1, valkey-9.1, redis-exporter, prometheus)" ;;
  esac
done
