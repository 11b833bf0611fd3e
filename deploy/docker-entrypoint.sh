#!/bin/sh
# Roles (the first argument; the image's default is `http`):
#   http       plain HTTP: granian WSGI workers on HOST:PORT (WEB_CONCURRENCY: bin/http-server's
#              default is 3; the stack sets 1 per task and runs 3 tasks)
#   ws         websockets (/ws/) and the assistant's REST turns: Daphne on HOST:PORT
#   worker     background jobs: `manage.py db_worker` (django-tasks-db), one job at a time
#   scheduler  periodic jobs: `manage.py crontask` (django-crontask); run exactly one
#   (both through `python -m config.metrics.role`: their metrics endpoint and heartbeat)
#   migrate    apply migrations and exit; run once before an update (deploy/README.md)
#   manage     any manage.py command: `manage createsuperuser`, `manage shell`, ...
#   anything else is executed as given, e.g. `python -c ...` or `sh`.
# http and ws never migrate on start: several replicas starting together would race.
#
# Secrets: every file in SECRETS_DIR (default /run/secrets, where Swarm mounts them) that the
# app knows is passed to it as <NAME>_FILE (config/env.py reads the file), so no secret value
# is ever in the environment, in `docker inspect`, or in anything this script prints.
set -eu

role="${1:-http}"
[ "$#" -gt 0 ] && shift

secrets_dir="${SECRETS_DIR:-/run/secrets}"

# <file in secrets_dir>:<variable the settings read>. A variable already set (NAME or
# NAME_FILE) wins: the operator said so explicitly. expo_access_token is optional (push
# notifications, only for Expo projects with enhanced push security); the others are in
# stack.yml. redis_password: the password of the stack's Redis (requirepass), which every
# Redis client of the app sends (config/settings.py). email_password: the SMTP password of
# EMAIL_URL's server (the mails: password reset, email confirmation).
for pair in \
  db_password:DATABASE_PASSWORD \
  django_secret_key:DJANGO_SECRET_KEY \
  jwt_secret:JWT_SIGNING_KEY \
  openai_api_key:OPENAI_API_KEY \
  deepgram_api_key:DEEPGRAM_API_KEY \
  expo_access_token:EXPO_ACCESS_TOKEN \
  email_password:EMAIL_PASSWORD \
  redis_password:REDIS_PASSWORD; do
  file="$secrets_dir/${pair%%:*}"
  name="${pair#*:}"
  if [ -f "$file" ] && [ -z "$(printenv "$name" || true)" ] \
    && [ -z "$(printenv "${name}_FILE" || true)" ]; then
    export "${name}_FILE=$file"
  fi
done

# Every log line names the role it comes from (`role` in the JSON lines; config/observability).
# A command run as given (`sh`, `python -c ...`) is left without one: the app calls it manage.
case "$role" in
  http | ws | worker | scheduler | migrate | manage) export APP_ROLE="$role" ;;
esac

# Bounded wait for PostgreSQL (DB_WAIT_SECONDS, default 60), with a probe much lighter than a
# Django start: the settings module and one psycopg connection. Settings that cannot load
# (a missing secret, say) stop the container at once with the settings' own message, which
# names the variable and never its value; connection errors are not printed at all (they
# could carry connection details).
db_probe='
import sys
def fail(exc):
    name = type(exc).__name__
    detail = str(exc) if name == "ImproperlyConfigured" else name
    print(f"configuration error: {detail}", file=sys.stderr)
    sys.exit(2)
try:
    from config import settings
    import psycopg
except Exception as exc:
    fail(exc)
db = settings.DATABASES["default"]
if not db["ENGINE"].endswith("postgresql"):
    sys.exit(0)
try:
    psycopg.connect(
        host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
        password=db.get("PASSWORD") or None, dbname=db["NAME"], connect_timeout=5,
        sslmode=db.get("OPTIONS", {}).get("sslmode", "prefer"),
    ).close()
except psycopg.Error:
    sys.exit(1)
except Exception as exc:
    fail(exc)
'
wait_for_database() {
  deadline=$(($(date +%s) + ${DB_WAIT_SECONDS:-60}))
  while true; do
    status=0
    python -c "$db_probe" >/dev/null || status=$?
    case "$status" in
      0) return 0 ;;
      1) ;;
      *) exit 78 ;;  # EX_CONFIG: waiting will not fix the settings
    esac
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "database not reachable after ${DB_WAIT_SECONDS:-60}s" >&2
      exit 1
    fi
    sleep 2
  done
}

# The background roles start with the stack, before `migrate` has run on a first deploy (and
# an update's new worker may start a moment before its migration is applied): polling tables
# that do not exist yet filled their logs with tracebacks. They wait, up to
# MIGRATIONS_WAIT_SECONDS (default 600, a line every 30 s), for every migration to be applied;
# past that they exit non-zero and Swarm starts them again. http and ws do not wait: /health
# must answer while the operator runs the migrate job.
wait_for_migrations() {
  deadline=$(($(date +%s) + ${MIGRATIONS_WAIT_SECONDS:-600}))
  said=0
  # `migrate --check` exits 1 for unapplied migrations and for anything else that stops it (a
  # broken migration, a permission error): its last lines are printed at the deadline, so the
  # real cause is not hidden behind "waiting".
  while ! check_output=$(python manage.py migrate --check 2>&1); do
    now=$(date +%s)
    if [ "$now" -ge "$said" ]; then
      echo "waiting for the migrate job: unapplied migrations" >&2
      said=$((now + 30))
    fi
    if [ "$now" -ge "$deadline" ]; then
      echo "migrations still not applied after ${MIGRATIONS_WAIT_SECONDS:-600}s;" \
        "manage.py migrate --check said:" >&2
      printf '%s\n' "$check_output" | tail -n 5 >&2
      exit 1
    fi
    sleep 5
  done
}

case "$role" in
  # The servers are started by the same scripts `make serve` runs (bin/), so the image and a
  # checkout serve the same way; the image sets HOST=0.0.0.0 and PORT=8000 for both.
  http)
    wait_for_database
    # granian config.wsgi:application: WEB_CONCURRENCY workers, one request at a time each.
    exec bin/http-server
    ;;
  ws)
    wait_for_database
    # daphne config.asgi:application, pinging idle sockets (DAPHNE_PING_INTERVAL/_TIMEOUT),
    # with a bounded thread pool (ASGI_THREADS), no idle cut, and a 24 h cap on a socket's
    # whole life (DAPHNE_WEBSOCKET_TIMEOUT; the Redis layer's group expiry).
    exec bin/ws-server
    ;;
  worker)
    wait_for_database
    wait_for_migrations
    # Every queue unless WORKER_QUEUES names some ("default,summaries"). On SIGTERM the job in
    # hand is finished first (the stack's stop_grace_period gives it time); a second signal
    # (or SIGKILL, or running out of memory) abandons it, left RUNNING until the periodic
    # fail_lost_jobs marks it FAILED after TASKS_LOST_AFTER_MINUTES (docs/summaries.md).
    # config.metrics.role runs `manage.py db_worker …` with the role's metrics endpoint
    # (METRICS_PORT) and its heartbeat, which the stack's health check reads.
    exec python -m config.metrics.role worker db_worker --queue-name "${WORKER_QUEUES:-*}" \
      --interval "${WORKER_INTERVAL:-1}" "$@"
    ;;
  scheduler)
    wait_for_database
    wait_for_migrations
    # Enqueues the periodic jobs at their times; the worker runs them. With REDIS_URL set it
    # holds a Redis lock, so a second scheduler waits and exits instead of firing jobs twice.
    # As the worker: `manage.py crontask` with its metrics endpoint and heartbeat.
    exec python -m config.metrics.role scheduler crontask "$@"
    ;;
  migrate)
    wait_for_database
    exec python manage.py migrate --noinput "$@"
    ;;
  manage)
    wait_for_database
    exec python manage.py "$@"
    ;;
  backend)
    # Removed role: fail loudly rather than exec a command that does not exist.
    echo "the 'backend' role was removed: use 'http' (granian) and 'ws' (Daphne), and run" \
      "'migrate' once before an update (deploy/README.md)" >&2
    exit 64
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
