#!/usr/bin/env bash
# The drill: server A (SQLite) with members, posts, media and followers on server B; an online backup of A;
# A stopped for good; the backup restored as server C on PostgreSQL under a new domain; `stoa domain move`;
# then every post, media file, profile and follow is checked on C, and B's members must follow C's actors
# and receive a new post. All on loopback (127.0.0.2-4). Prints the time each step took.
#
#   scripts/drill.sh                      # C (and B) on a throwaway PostgreSQL (scripts/test-postgres.sh)
#   STOA_TEST_DATABASE_URL=postgres://... scripts/drill.sh   # on a PostgreSQL server of yours
#   STOA_DRILL_SQLITE=1 scripts/drill.sh  # every server on SQLite
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${STOA_TEST_DATABASE_URL:-}" ] && [ -z "${STOA_DRILL_SQLITE:-}" ]; then
  STOA_TEST_DATABASE_URL=$(scripts/test-postgres.sh start)
  export STOA_TEST_DATABASE_URL
  trap 'scripts/test-postgres.sh stop' EXIT
fi
if [ -n "${STOA_TEST_DATABASE_URL:-}" ]; then echo "The drill (B and C on PostgreSQL):"; else echo "The drill (on SQLite):"; fi
node_modules/.bin/node scripts/drill.ts
