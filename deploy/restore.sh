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
#
# Every session ends in the restored database: the dump rolled back the users' token
# generations and the refresh-token blacklist, so tokens revoked after the dump would work
# again. Each generation jumps to the clock in milliseconds (or one up, if higher), above any
# generation a token can carry: `manage.py end_all_sessions` does the same (accounts/sessions.py
# says why adding one is not enough). Everyone signs in again after the switch.
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

generations="$(psql --no-password --dbname="$target" --tuples-only --no-align --command="
  SELECT count(*) FROM information_schema.columns
  WHERE table_schema = 'public' AND table_name = 'users' AND column_name = 'token_generation'")"
if [ "$generations" != "1" ]; then
  echo "this dump predates token generations: after the switch run 'manage migrate'," \
    "then 'manage end_all_sessions' (deploy/README.md, \"Backups and restore\")" >&2
  exit 0
fi
# bigint first, as migration accounts 0004 makes it (a no-op for a newer dump).
ended="$(psql --no-password --dbname="$target" --tuples-only --no-align --quiet \
  --set=ON_ERROR_STOP=1 --single-transaction \
  --command="ALTER TABLE users ALTER COLUMN token_generation TYPE bigint" \
  --command="WITH ended AS (
      UPDATE users SET token_generation = GREATEST(
        token_generation + 1, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
      RETURNING 1)
    SELECT count(*) FROM ended")" || {
  echo "ending the sessions in $target failed: do not switch to it before" \
    "'manage end_all_sessions' has run against it" >&2
  exit 1
}
echo "ended every session of $ended user(s) in $target; everyone signs in again after the switch"
