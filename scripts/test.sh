#!/usr/bin/env bash
# The whole suite on SQLite and on PostgreSQL. Non-zero exit on any failure.
# The two runs go side by side (each waits on its database and browser part of the time, so on two
# cores together they take 7 min instead of 10); ONETHING_TEST_SERIAL=1 runs them one after the other.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=.venv/bin/pytest
bash scripts/ensure_chromium.sh || { echo "chromium could not be installed" >&2; exit 1; }
PG_URL=$(bash scripts/ensure_postgres.sh) || { echo "PostgreSQL could not be started" >&2; exit 1; }
LOGS=$(mktemp -d /tmp/onething-test-logs-XXXX)

run() {  # name, database URL (empty: SQLite); the log goes to $LOGS/name.log, the exit code to name.rc
  local name=$1 url=$2 db=(-u DATABASE_URL)
  [ -n "$url" ] && db=(DATABASE_URL="$url")
  env "${db[@]}" ONETHING_VAR_DIR="$(mktemp -d /tmp/onething-test-XXXX)" $PYTEST -q --durations=25 "${ARGS[@]}" \
    >"$LOGS/$name.log" 2>&1
  echo $? >"$LOGS/$name.rc"
}

ARGS=("$@")
if [ "${ONETHING_TEST_SERIAL:-0}" = 1 ]; then
  run sqlite ""
  run postgres "$PG_URL"
else
  run sqlite "" &
  run postgres "$PG_URL" &
  wait
fi

status=0
for name in sqlite postgres; do
  echo "=== $name ($( [ $name = postgres ] && echo "$PG_URL" || echo "SQLite file" )) ==="
  cat "$LOGS/$name.log"
  [ "$(cat "$LOGS/$name.rc")" = 0 ] || status=1
done
exit $status
