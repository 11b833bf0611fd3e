#!/bin/sh
# The official postgres image's start-up, the part the stack uses: on an empty PGDATA, initdb
# with POSTGRES_USER and the password from POSTGRES_PASSWORD_FILE, create POSTGRES_DB, accept
# password (scram) connections from the network; then run the server as `postgres`.
set -eu
if [ "${1:-}" != "postgres" ]; then
  exec "$@"
fi
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
chown postgres:postgres "$PGDATA"
chmod 0700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  user="${POSTGRES_USER:-postgres}"
  as_postgres initdb --username="$user" --pwfile="$POSTGRES_PASSWORD_FILE" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 >/dev/null
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != "postgres" ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$user\";" \
      | as_postgres postgres --single -D "$PGDATA" -j postgres >/dev/null
  fi
  echo "initialised $PGDATA for $user"
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups "$@"
