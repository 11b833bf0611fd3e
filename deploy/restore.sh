#!/bin/sh
# Restore a dump made by backup.sh into a NEW database, never over the live one:
#
#   restore.sh <file.dump> <new database name>
#
# The database must not exist yet; it is created, filled in one transaction (an error leaves
# it empty and the script fails), and left beside the live one. Switching the app to it is a
# separate, deliberate step (deploy/README.md, "Backups and restore": stop the app roles,
# rename the databases, start them again).
#
# Connection: libpq's variables (PGHOST, PGPORT, PGUSER) and the password from PGPASSWORD_FILE
# or PGPASSWORD, as for backup.sh; the password is never printed.
set -eu

if [ "$#" -ne 2 ]; then
  echo "usage: restore.sh <file.dump> <new database name>" >&2
  exit 64
fi
dump="$1"
target="$2"

case "$target" in
  '' | *[!A-Za-z0-9_]*)
    echo "the database name may hold only letters, digits and underscores, got '$target'" >&2
    exit 64
    ;;
esac
if [ ! -r "$dump" ]; then
  echo "cannot read $dump" >&2
  exit 66
fi
if [ -n "${PGPASSWORD_FILE:-}" ]; then
  PGPASSWORD="$(cat "$PGPASSWORD_FILE")"
  export PGPASSWORD
fi

# A damaged or foreign file is refused before anything is created.
if ! pg_restore --list "$dump" >/dev/null; then
  echo "$dump is not a pg_dump custom-format archive" >&2
  exit 65
fi

exists="$(psql --no-password --dbname=postgres --tuples-only --no-align \
  --command="SELECT 1 FROM pg_database WHERE datname = '$target'")"
if [ "$exists" = "1" ]; then
  echo "database $target already exists; restore.sh never writes over a database" >&2
  exit 73
fi

createdb --no-password "$target"
# Objects belong to the restoring role (the stack's `agente`), whoever owned them before.
if ! pg_restore --no-password --dbname="$target" --no-owner --no-privileges \
  --single-transaction --exit-on-error "$dump"; then
  echo "restore failed; $target was left empty (drop it with: dropdb $target)" >&2
  exit 1
fi

tables="$(psql --no-password --dbname="$target" --tuples-only --no-align \
  --command="SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
echo "restored $dump into $target ($tables tables)"
