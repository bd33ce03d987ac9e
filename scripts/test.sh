#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL. Non-zero exit on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=.venv/bin/pytest
bash scripts/ensure_chromium.sh || { echo "chromium could not be installed" >&2; exit 1; }
PG_URL=$(bash scripts/ensure_postgres.sh) || { echo "PostgreSQL could not be started" >&2; exit 1; }
export ONETHING_VAR_DIR=${ONETHING_VAR_DIR:-$(mktemp -d /tmp/onething-test-XXXX)}
status=0
echo "=== SQLite ==="
$PYTEST -q "$@" || status=1
echo "=== PostgreSQL ($PG_URL) ==="
DATABASE_URL="$PG_URL" $PYTEST -q "$@" || status=1
exit $status
