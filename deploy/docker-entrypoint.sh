#!/bin/sh
# Roles: backend (default) serves HTTP and websockets through Daphne; migrate runs migrations
# and exits; anything else is executed as given (e.g. `python manage.py createsuperuser`).
set -eu

role="${1:-backend}"

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
  backend)
    wait_for_database
    if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
      python manage.py migrate --noinput
    fi
    # Daphne pings every socket (ping-interval) so idle chat sockets stay open through Traefik.
    exec daphne --bind 0.0.0.0 --port 8000 \
      --ping-interval "${DAPHNE_PING_INTERVAL:-20}" --ping-timeout "${DAPHNE_PING_TIMEOUT:-30}" \
      --application-close-timeout 30 \
      config.asgi:application
    ;;
  migrate)
    wait_for_database
    exec python manage.py migrate --noinput
    ;;
  *)
    exec "$@"
    ;;
esac
