#!/usr/bin/env bash
# Restore a dump made by deploy/backup.sh into the database named by DATABASE_URL,
# replacing what is there (stop the web, worker and scheduler processes first).
#   DATABASE_URL=postgresql://user@host/db deploy/restore.sh backups/taller-....dump
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to restore into}"
dump="${1:?name the dump file to restore}"
url="${DATABASE_URL/postgresql+psycopg:/postgresql:}"
pg_restore --list "$dump" >/dev/null
# One transaction: either the whole dump is in, or nothing changed.
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
  --exit-on-error --dbname="$url" "$dump"
echo "restored $dump"
