#!/bin/sh
# Roles (the first argument; the image's default is `http`):
#   http     plain HTTP: gunicorn sync WSGI workers (WEB_CONCURRENCY, default 2) on HOST:PORT
#   ws       websockets (/ws/): Daphne on HOST:PORT, pinging every socket
#   migrate  apply migrations and exit; run once before an update (deploy/README.md)
#   anything else is executed as given, e.g. `python manage.py createsuperuser`.
# http and ws never migrate on start: several replicas starting together would race.
set -eu

role="${1:-http}"

# Bounded wait for PostgreSQL (about 60 s). The probe's output is discarded: an error could
# carry connection details, and nothing here ever prints a secret.
wait_for_database() {
  tries=0
  until python manage.py shell -c "from django.db import connection; connection.ensure_connection()" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 30 ]; then
      echo "database not reachable after 60s" >&2
      exit 1
    fi
    sleep 2
  done
}

case "$role" in
  # The servers are started by the same scripts `make serve` runs (bin/), so the image and a
  # checkout serve the same way; the image sets HOST=0.0.0.0 and PORT=8000 for both.
  http)
    wait_for_database
    # gunicorn -c config/gunicorn.py config.wsgi:application: WEB_CONCURRENCY sync workers.
    exec bin/http-server
    ;;
  ws)
    wait_for_database
    # daphne config.asgi:application, pinging idle sockets (DAPHNE_PING_INTERVAL/_TIMEOUT),
    # with a bounded thread pool (ASGI_THREADS), no idle cut, and a 24 h cap on a socket's
    # whole life (DAPHNE_WEBSOCKET_TIMEOUT; the Redis layer's group expiry).
    exec bin/ws-server
    ;;
  migrate)
    wait_for_database
    exec python manage.py migrate --noinput
    ;;
  backend)
    # Removed role: fail loudly rather than exec a command that does not exist.
    echo "the 'backend' role was removed: use 'http' (gunicorn) and 'ws' (Daphne), and run" \
      "'migrate' once before an update (deploy/README.md)" >&2
    exit 64
    ;;
  *)
    exec "$@"
    ;;
esac
