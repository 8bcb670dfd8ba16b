#!/usr/bin/env bash
# Keeps the kernel from handing out the e2e tests' fixed host ports as ephemeral client ports.
# They lie inside Linux's default ephemeral range (32768-60999): a client socket that happened to
# get local port 49480 made Docker's publish of 127.0.0.1:49480 fail with "address already in use".
# Reserving the range removes that race without changing what ports are in the range.
# Root only (a sysctl); otherwise prints the command and carries on, the race stays possible.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

TEST_PORTS=45000-49999
SYSCTL=/proc/sys/net/ipv4/ip_local_reserved_ports

current="$(cat "$SYSCTL" 2>/dev/null || true)"
case ",$current," in *",$TEST_PORTS,"*) exit 0 ;; esac
if [ "$(id -u)" -ne 0 ]; then
  warn "ports $TEST_PORTS may be taken by client sockets during the tests; as root: echo '${current:+$current,}$TEST_PORTS' > $SYSCTL"
  exit 0
fi
echo "${current:+$current,}$TEST_PORTS" >"$SYSCTL"
say "reserved host ports $TEST_PORTS for the e2e tests (net.ipv4.ip_local_reserved_ports)"
