#!/bin/sh
# Backs up PBI Pemda: the PostgreSQL database (custom format, for pg_restore) and the uploaded
# and generated files. Usage: deploy/backup.sh DIRECTORY   (DATABASE_URL and MEDIA_ROOT from
# the environment, as the app reads them).
set -eu
target=${1:?backup directory}
stamp=$(date +%Y-%m-%d-%H%M)
mkdir -p "$target"
pg_dump --format=custom --no-owner --file="$target/pbipemda-$stamp.dump" "$DATABASE_URL"
if [ -d "${MEDIA_ROOT:-media}" ]; then
  tar -czf "$target/pbipemda-media-$stamp.tar.gz" -C "${MEDIA_ROOT:-media}" .
fi
echo "$target/pbipemda-$stamp.dump"
