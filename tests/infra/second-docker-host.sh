#!/usr/bin/env bash
# The test bed for a two-host chain on one machine: a second Docker engine in its own network
# namespace, standing in for a second machine.
#
#   tests/infra/second-docker-host.sh up       start it (or repair what is missing); silent when up
#   tests/infra/second-docker-host.sh status   exit 0 when it is up, 1 otherwise; prints what it sees
#   tests/infra/second-docker-host.sh down     stop and remove everything it made except the data root
#                                          (image cache); silent when already down, safe when
#                                          half set up
#   tests/infra/second-docker-host.sh purge    down, then also delete the data root and the logs
#   tests/infra/second-docker-host.sh stop-engine   stop only its dockerd (its containers stop with it);
#                                          `up` starts it again
#
# Run as root. What `up` makes:
#   - network namespace redis-chain-host2; veth rc-host2-veth0 10.200.0.1/24 (host side) <->
#     rc-host2-veth1 10.200.0.2/24 (inside). No default route inside: the "second machine" reaches
#     the host (10.200.0.1) and nothing else, so a container there that tries the outside world
#     gets "network unreachable" at once instead of sending anything.
#   - its own containerd (socket /run/redis-chain-host2/containerd/containerd.sock) and dockerd
#     (DOCKER_HOST=unix:///run/redis-chain-host2/docker.sock), both started with
#     `nsenter --net=/run/netns/redis-chain-host2` (not `ip netns exec`: that remounts /sys and
#     dockerd then fails with "Devices cgroup isn't mounted"). containerd is started explicitly:
#     dockerd 20.10 without --containerd would silently share the system containerd whenever
#     /run/containerd/containerd.sock exists.
#   - the server image ${REDIS_CHAIN_LOCAL_IMAGE:-redis-chain-local/redis:8.0.2} (the e2e stacks'
#     default), copied from the main engine with `docker save | docker load` when the second engine
#     lacks it (or has an older build); built on the main engine first when that lacks it too.
# Ports the second engine publishes on 10.200.0.2 are reachable from the host at 10.200.0.2:<port>;
# its containers reach ports the main engine publishes on 10.200.0.1 or 0.0.0.0 at
# 10.200.0.1:<port>. No iptables rule is added on the host (INPUT is ACCEPT and the main engine's
# own DOCKER chain accepts forwarded traffic to its published ports); the namespace has its own
# iptables, which the second dockerd manages.
#
# Environment: REDIS_CHAIN_LOCAL_IMAGE (image to copy), REDIS_CHAIN_HOST2_BIP (default
# 10.201.0.1/24), REDIS_CHAIN_HOST2_POOL (default 10.202.0.0/16, /24 networks),
# REDIS_CHAIN_HOST2_WAIT_SECONDS (default 60), REDIS_CHAIN_MAIN_DOCKER_HOST (the engine to copy
# the image from; default $DOCKER_HOST unless it is this one, else unix:///var/run/docker.sock).
set -euo pipefail

NAME=redis-chain-host2
NETNS="$NAME"
NETNS_PATH="/run/netns/$NETNS"
VETH_HOST=rc-host2-veth0
VETH_NS=rc-host2-veth1
HOST_ADDR=10.200.0.1
NS_ADDR=10.200.0.2
LINK_PREFIX=24
LINK_NET=10.200.0.0/24

RUN_DIR="/run/$NAME"
DATA_ROOT="/var/lib/$NAME"
EXEC_ROOT="$RUN_DIR/exec"
SOCK="$RUN_DIR/docker.sock"
HOST2_URL="unix://$SOCK"
PIDFILE="$RUN_DIR/docker.pid"
DAEMON_JSON="$RUN_DIR/daemon.json"
CTRD_STATE="$RUN_DIR/containerd"
CTRD_SOCK="$CTRD_STATE/containerd.sock"
CTRD_CONFIG="$RUN_DIR/containerd.toml"
CTRD_PIDFILE="$RUN_DIR/containerd.pid"
CTRD_ROOT="$DATA_ROOT/containerd"
LOG="/var/log/$NAME-dockerd.log"
CTRD_LOG="/var/log/$NAME-containerd.log"
CGROUP_PARENT="/$NAME"
LOCK_FILE="/run/lock/$NAME.lock"

BIP="${REDIS_CHAIN_HOST2_BIP:-10.201.0.1/24}"
POOL="${REDIS_CHAIN_HOST2_POOL:-10.202.0.0/16}"
POOL_SIZE=24
WAIT_SECONDS="${REDIS_CHAIN_HOST2_WAIT_SECONDS:-60}"
if [ -n "${REDIS_CHAIN_MAIN_DOCKER_HOST:-}" ]; then
  MAIN_URL="$REDIS_CHAIN_MAIN_DOCKER_HOST"
elif [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "$HOST2_URL" ]; then
  MAIN_URL="$DOCKER_HOST"
else
  MAIN_URL=unix:///var/run/docker.sock
fi
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/../../scripts/lib.sh"
# shellcheck source=tests/infra/images.env
source "$SCRIPT_DIR/images.env"
IMAGE="${REDIS_CHAIN_LOCAL_IMAGE:-$REDIS_8_6_IMAGE}"

# The tests/infra/build-images.sh name of a server image; fails for an image it does not build.
build_name() {
  case "$1" in
    "$REDIS_7_0_IMAGE") echo redis-7.0 ;;
    "$REDIS_8_0_IMAGE") echo redis-8.0 ;;
    "$VALKEY_8_1_IMAGE") echo valkey-8.1 ;;
    "$REDIS_8_6_IMAGE") echo redis-8.6 ;;
    "$VALKEY_9_1_IMAGE") echo valkey-9.1 ;;
    *) return 1 ;;
  esac
}

usage() {
  sed -n '5,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

need_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, a second dockerd)"
  local c
  for c in ip nsenter setsid dockerd containerd docker flock; do
    command -v "$c" >/dev/null 2>&1 || die "missing command: $c (Debian: iproute2, util-linux, docker.io)"
  done
}

lock() {
  mkdir -p "$(dirname "$LOCK_FILE")"
  exec 9>>"$LOCK_FILE"
  flock 9
}

# --- probes ---------------------------------------------------------------------------------------

in_ns() { nsenter --net="$NETNS_PATH" "$@"; }
netns_ok() { [ -e "$NETNS_PATH" ] && nsenter --net="$NETNS_PATH" true 2>/dev/null; }
link_exists() { ip link show dev "$1" >/dev/null 2>&1; }
has_addr() { ip -4 -o addr show dev "$1" 2>/dev/null | grep -q " inet $2/$LINK_PREFIX "; }
ns_has_addr() { netns_ok && in_ns ip -4 -o addr show dev "$1" 2>/dev/null | grep -q " inet $2/$LINK_PREFIX "; }
link_up() { ip -o link show dev "$1" 2>/dev/null | grep -q '[<,]UP[,>]'; }
ns_link_up() { netns_ok && in_ns ip -o link show dev "$1" 2>/dev/null | grep -q '[<,]UP[,>]'; }

pid_alive() { [ -n "${1:-}" ] && [ -d "/proc/$1" ] && kill -0 "$1" 2>/dev/null; }
# pid of a process whose command line starts with $1 and contains $2 (a flag and value we gave it)
find_pid() {
  local p cmd
  for p in $(pgrep -x "$1" 2>/dev/null || true); do
    cmd="$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null || true)"
    case "$cmd " in *" $2 "*) echo "$p"; return 0 ;; esac
  done
  return 1
}
dockerd_pid() { find_pid dockerd "--exec-root $EXEC_ROOT"; }
containerd_pid() { find_pid containerd "--config $CTRD_CONFIG"; }

host2() { docker -H "$HOST2_URL" "$@"; }
engine1() { docker -H "$MAIN_URL" "$@"; }
host2_up() { [ -S "$SOCK" ] && timeout 20 docker -H "$HOST2_URL" info >/dev/null 2>&1; }
containerd_up() { [ -S "$CTRD_SOCK" ] && containerd_pid >/dev/null; }

image_id() { "$@" image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null; }

# --- address overlap checks -----------------------------------------------------------------------

ip2int() {
  local IFS=.
  # shellcheck disable=SC2086
  set -- $1
  echo $(( ($1 << 24) | ($2 << 16) | ($3 << 8) | $4 ))
}
cidr_overlap() { # a/len b/len
  local a="${1%/*}" al="${1#*/}" b="${2%/*}" bl="${2#*/}" l mask
  [ "$al" = "$1" ] && al=32
  [ "$bl" = "$2" ] && bl=32
  l=$(( al < bl ? al : bl ))
  mask=$(( l == 0 ? 0 : (0xffffffff << (32 - l)) & 0xffffffff ))
  [ $(( $(ip2int "$a") & mask )) -eq $(( $(ip2int "$b") & mask )) ]
}
# IPv4 networks in use in the host namespace: its routes, addresses, and the main engine's networks.
host_networks() {
  ip -4 -o addr show | awk -v skip="$VETH_HOST" '$2 != skip { print $4 }'
  ip -4 route show | awk -v skip="$VETH_HOST" '$1 ~ /^[0-9]/ && $0 !~ (" dev " skip " ") { print $1 }'
  if timeout 20 docker -H "$MAIN_URL" info >/dev/null 2>&1; then
    engine1 network ls -q 2>/dev/null | while read -r n; do
      engine1 network inspect --format '{{range .IPAM.Config}}{{println .Subnet}}{{end}}' "$n" 2>/dev/null || true
    done
  fi
}
check_no_overlap() {
  local used net want
  used="$(host_networks | grep -E '^[0-9]+(\.[0-9]+){3}(/[0-9]+)?$' | sort -u || true)"
  for want in "$LINK_NET" "$BIP" "$POOL"; do
    for net in $used; do
      if cidr_overlap "$want" "$net"; then
        die "$want overlaps $net, used on this host or by the main engine; set REDIS_CHAIN_HOST2_BIP / REDIS_CHAIN_HOST2_POOL (the link $LINK_NET is fixed)"
      fi
    done
  done
  return 0
}

# --- up -------------------------------------------------------------------------------------------

STARTED=0
did() { say "$*"; STARTED=1; }

# Start a daemon detached (own session, stdin closed, output to a log, lock fd closed) inside
# the namespace. nsenter and setsid both exec, so $! is the daemon's pid.
spawn_in_ns() {
  local log="$1"; shift
  nsenter --net="$NETNS_PATH" setsid "$@" </dev/null >>"$log" 2>&1 9>&- &
  SPAWNED=$!
}

up_network() {
  if ! netns_ok; then
    # a leftover name without a live namespace behind it (e.g. after a crash) blocks `ip netns add`
    ip netns delete "$NETNS" >/dev/null 2>&1 || rm -f "$NETNS_PATH"
    check_no_overlap
    ip netns add "$NETNS"
    did "created network namespace $NETNS"
  fi
  in_ns ip link set lo up
  if ! link_exists "$VETH_HOST"; then
    link_exists "$VETH_NS" && ip link delete "$VETH_NS"
    in_ns ip link delete "$VETH_NS" >/dev/null 2>&1 || true
    ip link add "$VETH_HOST" type veth peer name "$VETH_NS" netns "$NETNS"
    # IPv4 only on the link: no IPv6 router solicitations / DAD chatter
    if [ -e "/proc/sys/net/ipv6/conf/$VETH_HOST" ]; then sysctl -qw "net.ipv6.conf.$VETH_HOST.disable_ipv6=1" || true; fi
    in_ns sh -c "[ -e /proc/sys/net/ipv6/conf/$VETH_NS ] && sysctl -qw net.ipv6.conf.$VETH_NS.disable_ipv6=1" || true
    did "created veth $VETH_HOST ($HOST_ADDR/$LINK_PREFIX) <-> $VETH_NS ($NS_ADDR/$LINK_PREFIX, in $NETNS)"
  fi
  has_addr "$VETH_HOST" "$HOST_ADDR" || ip addr replace "$HOST_ADDR/$LINK_PREFIX" dev "$VETH_HOST"
  ns_has_addr "$VETH_NS" "$NS_ADDR" || in_ns ip addr replace "$NS_ADDR/$LINK_PREFIX" dev "$VETH_NS"
  link_up "$VETH_HOST" || ip link set "$VETH_HOST" up
  ns_link_up "$VETH_NS" || in_ns ip link set "$VETH_NS" up
}

write_containerd_config() {
  cat >"$CTRD_CONFIG" <<EOF
# written by tests/infra/second-docker-host.sh: the second engine's own containerd
version = 2
root = "$CTRD_ROOT"
state = "$CTRD_STATE"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$CTRD_SOCK"

[ttrpc]
  address = ""

[debug]
  address = "$CTRD_STATE/containerd-debug.sock"
  level = "info"

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$CTRD_ROOT/opt"
EOF
}

up_containerd() {
  containerd_up && return 0
  local pid
  if pid="$(containerd_pid)"; then
    # running but no socket yet: give it a moment, else restart it
    for _ in $(seq 1 20); do [ -S "$CTRD_SOCK" ] && return 0; sleep 0.25; done
    stop_pid "$pid" containerd 10 >/dev/null
  fi
  write_containerd_config
  rm -f "$CTRD_SOCK"
  spawn_in_ns "$CTRD_LOG" containerd --config "$CTRD_CONFIG"
  pid=$SPAWNED
  for _ in $(seq 1 $(( WAIT_SECONDS * 4 ))); do
    if ! pid_alive "$pid"; then
      tail -n 20 "$CTRD_LOG" >&2 || true
      die "containerd for $NAME exited; see $CTRD_LOG"
    fi
    [ -S "$CTRD_SOCK" ] && break
    sleep 0.25
  done
  [ -S "$CTRD_SOCK" ] || die "containerd for $NAME did not create $CTRD_SOCK within ${WAIT_SECONDS}s; see $CTRD_LOG"
  echo "$pid" >"$CTRD_PIDFILE"
  did "started containerd (pid $pid, $CTRD_SOCK, log $CTRD_LOG)"
}

up_dockerd() {
  host2_up && return 0
  local pid
  if ! pid="$(dockerd_pid)"; then
    check_no_overlap
    # Its own config file (not /etc/docker/daemon.json, the main engine's) and its own trust key
    # (else both engines read /etc/docker/key.json and report the same engine ID).
    printf '{ "deprecated-key-path": "%s" }\n' "$DATA_ROOT/key.json" >"$DAEMON_JSON"
    mkdir -p "$DATA_ROOT"
    rm -f "$SOCK"
    spawn_in_ns "$LOG" dockerd \
      --config-file "$DAEMON_JSON" \
      --host "$HOST2_URL" \
      --data-root "$DATA_ROOT" \
      --exec-root "$EXEC_ROOT" \
      --pidfile "$PIDFILE" \
      --containerd "$CTRD_SOCK" \
      --bip "$BIP" \
      --default-address-pool "base=$POOL,size=$POOL_SIZE" \
      --cgroup-parent "$CGROUP_PARENT"
    pid=$SPAWNED
    did "started dockerd (pid $pid, log $LOG)"
  fi
  for _ in $(seq 1 "$WAIT_SECONDS"); do
    host2_up && return 0
    if ! pid_alive "$pid"; then
      tail -n 20 "$LOG" >&2 || true
      die "dockerd for $NAME exited; see $LOG"
    fi
    sleep 1
  done
  die "dockerd for $NAME did not answer on $HOST2_URL within ${WAIT_SECONDS}s; see $LOG"
}

up_image() {
  local want have
  have="$(image_id host2 || true)"
  if ! timeout 20 docker -H "$MAIN_URL" info >/dev/null 2>&1; then
    [ -n "$have" ] && return 0
    die "the main engine ($MAIN_URL) does not answer and $NAME lacks $IMAGE; run scripts/ensure-docker.sh"
  fi
  if ! want="$(image_id engine1)"; then
    local build
    build="$(build_name "$IMAGE")" || die "the main engine lacks $IMAGE, and tests/infra/build-images.sh does not build it"
    DOCKER_HOST="$MAIN_URL" bash "$SCRIPT_DIR/build-images.sh" "$build"
    want="$(image_id engine1)" || die "the main engine still lacks $IMAGE"
  fi
  [ "$want" = "$have" ] && return 0
  engine1 save "$IMAGE" | host2 load >/dev/null
  did "loaded $IMAGE into $NAME (${want:7:12})"
}

cmd_up() {
  need_root
  lock
  mkdir -p "$RUN_DIR"
  chmod 0711 "$RUN_DIR"
  up_network
  up_containerd
  up_dockerd
  up_image
  if [ "$STARTED" -eq 1 ]; then
    say "DOCKER_HOST=$HOST2_URL"
    say "host address $NS_ADDR (it reaches this host at $HOST_ADDR)"
  fi
}

# --- status ---------------------------------------------------------------------------------------

cmd_status() {
  local missing=() p
  netns_ok || missing+=("network namespace $NETNS")
  { has_addr "$VETH_HOST" "$HOST_ADDR" && link_up "$VETH_HOST"; } || missing+=("$VETH_HOST $HOST_ADDR/$LINK_PREFIX")
  { ns_has_addr "$VETH_NS" "$NS_ADDR" && ns_link_up "$VETH_NS"; } || missing+=("$VETH_NS $NS_ADDR/$LINK_PREFIX")
  containerd_up || missing+=("containerd")
  if host2_up; then
    [ -n "$(image_id host2 || true)" ] || missing+=("image $IMAGE")
  else
    missing+=("dockerd on $HOST2_URL")
  fi
  if [ "${#missing[@]}" -eq 0 ]; then
    p="$(dockerd_pid || true)"
    say "up: DOCKER_HOST=$HOST2_URL, host address $NS_ADDR, dockerd pid ${p:-?}, $(host2 ps -q | wc -l) running container(s)"
    return 0
  fi
  if ! netns_ok && ! link_exists "$VETH_HOST" && ! [ -e "$RUN_DIR" ] &&
     ! dockerd_pid >/dev/null && ! containerd_pid >/dev/null; then
    say "down"
  else
    local missing_list
    missing_list="$(IFS=,; echo "${missing[*]}")"
    say "partly up; missing: ${missing_list//,/, } (run: $0 up, or $0 down)"
  fi
  return 1
}

# --- down -----------------------------------------------------------------------------------------

# stop_pid PID WHAT SECONDS: TERM, wait, then KILL
stop_pid() {
  local pid="$1" what="$2" secs="$3"
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $(( secs * 4 ))); do
    pid_alive "$pid" || { say "stopped $what (pid $pid)"; return 0; }
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do pid_alive "$pid" || break; sleep 0.25; done
  say "killed $what (pid $pid, did not stop within ${secs}s)"
}

# mount points at or under $1, deepest first
mounts_under() {
  awk -v root="$1" '{ p = $5; gsub(/\\040/, " ", p); if (p == root || index(p, root "/") == 1) print p }' \
    /proc/self/mountinfo | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-
}

# The second engine's containers live in cgroup $CGROUP_PARENT/<id> (absolute, so not under the
# caller's own cgroup). Every directory of it in every hierarchy, deepest first:
cgroup_dirs() {
  local r
  [ -n "${CGROUP_PARENT#/}" ] || return 0
  while read -r r; do
    find "$r" -depth -type d 2>/dev/null
  done < <(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "${CGROUP_PARENT#/}" 2>/dev/null)
  return 0
}
# pids of processes in any of those cgroups (the containers of a crashed engine)
cgroup_pids() {
  local f p
  [ -n "${CGROUP_PARENT#/}" ] || return 0
  for f in /proc/[0-9]*/cgroup; do
    if grep -q -- ":/\(.*/\)\{0,1\}${CGROUP_PARENT#/}\(/\|\$\)" "$f" 2>/dev/null; then
      p="${f#/proc/}"; echo "${p%/cgroup}"
    fi
  done
  return 0
}

cmd_down() {
  need_root
  lock
  local pid n pids m left=0 answered=0

  # 1. containers (and the networks/volumes tests made) while the engine still answers
  if host2_up; then
    answered=1
    n="$(host2 ps -aq | wc -l)"
    if [ "$n" -gt 0 ]; then
      host2 ps -aq | xargs -r timeout 120 docker -H "$HOST2_URL" rm -f -v >/dev/null
      say "removed $n container(s) on $NAME"
    fi
    host2 network prune -f >/dev/null 2>&1 || true
    host2 volume prune -f >/dev/null 2>&1 || true
  fi

  # 2. dockerd, then containerd
  if pid="$(dockerd_pid)"; then stop_pid "$pid" dockerd 30; fi
  if pid="$(containerd_pid)"; then stop_pid "$pid" containerd 15; fi

  # 3. whatever is left: processes in the namespace (shims, docker-proxy, host-network
  #    containers) and in the second engine's cgroups (containers of a crashed engine)
  pids=""
  netns_ok && pids="$(ip netns pids "$NETNS" 2>/dev/null || true)"
  pids="$pids $(cgroup_pids)"
  pids="$(tr ' ' '\n' <<<"$pids" | grep -E '^[0-9]+$' | sort -un | grep -vx "$$" || true)"
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    sleep 1
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    say "killed leftover processes: $(tr '\n' ' ' <<<"$pids")"
  fi
  n=0
  while read -r d; do [ -n "$d" ] && rmdir "$d" 2>/dev/null && n=$((n + 1)); done < <(cgroup_dirs)
  [ "$n" -gt 0 ] && say "removed cgroup $CGROUP_PARENT ($n dir(s))"

  # 4. mounts under its roots (overlay rootfs, shm, netns bind mounts)
  n=0
  for root in "$RUN_DIR" "$DATA_ROOT"; do
    while IFS= read -r m; do
      [ -n "$m" ] || continue
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || { warn "could not unmount $m"; continue; }
      n=$((n + 1))
    done < <(mounts_under "$root")
  done
  [ "$n" -gt 0 ] && say "unmounted $n mount(s) under $RUN_DIR and $DATA_ROOT"

  # A crashed engine could not remove its containers: drop its whole data root (the image cache
  # with it; the next `up` loads the image again) rather than hand stale containers to it.
  if [ "$answered" -eq 0 ] && [ -n "$(ls -A "$DATA_ROOT/containers" 2>/dev/null)" ]; then
    if [ -z "$(mounts_under "$DATA_ROOT")" ]; then
      rm -rf --one-file-system "$DATA_ROOT"
      say "removed $DATA_ROOT (its engine was not running, so its containers could not be removed)"
    else
      warn "mounts remain under $DATA_ROOT; not removing it"; left=1
    fi
  fi

  # 5. network
  if link_exists "$VETH_HOST"; then ip link delete "$VETH_HOST"; say "deleted veth $VETH_HOST"; fi
  if [ -e "$NETNS_PATH" ] || ip netns list 2>/dev/null | grep -q "^$NETNS\( \|$\)"; then
    ip netns delete "$NETNS" 2>/dev/null || { umount -l "$NETNS_PATH" 2>/dev/null || true; rm -f "$NETNS_PATH"; }
    say "deleted network namespace $NETNS"
  fi

  # 6. the run directory (never through a mount)
  if [ -e "$RUN_DIR" ]; then
    if [ -n "$(mounts_under "$RUN_DIR")" ]; then
      warn "mounts remain under $RUN_DIR; not removing it"; left=1
    else
      rm -rf --one-file-system "$RUN_DIR"
      say "removed $RUN_DIR"
    fi
  fi
  return "$left"
}

# Stops only the engine, as a machine's Docker service going away would: its containers stop with
# it (gracefully, within their stop timeout); `up` starts it again and unless-stopped containers
# come back.
cmd_stop_engine() {
  need_root
  lock
  local pid
  if pid="$(dockerd_pid)"; then stop_pid "$pid" dockerd 60; fi
}

cmd_purge() {
  cmd_down
  lock
  if [ -e "$DATA_ROOT" ]; then
    [ -z "$(mounts_under "$DATA_ROOT")" ] || die "mounts remain under $DATA_ROOT; not removing it"
    rm -rf --one-file-system "$DATA_ROOT"
    say "removed $DATA_ROOT"
  fi
  rm -f "$LOG" "$CTRD_LOG"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  purge) cmd_purge ;;
  stop-engine) cmd_stop_engine ;;
  *) usage ;;
esac
