#!/usr/bin/env bash
# Keeps the kernel from handing out the e2e tests' fixed host ports as ephemeral client ports.
# They lie inside Linux's default ephemeral range (32768-60999): a client socket that happened to
# get local port 49480 made Docker's publish of 127.0.0.1:49480 fail with "address already in use".
# Reserving the range removes that race without changing what ports are in the range.
# Root only (a sysctl); otherwise prints the command and carries on, the race stays possible.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

# The seed e2e stack shifts the seed's ports by 30000 (36379..., 46379..., 56380...); the other
# suites use 45000-49999.
TEST_PORTS=(36300-36499 45000-49999 56300-56499)
SYSCTL=/proc/sys/net/ipv4/ip_local_reserved_ports

current="$(cat "$SYSCTL" 2>/dev/null || true)"
missing=()
for range in "${TEST_PORTS[@]}"; do
  case ",$current," in *",$range,"*) ;; *) missing+=("$range") ;; esac
done
[ "${#missing[@]}" -eq 0 ] && exit 0
wanted="$(IFS=,; echo "${current:+$current,}${missing[*]}")"
if [ "$(id -u)" -ne 0 ]; then
  warn "ports ${missing[*]} may be taken by client sockets during the tests; as root: echo '$wanted' > $SYSCTL"
  exit 0
fi
echo "$wanted" >"$SYSCTL"
say "reserved host ports ${missing[*]} for the e2e tests (net.ipv4.ip_local_reserved_ports)"
