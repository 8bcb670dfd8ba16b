#!/usr/bin/env bash
# Runs shellcheck over every shell script in the repository (files named *.sh, and .ci/run), following
# sourced files. Exit 0 only when all are clean.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v shellcheck >/dev/null 2>&1 || { echo "lint-shell: shellcheck is missing; run scripts/ensure-shellcheck.sh" >&2; exit 127; }
files=()
while IFS= read -r -d '' f; do files+=("$f"); done \
  < <(find . \( -path ./node_modules -o -path ./.git -o -path ./.pulumi-state \) -prune -o \( -name '*.sh' -o -path ./.ci/run \) -type f -print0 | sort -z)
shellcheck -x "${files[@]}"
echo "lint-shell: ${#files[@]} scripts clean"
