#!/usr/bin/env bash
# Make sure a Docker engine answers `docker info`.
#
# Idempotent: silent (exit 0) when the engine already answers. Otherwise, as
# root, it installs Debian's docker.io (only if `dockerd` is missing), starts
# dockerd in the background and waits up to 60 s for it. Non-interactive:
# works with no stdin and CI=true. Prints one line per action taken.
set -euo pipefail

LOG=/var/log/redis-chain-dockerd.log
WAIT_SECONDS="${ENSURE_DOCKER_WAIT_SECONDS:-60}"

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

engine_up() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

engine_up && exit 0

# A non-local DOCKER_HOST is not something we can start from here.
case "${DOCKER_HOST:-}" in
  "" | unix:///var/run/docker.sock | unix:///run/docker.sock) ;;
  *) die "DOCKER_HOST=${DOCKER_HOST} does not answer 'docker info'; start that engine or unset DOCKER_HOST" ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  if [ -S /var/run/docker.sock ] && ! [ -w /var/run/docker.sock ]; then
    die "the Docker engine socket /var/run/docker.sock is not accessible to $(id -un); add $(id -un) to the 'docker' group (then log in again) or run as root"
  elif command -v dockerd >/dev/null 2>&1; then
    die "no Docker engine answers 'docker info' and this is not root; start it as root: sudo $0   (or: sudo systemctl start docker)"
  else
    die "no Docker engine is installed (dockerd missing) and this is not root; run as root: sudo $0   (installs Debian's docker.io and starts dockerd)"
  fi
fi

systemd_running() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }
dockerd_running() {
  local pid
  if [ -r /var/run/docker.pid ]; then
    pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && return 0
  fi
  command -v pgrep >/dev/null 2>&1 && pgrep -x dockerd >/dev/null 2>&1
}

if ! command -v dockerd >/dev/null 2>&1; then
  ensure_debian_packages --with-recommends docker.io
  command -v dockerd >/dev/null 2>&1 || die "docker.io installed but dockerd is still not on PATH"
  command -v docker >/dev/null 2>&1 || die "docker.io installed but the docker CLI is still not on PATH"
fi
command -v docker >/dev/null 2>&1 || die "the docker CLI is missing (dockerd is present); install docker.io or docker-ce-cli"

if systemd_running; then
  # Let systemd own the daemon when it is PID 1 (the package may have started it already).
  if ! systemctl is-active --quiet docker 2>/dev/null; then
    say "starting dockerd via systemctl start docker"
    systemctl start docker </dev/null || die "systemctl start docker failed; see: journalctl -u docker"
  fi
  LOG=""
elif dockerd_running; then
  say "dockerd is already running but not answering yet; waiting up to ${WAIT_SECONDS}s"
else
  say "starting dockerd in the background (log: $LOG)"
  mkdir -p "$(dirname "$LOG")"
  # setsid + nohup: detach from this shell/session so it survives the CI step.
  setsid nohup dockerd </dev/null >>"$LOG" 2>&1 &
  started_pid=$!
fi

fail_with_log() {
  if [ -n "$LOG" ] && [ -f "$LOG" ]; then
    printf 'ensure-docker: ERROR: %s; last lines of %s:\n' "$1" "$LOG" >&2
    tail -n 25 "$LOG" >&2 || true
    exit 1
  fi
  die "$1; see: journalctl -u docker"
}

started_pid="${started_pid:-}"
for _ in $(seq 1 "$WAIT_SECONDS"); do
  engine_up && exit 0
  if [ -n "$started_pid" ] && ! kill -0 "$started_pid" 2>/dev/null && ! dockerd_running; then
    fail_with_log "dockerd exited during startup"
  fi
  sleep 1
done

fail_with_log "dockerd did not answer within ${WAIT_SECONDS}s"
