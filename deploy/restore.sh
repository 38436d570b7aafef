#!/bin/sh
# Restores a backup made by deploy/backup.sh into an EMPTY database.
# Usage: deploy/restore.sh FILE.dump TARGET_DATABASE_URL
# The append-only triggers of the ledger come back with the schema, after the rows.
set -eu
dump=${1:?dump file}
target=${2:?target database URL}
pg_restore --no-owner --exit-on-error --dbname="$target" "$dump"
