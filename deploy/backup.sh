#!/bin/sh
# Backs up PBI Pemda: the PostgreSQL database (custom format, for pg_restore) and the uploaded
# and generated files. Usage: deploy/backup.sh DIRECTORY   (DATABASE_URL and MEDIA_ROOT from
# the environment, as the app reads them).
set -eu
# The backup holds every NIK, session and TOTP secret: only its owner may read it (UU 27/2022
# Pasal 35, security of personal data).
umask 077
target=${1:?backup directory}
media=${MEDIA_ROOT:?MEDIA_ROOT is not set: the attachments would be missing from the backup}
if [ ! -d "$media" ]; then
  echo "MEDIA_ROOT $media is not a directory: the attachments would be missing from the backup" >&2
  exit 1
fi
stamp=$(date +%Y-%m-%d-%H%M)
mkdir -p "$target"
chmod 700 "$target"
dump="$target/pbipemda-$stamp.dump"
archive="$target/pbipemda-media-$stamp.tar.gz"
# Written under a temporary name and renamed when complete: a failed run leaves no file that
# looks like a backup.
trap 'rm -f "$dump.partial" "$archive.partial"' EXIT
pg_dump --format=custom --no-owner --file="$dump.partial" "$DATABASE_URL"
tar -czf "$archive.partial" -C "$media" .
mv "$dump.partial" "$dump"
mv "$archive.partial" "$archive"
echo "$dump"
