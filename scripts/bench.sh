#!/usr/bin/env bash
# Run every benchmark under bench/ (each prints its own figures and ratios).
# BENCH=name runs one; extra arguments are passed through.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for run in bench/*/run.py; do
  name=$(basename "$(dirname "$run")")
  [ -n "${BENCH:-}" ] && [ "$BENCH" != "$name" ] && continue
  echo "=== bench/$name ==="
  .venv/bin/python "$run" "$@" || status=1
done
exit $status
