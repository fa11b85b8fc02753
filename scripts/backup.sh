#!/usr/bin/env bash
# Back up the Co-production Hub: the PostgreSQL database and the private uploads (receipts).
#
#   DATABASE_URL=postgres://... PRIVATE_MEDIA_ROOT=/app/private-media scripts/backup.sh [FOLDER]
#
# Writes FOLDER/hub-<UTC date and time>/ (FOLDER defaults to $BACKUP_DIR, else ./backups):
#   database.dump         pg_dump custom format: compressed, restored with pg_restore
#   private-media.tar.gz  every uploaded file, with its path, as the app stores it
#   SHA256SUMS            checksums, checked by restore.sh before it touches anything
# and prints the folder's path. The backup holds personal and financial data: it is made
# readable by its owner only; keep it encrypted and off the server, as the council's policy
# for special category data says.
#
# Needs pg_dump (PostgreSQL client tools, the server's major version or newer) and tar.
# DATABASE_URL must be a postgres:// or postgresql:// URL, as the app uses.
set -euo pipefail

: "${DATABASE_URL:?Set DATABASE_URL to the database to back up}"
here="$(cd "$(dirname "$0")" && pwd)"
media="${PRIVATE_MEDIA_ROOT:-$here/../private-media}"
destination_root="${1:-${BACKUP_DIR:-backups}}"

umask 077
folder="$destination_root/hub-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$folder"

# One consistent snapshot of the whole database (pg_dump runs in a single transaction).
# --no-owner and --no-privileges: the dump restores into a database owned by anyone.
pg_dump --format=custom --no-owner --no-privileges --file="$folder/database.dump" "$DATABASE_URL"

if [ -d "$media" ]; then
  tar -C "$media" -czf "$folder/private-media.tar.gz" .
else
  echo "No uploads folder at $media: backing up an empty one." >&2
  tar -czf "$folder/private-media.tar.gz" --files-from /dev/null
fi

(cd "$folder" && sha256sum database.dump private-media.tar.gz > SHA256SUMS)
echo "$folder"
