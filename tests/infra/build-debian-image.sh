#!/usr/bin/env bash
# Build one local image shaped like an official one from Debian packages, without any registry:
# mmdebstrap assembles a minbase root filesystem from the machine's Debian mirror, it is shaped here
# (users, paths, entrypoint) and loaded with `docker import`.
#
#   tests/infra/build-debian-image.sh NAME
#     NAME: redis-8.0 | redis-8.6 | valkey-8.1 | valkey-9.1 | redis-exporter | prometheus
# Usually run through tests/infra/build-images.sh.
#
# Where each comes from: redis-8.0, valkey-8.1 and the tool images from trixie; valkey-9.1 from
# forky; redis-8.6 from sid with experimental added, pinned for the redis packages only (Debian
# carries Redis 8.6 only in experimental; everything else, gosu included, comes from sid).
# The tag is the upstream version of the package in the built root filesystem; the build fails when
# it differs from tests/infra/images.env or from what the binary itself reports.
# Idempotent: silent (exit 0) when the image exists with this recipe's label (a hash of this script
# and the entrypoint file).
#
# Shapes (as in the official images, where a program can notice):
#   redis-8.0, redis-8.6, valkey-8.1, valkey-9.1: user/group redis (valkey) = 999:999, /data owned by it, WORKDIR /data,
#     VOLUME /data, EXPOSE 6379, binaries in /usr/local/bin (the Valkey image also has the redis-*
#     names, as links to the valkey-* binaries), ENTRYPOINT docker-entrypoint.sh (prepends the
#     server to "-flag"/"*.conf" arguments; as root with the server's own name chowns /data content
#     and drops to 999 with gosu (redis) or setpriv (valkey); umask 0077 where it was 0022;
#     protected-mode "no" by default), CMD the server.
#   redis-exporter: /redis_exporter (also redis_exporter on PATH), USER 59000:59000, EXPOSE 9121.
#   prometheus: /bin/prometheus and promtool, /etc/prometheus/prometheus.yml scraping itself,
#     USER nobody (65534), data in /prometheus (owned by nobody, group-writable), EXPOSE 9090.
# Differences: Debian userland (bash, apt, dpkg stay), Debian's compiled defaults.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"
# shellcheck source=tests/infra/images.env
source "$HERE/images.env"
ENTRYPOINT="$HERE/docker-entrypoint.sh"
RECIPE_LABEL=redis-chain.recipe
REDIS_PACKAGES=(redis-server redis-sentinel redis-tools)
VALKEY_PACKAGES=(valkey-server valkey-sentinel valkey-tools)

# Per image: SUITE (the base), PACKAGES (installed on it), EXPERIMENTAL (packages taken from
# experimental instead; empty: experimental is not added), VERSION_PACKAGE (its version is the tag),
# PROJECT (the server user's name, or the tool).
name="${1:-}"
EXPERIMENTAL=()
case "$name" in
  redis-8.0)
    IMAGE="$REDIS_8_0_IMAGE"; SUITE=trixie; PACKAGES=("${REDIS_PACKAGES[@]}" gosu)
    VERSION_PACKAGE=redis-server; PROJECT=redis ;;
  redis-8.6)
    IMAGE="$REDIS_8_6_IMAGE"; SUITE=sid; PACKAGES=("${REDIS_PACKAGES[@]}" gosu)
    EXPERIMENTAL=("${REDIS_PACKAGES[@]}"); VERSION_PACKAGE=redis-server; PROJECT=redis ;;
  valkey-8.1)
    IMAGE="$VALKEY_8_1_IMAGE"; SUITE=trixie; PACKAGES=("${VALKEY_PACKAGES[@]}")
    VERSION_PACKAGE=valkey-server; PROJECT=valkey ;;
  valkey-9.1)
    # The standalone sysusers and tmpfiles satisfy valkey's dependency without systemd itself.
    IMAGE="$VALKEY_9_1_IMAGE"; SUITE=forky
    PACKAGES=("${VALKEY_PACKAGES[@]}" systemd-standalone-sysusers systemd-standalone-tmpfiles)
    VERSION_PACKAGE=valkey-server; PROJECT=valkey ;;
  redis-exporter)
    IMAGE="$REDIS_EXPORTER_IMAGE"; SUITE=trixie; PACKAGES=(prometheus-redis-exporter)
    VERSION_PACKAGE=prometheus-redis-exporter; PROJECT=redis-exporter ;;
  prometheus)
    IMAGE="$PROMETHEUS_IMAGE"; SUITE=trixie; PACKAGES=(prometheus)
    VERSION_PACKAGE=prometheus; PROJECT=prometheus ;;
  *) die "usage: $0 redis-8.0 | redis-8.6 | valkey-8.1 | valkey-9.1 | redis-exporter | prometheus" ;;
esac
ORIGIN="$SUITE"
[ "${#EXPERIMENTAL[@]}" -eq 0 ] || ORIGIN="$SUITE with ${EXPERIMENTAL[*]} from experimental"

command -v docker >/dev/null 2>&1 || die "the docker CLI is missing; run scripts/ensure-docker.sh"
RECIPE="$(cat "${BASH_SOURCE[0]}" "$ENTRYPOINT" | sha256sum | cut -c1-16)"
image_recipe() {
  docker image inspect --format "{{ index .Config.Labels \"$RECIPE_LABEL\" }}" "$IMAGE" 2>/dev/null
}
if current="$(image_recipe)" && [ "$current" = "$RECIPE" ]; then
  exit 0
fi
docker info >/dev/null 2>&1 || die "no Docker engine answers 'docker info'; run scripts/ensure-docker.sh first"
[ "$(id -u)" -eq 0 ] || die "building $IMAGE needs root (mmdebstrap, chroot, file ownership)"

# Serialise concurrent builds, then re-check.
exec 9>>"${TMPDIR:-/tmp}/redis-chain-build-image.$(id -u).lock"
flock 9
if current="$(image_recipe)" && [ "$current" = "$RECIPE" ]; then
  exit 0
fi
old_id="$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
start_ns="$(date +%s%N)"

ensure_debian_packages mmdebstrap

# The machine's Debian mirror, from its apt sources (deb822 "URIs:" or one-line "deb URL"),
# skipping the security archive. REDIS_CHAIN_DEBIAN_MIRROR overrides it.
debian_mirror() {
  if [ -n "${REDIS_CHAIN_DEBIAN_MIRROR:-}" ]; then
    printf '%s\n' "$REDIS_CHAIN_DEBIAN_MIRROR"
    return
  fi
  local f found
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
    [ -r "$f" ] || continue
    found="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }
                  /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; break } }' "$f" \
             | grep -m1 -E '/debian/?$' || true)"
    if [ -n "$found" ]; then
      printf '%s\n' "$found"
      return 0
    fi
  done
  return 1
}
MIRROR="$(debian_mirror)" || die "no Debian mirror found in /etc/apt/sources.list*; set REDIS_CHAIN_DEBIAN_MIRROR"

work="$(mktemp -d "${TMPDIR:-/tmp}/redis-chain-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
R="$work/rootfs"
mkdir "$R"
includes="$(IFS=,; echo "${PACKAGES[*]}")"
sources=("deb $MIRROR $SUITE main")
hooks=()
if [ "${#EXPERIMENTAL[@]}" -gt 0 ]; then
  # experimental is NotAutomatic (priority 1): these packages get the priority of the base suite,
  # so the newer version wins for them and for nothing else.
  sources+=("deb $MIRROR experimental main")
  printf 'Package: %s\nPin: release a=experimental\nPin-Priority: 500\n' "${EXPERIMENTAL[*]}" >"$work/experimental.pref"
  # shellcheck disable=SC2016 # $1 is the root directory mmdebstrap hands the hook
  hooks+=(--setup-hook='mkdir -p "$1/etc/apt/preferences.d"'
          --setup-hook="copy-in $work/experimental.pref /etc/apt/preferences.d")
fi
# Testing, unstable and experimental Release files expire within a week (stable ones carry no
# Valid-Until), and the machine's mirror may be a dated snapshot: accept expired ones (their
# signatures are still checked).
if ! mmdebstrap --quiet --variant=minbase --include="$includes" "${hooks[@]}" \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    "$SUITE" "$R" "${sources[@]}" >"$work/mmdebstrap.log" 2>&1; then
  tail -n 20 "$work/mmdebstrap.log" >&2
  die "mmdebstrap could not build the $ORIGIN root filesystem for $IMAGE"
fi
rm -rf "$R"/var/cache/apt/* "$R"/var/lib/apt/lists/* "$R"/var/log/*.log "$R"/var/log/apt/*

# The tag: the package's upstream version (no epoch, no Debian revision or repack suffix).
# shellcheck disable=SC2016 # ${Version} is dpkg-query's field name, not a shell expansion
package_version="$(chroot "$R" dpkg-query -W -f='${Version}' "$VERSION_PACKAGE")"
version="$(sed -E 's/^[0-9]+://; s/[-+~].*//' <<<"$package_version")"
say "$VERSION_PACKAGE $package_version in $ORIGIN: tag $version"
[ "${IMAGE##*:}" = "$version" ] \
  || die "$ORIGIN's $VERSION_PACKAGE is $version, but images.env names $IMAGE; update tests/infra/images.env"

# below_free DATABASE ID: the highest id below ID that no entry of DATABASE (passwd, group) holds.
below_free() {
  local db="$1" n="$2"
  n=$((n - 1))
  while chroot "$R" getent "$db" "$n" >/dev/null; do n=$((n - 1)); done
  printf '%s\n' "$n"
}

# make_room USER ID: a user or group other than USER holding ID (systemd-sysusers numbers groups
# such as lpadmin from 999 down) moves to a free id below it, and its files follow.
make_room() {
  local user="$1" id="$2" other free
  other="$(chroot "$R" getent group "$id" | cut -d: -f1 || true)"
  if [ -n "$other" ] && [ "$other" != "$user" ]; then
    free="$(below_free group "$id")"
    chroot "$R" groupmod -g "$free" "$other"
    find "$R" -xdev -gid "$id" -exec chgrp -h "$free" '{}' +
  fi
  other="$(chroot "$R" getent passwd "$id" | cut -d: -f1 || true)"
  if [ -n "$other" ] && [ "$other" != "$user" ]; then
    free="$(below_free passwd "$id")"
    chroot "$R" usermod -u "$free" "$other"
    find "$R" -xdev -uid "$id" -exec chown -h "$free" '{}' +
  fi
}

# give_ids USER ID: the user and its group get the id ID (files they own follow).
give_ids() {
  local user="$1" id="$2" old_uid old_gid
  make_room "$user" "$id"
  if old_uid="$(chroot "$R" id -u "$user" 2>/dev/null)"; then
    old_gid="$(chroot "$R" id -g "$user")"
    if [ "$old_gid" != "$id" ]; then
      chroot "$R" groupmod -g "$id" "$user"
      find "$R" -xdev -gid "$old_gid" -exec chgrp -h "$id" '{}' +
    fi
    chroot "$R" usermod -u "$id" -g "$id" -d /data "$user"
    [ "$old_uid" = "$id" ] || find "$R" -xdev -uid "$old_uid" -exec chown -h "$id" '{}' +
  else
    chroot "$R" groupadd -r -g "$id" "$user"
    chroot "$R" useradd -r -M -u "$id" -g "$user" -d /data -s /usr/sbin/nologin "$user"
  fi
}

# server_shape SERVER_PREFIX: binaries to /usr/local/bin, user 999, /data, entrypoint.
server_shape() {
  local prefix="$1" f
  for f in "$R"/usr/bin/"$prefix"-*; do
    mv "$f" "$R/usr/local/bin/"
  done
  give_ids "$PROJECT" 999
  mkdir -p "$R/data"
  chown 999:999 "$R/data"
  chmod 0755 "$R/data"
  sed -e "s/@SERVER@/$prefix-server/" -e "s/@USER@/$PROJECT/" "$ENTRYPOINT" >"$R/usr/local/bin/docker-entrypoint.sh"
  chmod 0755 "$R/usr/local/bin/docker-entrypoint.sh"
}

changes=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
case "$name" in
  redis-8.0 | redis-8.6)
    server_shape redis
    binary_version="$(chroot "$R" /usr/local/bin/redis-server --version | sed -n 's/.* v=\([0-9.]*\) .*/\1/p')"
    changes+=(--change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["redis-server"]'
              --change 'WORKDIR /data' --change 'VOLUME /data' --change 'EXPOSE 6379') ;;
  valkey-8.1 | valkey-9.1)
    server_shape valkey
    for f in server sentinel cli benchmark check-aof check-rdb; do
      ln -s "valkey-$f" "$R/usr/local/bin/redis-$f"
    done
    binary_version="$(chroot "$R" /usr/local/bin/valkey-server --version | sed -n 's/.* v=\([0-9.]*\) .*/\1/p')"
    changes+=(--change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["valkey-server"]'
              --change 'WORKDIR /data' --change 'VOLUME /data' --change 'EXPOSE 6379') ;;
  redis-exporter)
    ln -s /usr/bin/prometheus-redis-exporter "$R/usr/local/bin/redis_exporter"
    ln -s /usr/bin/prometheus-redis-exporter "$R/redis_exporter"
    binary_version="$(chroot "$R" /redis_exporter -version 2>&1 | grep -oE 'v?[0-9]+\.[0-9]+\.[0-9]+' | head -n1 | tr -d v)"
    changes+=(--change 'ENTRYPOINT ["/redis_exporter"]' --change 'USER 59000:59000' --change 'EXPOSE 9121') ;;
  prometheus)
    mkdir -p "$R/prometheus" "$R/etc/prometheus"
    cat >"$R/etc/prometheus/prometheus.yml" <<'YML'
# Prometheus scraping itself, as the official image's default configuration does.
global:
  scrape_interval: 15s
  evaluation_interval: 15s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["localhost:9090"]
YML
    chown -R 65534:65534 "$R/etc/prometheus" "$R/prometheus"
    chmod g+w "$R/prometheus"
    binary_version="$(chroot "$R" /bin/prometheus --version 2>&1 | sed -n 's/^prometheus, version \([0-9.]*\).*/\1/p')"
    changes+=(--change 'ENTRYPOINT ["/bin/prometheus"]'
              --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]'
              --change 'USER nobody' --change 'WORKDIR /prometheus' --change 'VOLUME /prometheus'
              --change 'EXPOSE 9090') ;;
esac
[ "$binary_version" = "$version" ] \
  || die "the built $PROJECT binary reports version '${binary_version}', the package $version"

tar --numeric-owner --xattrs -C "$R" -cf "$work/rootfs.tar" .
new_id="$(docker import "${changes[@]}" --change "LABEL $RECIPE_LABEL=$RECIPE" \
  --message "redis-chain local $PROJECT $version (Debian $ORIGIN: $VERSION_PACKAGE $package_version)" \
  "$work/rootfs.tar" "$IMAGE")" || die "docker import failed for $IMAGE"
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  docker image rm "$old_id" >/dev/null 2>&1 || true
fi
say "built $IMAGE ($new_id, $(du -m "$work/rootfs.tar" | cut -f1) MB) in $(elapsed_since "$start_ns")"
