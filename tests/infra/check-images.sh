#!/usr/bin/env bash
# Checks the local images against the official images' behaviour the project relies on; run it
# after tests/infra/build-images.sh (under the Docker lock when the engine is shared):
#
#   tests/infra/check-images.sh [NAME...]   NAME as for build-images.sh; default: the server images
#
# Server images: the binary reports the tag's version; `<server> /path/x.conf` runs the server as
# 999:999 with umask 0077 and protected-mode "no", and hands a root-owned file in /data to 999;
# in the Valkey image `redis-server /path/x.conf` keeps running as root (as the official image
# does: its entrypoint only steps down for valkey-server). Tool images: version, user, entrypoint.
# Removes every container and volume it creates.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"
# shellcheck source=tests/infra/images.env
source "$HERE/images.env"

PREFIX="redis-chain-image-check-$$"
failures=0
cleanup() {
  docker ps -aq --filter "name=$PREFIX" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker volume ls -q --filter "name=$PREFIX" | xargs -r docker volume rm >/dev/null 2>&1 || true
}
conf_dir="$(mktemp -d)"
chmod 0755 "$conf_dir"
printf 'port 6379\ndir /data\n' >"$conf_dir/node.conf"
chmod 0644 "$conf_dir/node.conf"
trap 'cleanup; rm -rf "$conf_dir"' EXIT

expect() { # expect WHAT ACTUAL WANTED
  if [ "$2" = "$3" ]; then
    say "ok   $1: $2"
  else
    say "FAIL $1: got '$2', want '$3'"
    failures=$((failures + 1))
  fi
}

proc1() { # proc1 CONTAINER FIELD: the field of the container's pid 1 status, first value
  docker exec "$1" sh -c "grep '^$2:' /proc/1/status" | awk '{ print $2 }'
}

# check_server IMAGE SERVER CLI [OTHER_NAME]
check_server() {
  local image="$1" server="$2" cli="$3" other="${4:-}" tag="${1##*:}" vol c name pong
  vol="$PREFIX-$server"
  expect "$image $server --version" \
    "$(docker run --rm "$image" "$server" --version | sed -n 's/.* v=\([0-9.]*\) .*/\1/p')" "$tag"
  docker volume create "$vol" >/dev/null
  docker run --rm -v "$vol:/data" --entrypoint touch "$image" /data/from-root
  for name in "$server" $other; do
    c="$PREFIX-$name"
    docker run -d --name "$c" -v "$vol:/data" -v "$conf_dir:/etc/check:ro" "$image" "$name" /etc/check/node.conf >/dev/null
    pong=""
    for _ in $(seq 1 50); do
      pong="$(docker exec "$c" "$cli" PING 2>/dev/null || true)"
      [ "$pong" = PONG ] && break
      sleep 0.2
    done
    expect "$image '$name x.conf' answers PING" "$pong" PONG
    if [ "$name" = "$server" ]; then
      expect "$image '$name x.conf' uid" "$(proc1 "$c" Uid)" 999
      expect "$image '$name x.conf' gid" "$(proc1 "$c" Gid)" 999
      expect "$image '$name x.conf' umask" "$(proc1 "$c" Umask)" 0077
      expect "$image /data/from-root owner" "$(docker exec "$c" stat -c %u:%g /data/from-root)" 999:0
      expect "$image /data owner" "$(docker exec "$c" stat -c %u:%g /data)" 999:999
      expect "$image protected-mode" "$(docker exec "$c" "$cli" CONFIG GET protected-mode | tail -n1)" no
    else
      expect "$image '$name x.conf' (not the image's own server name) uid" "$(proc1 "$c" Uid)" 0
    fi
    docker rm -f "$c" >/dev/null
  done
  docker volume rm "$vol" >/dev/null
}

[ "$#" -gt 0 ] || set -- redis-7.0 redis-8.0 redis-8.6 valkey-8.1 valkey-9.1
for name in "$@"; do
  case "$name" in
    redis-7.0) check_server "$REDIS_7_0_IMAGE" redis-server redis-cli ;;
    redis-8.0) check_server "$REDIS_8_0_IMAGE" redis-server redis-cli ;;
    redis-8.6) check_server "$REDIS_8_6_IMAGE" redis-server redis-cli ;;
    valkey-8.1) check_server "$VALKEY_8_1_IMAGE" valkey-server valkey-cli redis-server ;;
    valkey-9.1) check_server "$VALKEY_9_1_IMAGE" valkey-server valkey-cli redis-server ;;
    redis-exporter)
      expect "$REDIS_EXPORTER_IMAGE user" "$(docker image inspect --format '{{.Config.User}}' "$REDIS_EXPORTER_IMAGE")" 59000:59000
      expect "$REDIS_EXPORTER_IMAGE version" \
        "$(docker run --rm "$REDIS_EXPORTER_IMAGE" -version 2>&1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1)" "${REDIS_EXPORTER_IMAGE##*:}" ;;
    prometheus)
      expect "$PROMETHEUS_IMAGE user" "$(docker image inspect --format '{{.Config.User}}' "$PROMETHEUS_IMAGE")" nobody
      expect "$PROMETHEUS_IMAGE version" \
        "$(docker run --rm "$PROMETHEUS_IMAGE" --version 2>&1 | sed -n 's/^prometheus, version \([0-9.]*\).*/\1/p')" "${PROMETHEUS_IMAGE##*:}"
      expect "$PROMETHEUS_IMAGE promtool" \
        "$(docker run --rm --entrypoint promtool "$PROMETHEUS_IMAGE" check config /etc/prometheus/prometheus.yml >/dev/null 2>&1 && echo valid)" valid ;;
    *) die "unknown image '$name'" ;;
  esac
done
[ "$failures" -eq 0 ] || die "$failures check(s) failed"
say "all checks passed"
