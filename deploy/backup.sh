#!/bin/sh
# PostgreSQL backups: a pg_dump custom-format file per run, named with the UTC date and time,
# kept BACKUP_KEEP_DAYS days. deploy/README.md ("Backups and restore") explains the whole story.
#
#   backup.sh           one backup now, then delete the files older than BACKUP_KEEP_DAYS
#   backup.sh --daily   forever: one backup now if the newest is more than a day old, then one
#                       every day at BACKUP_AT (UTC); what the stack's `backup` service runs
#
# Connection: libpq's own variables (PGHOST, PGPORT, PGUSER, PGDATABASE), and the password from
# PGPASSWORD_FILE (a Swarm secret) or PGPASSWORD; the password is never printed.
# Settings: BACKUP_DIR (default /backups), BACKUP_KEEP_DAYS (default 14), BACKUP_AT (HH:MM
# UTC, default 03:30), BACKUP_PREFIX (default "agente").
set -eu

backup_dir="${BACKUP_DIR:-/backups}"
keep_days="${BACKUP_KEEP_DAYS:-14}"
prefix="${BACKUP_PREFIX:-agente}"
backup_at="${BACKUP_AT:-03:30}"

log() {
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) backup: $*"
}

case "$keep_days" in
  '' | *[!0-9]*)
    echo "BACKUP_KEEP_DAYS must be a whole number of days, got '$keep_days'" >&2
    exit 64
    ;;
esac
if [ "$keep_days" -lt 1 ]; then
  echo "BACKUP_KEEP_DAYS must be at least 1 (the newest backup is never deleted)" >&2
  exit 64
fi

if [ -n "${PGPASSWORD_FILE:-}" ]; then
  PGPASSWORD="$(cat "$PGPASSWORD_FILE")"
  export PGPASSWORD
fi

backup_once() {
  mkdir -p "$backup_dir"
  stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
  final="$backup_dir/$prefix-$stamp.dump"
  partial="$final.partial"
  # Only the owner may read a dump: it holds every user's data and password hash.
  umask 077
  # Written under another name and renamed when complete and readable, so an interrupted
  # dump is never taken for a backup (and never counts as the newest one).
  if ! pg_dump --format=custom --no-password --file="$partial"; then
    rm -f "$partial"
    log "FAILED: pg_dump of ${PGDATABASE:-the database} exited with an error"
    return 1
  fi
  if ! pg_restore --list "$partial" >/dev/null; then
    rm -f "$partial"
    log "FAILED: the dump of ${PGDATABASE:-the database} is not a readable archive"
    return 1
  fi
  mv "$partial" "$final"
  log "wrote $final ($(wc -c <"$final" | tr -d ' ') bytes)"
  # Retention runs only after a good dump: a failing night never eats into the old backups.
  # Leftover .partial files from a killed run go too.
  find "$backup_dir" -maxdepth 1 -type f \
    \( -name "$prefix-*.dump" -o -name "$prefix-*.dump.partial" \) \
    -mmin +"$((keep_days * 1440))" -print -delete | while read -r old; do
    log "deleted $old (older than $keep_days days)"
  done
}

# Seconds from now until the next BACKUP_AT (UTC), today or tomorrow.
seconds_until_next_run() {
  now="$(date -u +%s)"
  next="$(date -u -d "today $backup_at" +%s)"
  if [ "$next" -le "$now" ]; then
    next="$(date -u -d "tomorrow $backup_at" +%s)"
  fi
  echo $((next - now))
}

if [ "${1:-}" = "--daily" ]; then
  # Validate BACKUP_AT once, before the first sleep, so a typo fails the service at once.
  if ! date -u -d "today $backup_at" +%s >/dev/null 2>&1; then
    echo "BACKUP_AT must be HH:MM (UTC), got '$backup_at'" >&2
    exit 64
  fi
  # As PID 1 of a container the shell ignores SIGTERM unless it traps it: `docker stop` ends
  # the wait at once instead of after the stop grace period. A dump in progress finishes first.
  sleeper=""
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM INT
  pause() {
    sleep "$1" &
    sleeper=$!
    wait "$sleeper" || true
  }
  # A fresh node, or one that was down at BACKUP_AT, gets a backup now rather than tomorrow;
  # at a first deploy PostgreSQL may still be starting, hence a few tries a minute apart.
  if [ -z "$(find "$backup_dir" -maxdepth 1 -name "$prefix-*.dump" -mmin -1440 2>/dev/null)" ]; then
    tries=0
    until backup_once; do
      tries=$((tries + 1))
      if [ "$tries" -ge 10 ]; then
        log "giving up until $backup_at UTC"
        break
      fi
      pause 60
    done
  fi
  while true; do
    wait_seconds="$(seconds_until_next_run)"
    log "next backup at $backup_at UTC (in ${wait_seconds}s)"
    pause "$wait_seconds"
    backup_once || log "will retry at $backup_at UTC tomorrow"
  done
elif [ "$#" -gt 0 ]; then
  echo "usage: backup.sh [--daily]" >&2
  exit 64
else
  backup_once
fi
