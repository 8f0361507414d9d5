#!/usr/bin/env bash
# Runs the reliability suite at the issue's full size (10,000 users, 500 groups through the fault
# mix) instead of the CI size. Takes several minutes; prints the figures as
# "[reliability:...] <phase> {json}" lines. Extra arguments go to vitest (e.g. a test file).
set -euo pipefail
cd "$(dirname "$0")/.."
export RELIABILITY_SCALE=full
if [ "$#" -eq 0 ]; then set -- test/reliability; fi
exec npx vitest run --reporter=verbose --testTimeout=1800000 "$@"
