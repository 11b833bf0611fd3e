"""Where a request's CPU time goes, per operation of the anchor's mix (issue 21).

    make bench-profile                      # or: .venv/bin/python bench/where_time_goes.py
    .venv/bin/python bench/where_time_goes.py --calls 500 --ops list_goals,post_progress

Seeds the mix's 50 users like `make bench` does (bench/http_bench.py), then sends each
operation's request, as mix.lua makes it for one user, through the WSGI application the http
role serves (config/wsgi.py: every middleware, DRF, the real PostgreSQL and Redis), `--calls`
times under cProfile counting CPU time (time.process_time, so a busy machine changes the
figures less than it changes wall time), with the live-update publisher thread kept out of
it and measured on its own. Each row splits the operation's CPU per request into
the parts the issue names. They are cumulative times of the functions that do that part, so
`SQL` (executing statements: psycopg and the server's answer) overlaps the parts that run
statements; `other threads` is the CPU the process's other threads spent meanwhile (the
live-update publisher's sends to Redis), per request. cProfile adds its own cost to every
Python call: compare parts and operations with each other, not with wall-clock figures of
`make bench`.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import benchlib
import http_bench

# (label, [(file suffix, function name), ...]): the part's time is the sum of these functions'
# cumulative times.
PARTS = [
    ("total", [("django/core/handlers/wsgi.py", "__call__")]),
    ("DRF dispatch", [("rest_framework/views.py", "dispatch")]),
    ("auth + user row", [("accounts/authentication.py", "authenticate")]),
    ("throttle", [("rest_framework/views.py", "check_throttles")]),
    ("validation", [("config/viewsets.py", "validated")]),
    ("render", [("rest_framework/response.py", "rendered_content")]),
    ("SQL", [("django/db/backends/utils.py", "execute"), ("config/sql.py", "rows")]),
    (
        "transaction",
        [("django/db/transaction.py", "__enter__"), ("django/db/transaction.py", "__exit__")],
    ),
    ("publish (request)", [("config/realtime.py", "publish")]),
]


def _cumulative(stats: pstats.Stats, wanted: list[tuple[str, str]]) -> float:
    total = 0.0
    for (path, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        if any(path.endswith(suffix) and name == function for suffix, function in wanted):
            total += cumulative
    return total


def _environ(method: str, path: str, token: str, body: dict | None) -> dict:
    data = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if data:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(data))
    return environ


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="profiled calls per operation")
    parser.add_argument("--ops", help="comma-separated operations (default: all ten)")
    args = parser.parse_args()

    database = benchlib.database_name("_profile")
    env = benchlib.base_env(
        database, "bench-profile", DATABASE_CONN_MAX_AGE="600", APP_SERVER="wsgi"
    )
    benchlib.log(f"database {database}: reset, migrate, seed the mix's users")
    benchlib.reset_database(database)
    benchlib.setup_django(env)
    users = http_bench.create_mix_users()
    tokens = {u.pk: benchlib.access_token(u) for u in users}
    tmp = Path(tempfile.mkdtemp(prefix="agente-bench-profile-"))
    user = http_bench.seed_mix(users, tokens, tmp / "mix-data.txt")[0]

    from config import realtime
    from config.realtime import flush
    from config.wsgi import application

    def send(method: str, path: str, body: dict | None) -> str:
        status = []
        out = application(
            _environ(method, path, user.token, body), lambda s, h, e=None: status.append(s)
        )
        b"".join(out)
        out.close()
        return status[0]

    ops = http_bench.mix_requests(user)
    wanted = args.ops.split(",") if args.ops else list(ops)
    rows = []
    for name in wanted:
        make = ops[name]
        for _ in range(20):  # warm: imports, prepared statements, a running timer to switch
            status = send(*make())
            if not status.startswith("2"):
                sys.exit(f"{name}: {status}")
        flush(5)
        # Unprofiled first: the CPU of the process's other threads per request (the live-update
        # publisher's sends to Redis).
        process_started, thread_started = time.process_time(), time.thread_time()
        for _ in range(args.calls):
            send(*make())
        flush(5)
        others = (time.process_time() - process_started) - (time.thread_time() - thread_started)
        # Then profiled, with the hand-over to the publisher thread left out: cProfile sees
        # every thread and its clock is the process's, so that thread's sends would be charged
        # to whatever the request's thread was doing.
        profile = cProfile.Profile(time.process_time)
        with mock.patch.object(realtime, "_send", lambda *args, **kwargs: None):
            profile.enable()
            for _ in range(args.calls):
                send(*make())
            profile.disable()
        stats = pstats.Stats(profile)
        per_call = {
            label: _cumulative(stats, functions) * 1000 / args.calls for label, functions in PARTS
        }
        per_call["middleware + handler"] = per_call["total"] - per_call["DRF dispatch"]
        per_call["other threads"] = others * 1000 / args.calls
        rows.append([name, *(f"{per_call[label]:.2f}" for label in COLUMNS)])
        benchlib.log(f"{name}: {per_call['total']:.2f} ms of CPU per request (profiled)")

    report = [
        f"# Where a request's CPU goes ({args.calls} profiled calls per operation)\n",
        benchlib.markdown_table(["operation", *COLUMNS], rows),
        "\nms of CPU per request under cProfile (time.process_time): `total` is the WSGI call; "
        "`middleware + handler` is total minus DRF's dispatch; the other parts are inside "
        "`DRF dispatch`, and `SQL` overlaps the parts that run statements. `other threads` "
        "is the CPU of the process's other threads meanwhile (the live-update publisher), "
        "without cProfile's cost.",
    ]
    benchlib.write_report("agente-bench-profile", "\n".join(report) + "\n", logs=tmp)
    return 0


COLUMNS = [
    "total",
    "middleware + handler",
    "DRF dispatch",
    "auth + user row",
    "throttle",
    "validation",
    "render",
    "SQL",
    "transaction",
    "publish (request)",
    "other threads",
]


if __name__ == "__main__":
    raise SystemExit(main())
