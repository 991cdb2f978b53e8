#!/usr/bin/env bash
# Back up Taller's PostgreSQL database to one compressed custom-format dump.
#   DATABASE_URL=postgresql://user@host/db deploy/backup.sh [backups-folder]
# Prints the dump's path. Keeps BACKUP_KEEP (default 14) newest dumps in the folder.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
folder="${1:-${BACKUP_DIR:-./backups}}"
keep="${BACKUP_KEEP:-14}"
url="${DATABASE_URL/postgresql+psycopg:/postgresql:}"
mkdir -p "$folder"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$folder/taller-$stamp.dump"
# Custom format: compressed, restorable table by table, consistent snapshot while the shop runs.
pg_dump --format=custom --no-owner --no-privileges --file="$target.partial" "$url"
pg_restore --list "$target.partial" >/dev/null  # refuse to keep an unreadable dump
mv "$target.partial" "$target"
ls -1t "$folder"/taller-*.dump | tail -n +"$((keep + 1))" | xargs -r rm --
echo "$target"
