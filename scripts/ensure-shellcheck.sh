#!/usr/bin/env bash
# Installs Debian's shellcheck when it is missing (as root; otherwise prints the command): the
# test command lints every shell script with it.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v shellcheck >/dev/null 2>&1 || ensure_debian_packages shellcheck
