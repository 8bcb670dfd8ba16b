#!/usr/bin/env bash
# Build a local stand-in for the official `redis:7.0.15` Docker image without
# any registry access: the root filesystem is assembled from Debian packages
# installed on this machine (redis-tools, busybox-static, gosu) and loaded with
# `docker import`.
#
#   tests/infra/build-redis-7.0-image.sh [IMAGE]   (default: redis-chain-local/redis:7.0.15)
# Usually run through tests/infra/build-images.sh.
#
# Idempotent: silent (exit 0) when IMAGE exists and was built by this version
# of the script. Prints one line per action taken (package install, build).
#
# What matches the official image (where a program can notice):
#   - /usr/local/bin/redis-server (+ redis-cli, redis-benchmark, and the
#     redis-sentinel / redis-check-rdb / redis-check-aof names), Redis 7.0.15
#     with TLS; shared libraries at the paths ldd reports.
#   - user/group redis = 999:999, /data owned 999:999, WORKDIR /data,
#     VOLUME /data, EXPOSE 6379, ENTRYPOINT docker-entrypoint.sh, CMD redis-server.
#   - the entrypoint: prepends redis-server to "-flag"/"*.conf" arguments,
#     as root chowns /data content to redis and re-runs itself as redis via
#     gosu, otherwise sets umask 0077 when it is 0022, then execs
#     (tests/infra/docker-entrypoint.sh).
#   - protected-mode defaults to "no" (the official image patches the compiled
#     default; Debian's binary says "yes"): the entrypoint adds the flag.
# Differences: busybox instead of Debian userland (sh/find/chown/... are
# busybox applets), no bash, no apt.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"
# shellcheck source=tests/infra/images.env
source "$HERE/images.env"
ENTRYPOINT="$HERE/docker-entrypoint.sh"

# Not REDIS_CHAIN_LOCAL_IMAGE: that names the image the tests run, which may be another server's.
IMAGE="${1:-$REDIS_7_0_IMAGE}"
PACKAGES=(redis-tools busybox-static gosu)
RECIPE_LABEL=redis-chain.recipe

command -v docker >/dev/null 2>&1 || die "the docker CLI is missing; run scripts/ensure-docker.sh"

# Fingerprint of this recipe, stored as an image label: an image built by an
# older version of this script is rebuilt instead of silently reused.
# It covers this script and the entrypoint file it installs.
RECIPE="$(cat "${BASH_SOURCE[0]}" "$ENTRYPOINT" | sha256sum | cut -c1-16)"

image_recipe() {
  docker image inspect --format "{{ index .Config.Labels \"$RECIPE_LABEL\" }}" "$IMAGE" 2>/dev/null
}

if current="$(image_recipe)"; then
  [ "$current" = "$RECIPE" ] && exit 0
fi
docker info >/dev/null 2>&1 || die "no Docker engine answers 'docker info'; run scripts/ensure-docker.sh first"

# Serialise concurrent builds (e.g. parallel test workers), then re-check.
LOCK="${TMPDIR:-/tmp}/redis-chain-build-image.$(id -u).lock"
if command -v flock >/dev/null 2>&1; then
  exec 9>>"$LOCK"
  flock 9
  if current="$(image_recipe)"; then
    [ "$current" = "$RECIPE" ] && exit 0
  fi
fi
old_id="$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"

start_ns="$(date +%s%N)"

ensure_debian_packages "${PACKAGES[@]}"

# In Debian's redis-tools, redis-check-rdb is the full redis-server binary
# (it picks its mode from argv[0]).
REDIS_BIN=/usr/bin/redis-check-rdb
REDIS_CLI=/usr/bin/redis-cli
REDIS_BENCH=/usr/bin/redis-benchmark
BUSYBOX="$(dpkg-query -L busybox-static | grep -E '/busybox$' | head -n1 || true)"
GOSU="$(dpkg-query -L gosu | grep -E '/gosu$' | head -n1 || true)"
for f in "$REDIS_BIN" "$REDIS_CLI" "$REDIS_BENCH" "$BUSYBOX" "$GOSU"; do
  if [ -z "$f" ] || ! [ -x "$f" ]; then die "expected executable not found: ${f:-busybox/gosu} (packages: ${PACKAGES[*]})"; fi
done
for f in "$BUSYBOX" "$GOSU"; do
  if ldd "$f" >/dev/null 2>&1; then die "$f is not statically linked"; fi
done

# --- root filesystem ----------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/redis-chain-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
R="$work/rootfs"
mkdir -p "$R"/{bin,sbin,etc,lib,root,run,tmp,data,proc,sys,dev,var} \
         "$R"/usr/{bin,sbin,lib,local/bin,local/sbin,local/etc/redis}
ln -s ../run "$R/var/run"
chmod 0755 "$R" "$R/data" "$R/usr/local/etc/redis"
chmod 0700 "$R/root"
chmod 1777 "$R/tmp"

install -m 0755 "$REDIS_BIN" "$R/usr/local/bin/redis-server"
install -m 0755 "$REDIS_CLI" "$R/usr/local/bin/redis-cli"
install -m 0755 "$REDIS_BENCH" "$R/usr/local/bin/redis-benchmark"
for alias in redis-sentinel redis-check-rdb redis-check-aof; do
  ln -s redis-server "$R/usr/local/bin/$alias"
done
install -m 0755 "$GOSU" "$R/usr/local/bin/gosu"

# Shared libraries and the dynamic loader, at the paths ldd reports.
for bin in "$REDIS_BIN" "$REDIS_CLI" "$REDIS_BENCH"; do
  deps="$(ldd "$bin")" || die "ldd failed for $bin"
  if grep -q 'not found' <<<"$deps"; then die "unresolved libraries for $bin: $(grep 'not found' <<<"$deps" | tr -s ' \t' ' ')"; fi
  awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' <<<"$deps"
done | sort -u | while read -r lib; do
  [ -e "$R$lib" ] && continue
  mkdir -p "$(dirname "$R$lib")"
  cp -L "$lib" "$R$lib"
done

# busybox: /bin/sh and all applets as symlinks in /bin (sh, find, chown, id, ...).
install -m 0755 "$BUSYBOX" "$R/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ -e "$R/bin/$applet" ] || ln -s busybox "$R/bin/$applet"
done
ln -s /bin/busybox "$R/usr/sbin/nologin"

cat >"$R/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
redis:x:999:999:redis:/data:/usr/sbin/nologin
EOF
cat >"$R/etc/group" <<'EOF'
root:x:0:
redis:x:999:
EOF
cat >"$R/etc/nsswitch.conf" <<'EOF'
passwd: files
group:  files
shadow: files
hosts:  files dns
EOF
: >"$R/etc/hosts"
: >"$R/etc/hostname"
: >"$R/etc/resolv.conf"
chmod 0644 "$R"/etc/{passwd,group,nsswitch.conf,hosts,hostname,resolv.conf}

sed -e 's/@SERVER@/redis-server/' -e 's/@USER@/redis/' "$ENTRYPOINT" >"$R/usr/local/bin/docker-entrypoint.sh"
chmod 0755 "$R/usr/local/bin/docker-entrypoint.sh"

version="$("$R/usr/local/bin/redis-server" --version)" || die "the assembled redis-server does not run: $version"
redis_version="$(sed -n 's/.* v=\([0-9.]*\) .*/\1/p' <<<"$version")"
case "$IMAGE" in
  *:*[0-9].[0-9]*)
    [ "${IMAGE##*:}" = "$redis_version" ] \
      || die "$IMAGE would hold Redis $redis_version (from Debian's redis-tools), not ${IMAGE##*:}" ;;
esac

# Pack: everything root-owned, except /data (999:999). Built this way so no
# chown is needed on the host (works for a non-root docker-group user too).
tar --numeric-owner --owner=0 --group=0 --exclude=./data -C "$R" -cf "$work/rootfs.tar" .
tar --numeric-owner --owner=999 --group=999 -C "$R" -rf "$work/rootfs.tar" ./data

new_id="$(docker import \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["redis-server"]' \
  --change 'WORKDIR /data' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'EXPOSE 6379' \
  --change 'VOLUME /data' \
  --change "LABEL $RECIPE_LABEL=$RECIPE" \
  --message "redis-chain local redis $redis_version (Debian redis-tools, busybox, gosu)" \
  "$work/rootfs.tar" "$IMAGE")" || die "docker import failed for $IMAGE"

# Drop the superseded build if nothing uses it any more.
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  docker image rm "$old_id" >/dev/null 2>&1 || true
fi

say "built $IMAGE ($new_id, Redis $redis_version) in $(elapsed_since "$start_ns")"
