#!/usr/bin/env bash
# Print a DATABASE_URL for a PostgreSQL server that accepts us:
# the machine's server on 127.0.0.1:5432 if one runs, else a throw-away cluster.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1" >/dev/null 2>&1; then
  echo "postgres://postgres@127.0.0.1:5432/onething"
  exit 0
fi
PORT=54329
DIR=${ONETHING_PG_DIR:-/tmp/onething-pg}
if ! command -v initdb >/dev/null 2>&1; then
  BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$BIN" ]; then
    echo "installing PostgreSQL (Debian package)…" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  export PATH="$BIN:$PATH"
fi
if ! pg_isready -q -h 127.0.0.1 -p $PORT 2>/dev/null; then
  rm -rf "$DIR"; mkdir -p "$DIR"; chown postgres "$DIR" 2>/dev/null || true
  RUN="bash -c"; [ "$(id -u)" = 0 ] && RUN="su postgres -c"
  $RUN "initdb -D $DIR/data -A trust -U postgres >/dev/null && pg_ctl -D $DIR/data -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1' -l $DIR/log -w start >/dev/null"
fi
echo "postgres://postgres@127.0.0.1:$PORT/onething"
