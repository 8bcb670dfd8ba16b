#!/usr/bin/env bash
# The benchmark: the same set-up as scripts/test.sh, then `npm run bench` (about two minutes;
# BENCH_SMOKE=1 for the seconds-long smoke mode). Results in .bench/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
npm run bench
