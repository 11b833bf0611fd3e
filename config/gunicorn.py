"""gunicorn's configuration for the HTTP role: `gunicorn -c config/gunicorn.py
config.wsgi:application`, run by bin/http-server (the one place that names the HTTP server).

Sync workers, as Zulip serves its Django API: one request at a time per process, so a request
never waits on another's Python code, a persistent database connection per worker is reused by
every request (config/settings.py), and throughput scales with WEB_CONCURRENCY. Slow clients are
Traefik's problem: it buffers requests and responses in front of us.
"""

import os

_host = os.environ.get("HOST", "127.0.0.1")  # 0.0.0.0 in containers, set by the image
_port = os.environ.get("PORT", "8000")
bind = [f"[{_host}]:{_port}" if ":" in _host else f"{_host}:{_port}"]

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"

# SIGTERM: workers finish the request in hand, then exit. 8 s fits inside Docker's default 10 s
# stop grace period, so a deploy never SIGKILLs a worker in the middle of a transaction.
graceful_timeout = 8
# A worker silent this long (a request stuck on a lock or the network) is killed and replaced.
# Long enough for an assistant turn served here (`make serve`); in production Traefik sends
# those to the ws role (Daphne), see deploy/stack.yml.
timeout = 120
# Ignored by sync workers (they close each connection after its response); kept for a switch
# to threaded workers, where it is how long an idle keep-alive connection is held.
keepalive = 5

# Requests are logged by Traefik in front; errors still go to stderr.
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "") in ("1", "true", "yes") else None

# Workers heartbeat by touching a file; on a container's overlay filesystem that write can stall
# long enough for the arbiter to think the worker hung. /dev/shm is memory.
# gunicorn's docs recommend it; only the heartbeat files (unlinked at once) live there.
_SHM = "/dev/shm"  # noqa: S108
if os.path.isdir(_SHM):
    worker_tmp_dir = _SHM

# Each worker imports the app after the fork: no database connection, Redis client or thread
# (config/realtime.py) is ever shared between processes, and code reloads per worker.
preload_app = False

# gunicorn >= 25.1 opens a control socket in $XDG_RUNTIME_DIR or ~/.gunicorn: unwritable for the
# image's user, and shared by every gunicorn of one user on a machine (tests start several).
control_socket_disable = True
