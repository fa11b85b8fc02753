#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and an empty folder.
#
#   scripts/restore.sh BACKUP_FOLDER TARGET_DATABASE_URL TARGET_MEDIA_FOLDER
#
# Create the database first (createdb, or your provider's console). The script refuses a
# database that already has tables, or a media folder with files in it, so it can never
# overwrite live data. Then point DATABASE_URL and PRIVATE_MEDIA_ROOT at the restored copy,
# run `manage.py migrate` (it applies any migrations newer than the backup) and start the app.
#
# Needs pg_restore and psql (PostgreSQL client tools) and tar.
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "Usage: $0 BACKUP_FOLDER TARGET_DATABASE_URL TARGET_MEDIA_FOLDER" >&2
  exit 2
fi
folder="$1"
target_url="$2"
target_media="$3"

for name in database.dump private-media.tar.gz SHA256SUMS; do
  if [ ! -f "$folder/$name" ]; then
    echo "$folder/$name is missing: is this a folder made by backup.sh?" >&2
    exit 1
  fi
done
(cd "$folder" && sha256sum --check --quiet SHA256SUMS) || {
  echo "The backup's checksums do not match: it is damaged or incomplete. Nothing restored." >&2
  exit 1
}

tables="$(psql "$target_url" -tAq -c \
  "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
if [ "$tables" != "0" ]; then
  echo "The target database already has $tables tables. Restore into an empty database." >&2
  exit 1
fi
if [ -d "$target_media" ] && [ -n "$(ls -A "$target_media")" ]; then
  echo "$target_media is not empty. Restore into an empty folder." >&2
  exit 1
fi

# All or nothing: one transaction, stopping at the first error. Rows are loaded before the
# ledger's and the audit trail's append-only triggers are created, so those come back too.
pg_restore --exit-on-error --single-transaction --no-owner --no-privileges \
  --dbname="$target_url" "$folder/database.dump"

mkdir -p "$target_media"
tar -C "$target_media" -xzf "$folder/private-media.tar.gz"
echo "Restored $folder into the database and $target_media."
