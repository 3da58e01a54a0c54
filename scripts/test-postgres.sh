#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL server on loopback for the test suite, in a data folder of its
# own, and prints the URL to put in STOA_TEST_DATABASE_URL. Installs Debian's postgresql package when it
# is missing and the script runs as root. Used by .ci/run; handy for running the PostgreSQL suite by hand.
#
#   scripts/test-postgres.sh start   # prints postgres://stoa:stoa@127.0.0.1:54329/postgres
#   scripts/test-postgres.sh stop
set -euo pipefail

PORT="${STOA_TEST_PG_PORT:-54329}"
ROOT="${STOA_TEST_PG_DIR:-/tmp/stoa-test-postgres}"
URL="postgres://stoa:stoa@127.0.0.1:${PORT}/postgres"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_postgres() {
  if [ -n "$(pg_bin)" ]; then return; fi
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL is not installed; install Debian's postgresql package (as root) first." >&2
    exit 1
  fi
  echo "Installing PostgreSQL from Debian's packages..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

start() {
  install_postgres
  local bin
  bin=$(pg_bin)
  if as_owner "$bin/pg_ctl" -D "$ROOT/data" status >/dev/null 2>&1; then
    echo "$URL"
    return
  fi
  rm -rf "$ROOT"
  mkdir -p "$ROOT"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$ROOT"
  echo stoa > "$ROOT/.pw"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$ROOT/.pw"
  as_owner "$bin/initdb" -D "$ROOT/data" -U stoa --pwfile="$ROOT/.pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  as_owner "$bin/pg_ctl" -D "$ROOT/data" -l "$ROOT/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=${PORT} -c unix_socket_directories=$ROOT -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  echo "$URL"
}

stop() {
  local bin
  bin=$(pg_bin) || exit 0
  as_owner "$bin/pg_ctl" -D "$ROOT/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$ROOT"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 64 ;;
esac
