"""HTTP benchmark: the API under several servers, side by side with the Fastify anchor.

    make bench                                   # or: .venv/bin/python bench/http_bench.py
    make bench-smoke                             # 1 s, 2 connections, the production variant
    .venv/bin/python bench/http_bench.py --variants gunicorn-sync-2,uvicorn-2 --duration 5
    .venv/bin/python bench/http_bench.py --variants production --scenarios mix --op-duration 3
    .venv/bin/python bench/http_bench.py --list-variants

Resets its own PostgreSQL database (agente_bench, or BENCH_DATABASE), migrates it and seeds it like
the anchor: one user with 200 tasks (one category, estimated 30 minutes each) and 100 users with 50
tasks each. Then, per server variant: starts it on a free loopback port with the same environment,
waits for /health, warms it up, runs wrk (--latency) per scenario and stops it. The anchor
(../shared/anchors/fastify/bench.sh) runs in the same run, once per connection level, and every
list/switch/mix row shows its ratio to it. SQL queries per request are counted in this process with
Django's test client against the same database. Output: one markdown report, printed and written
under /tmp. Only 127.0.0.1 is ever contacted.

The scenario `mix` (in the default set; `--scenarios mix` for it alone) is the anchor's mixed
workload, a mobile client's day: the anchor's own mix.lua (../shared/anchors/fastify/mix.lua;
bench/mix.lua is a copy used only when that folder is missing) drives 50 users with the same
requests on both servers. Before each variant's mix the 50 mix users are seeded afresh to the
shape of the anchor's `mix_seed()` (1 category, 50 tasks 1 s apart with their `created` events,
3 goals with 20 progress entries, 30 check-ins; no timer running) and the database is vacuumed
and analyzed; then a 2 s warm-up with the same script, the running timers read back
(MIX_RUNNING), and the measured run, `wrk -t16 -c16 --latency` with MIX_THREADS=16. The anchor
runs `bench.sh mix <--anchor-workers> 16` in the same run. Each operation is then also run alone for
--op-duration seconds (mix.lua with bench/mix_only.lua appended, MIX_ONLY=<operation>, same data
and threads), and counted in-process (queries, median time) with the mix's own requests.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import benchlib
from benchlib import BIN, ROOT, Server

DATABASE = benchlib.database_name()
PREFIX = "bench-http"
BENCH_DIR = Path(__file__).resolve().parent
ANCHOR_DIR = ROOT.parent / "shared" / "anchors" / "fastify"
ANCHOR = ANCHOR_DIR / "bench.sh"
WARMUP_SECONDS = 2
# The mix: the anchor's users and threads (its README: one connection per wrk thread).
MIX_USERS = 50
MIX_THREADS = 16


# -- server variants ---------------------------------------------------------------------------
@dataclass
class Variant:
    name: str
    argv: list[str]  # {port}, {wsgi} and {asgi} are filled in
    default: bool
    note: str
    env: dict[str, str] = field(default_factory=dict)


def _gunicorn(*extra: str) -> list[str]:
    return [str(BIN / "gunicorn"), *extra, "-b", "127.0.0.1:{port}", "--log-level", "warning"]


def _granian(*, workers: int, threads: int) -> list[str]:
    return [
        str(BIN / "granian"),
        *("--interface", "wsgi", "--workers", str(workers), "--blocking-threads", str(threads)),
        *("--host", "127.0.0.1", "--port", "{port}", "--log-level", "warning", "{wsgi}"),
    ]


# Every variant also gets DATABASE_CONN_MAX_AGE=600 (see COMMON_ENV): persistent connections.
VARIANTS = [
    # What production runs: the image's `http` role and `make serve` start bin/http-server, the
    # one place that names the HTTP server and its options; 3 workers for a 2-core VPS.
    Variant(
        "production",
        [str(benchlib.ROOT / "bin" / "http-server")],
        True,
        "bin/http-server, as the image's http role runs it: 3 workers, as the stack's 3 http tasks",
        {
            "HOST": "127.0.0.1",
            "PORT": "{port}",
            "WEB_CONCURRENCY": "3",
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        },
    ),
    Variant("gunicorn-sync-2", [*_gunicorn("-w", "2"), "{wsgi}"], True, "WSGI, 2 sync workers"),
    Variant("gunicorn-sync-3", [*_gunicorn("-w", "3"), "{wsgi}"], False, "WSGI, 3 sync workers"),
    # Measured on 2 December and lost to gunicorn-sync-2 on this 2-core machine: optional.
    Variant("gunicorn-sync-4", [*_gunicorn("-w", "4"), "{wsgi}"], False, "WSGI, 4 sync workers"),
    Variant(
        "gunicorn-gthread-2x4",
        [*_gunicorn("-k", "gthread", "-w", "2", "--threads", "4"), "{wsgi}"],
        False,
        "WSGI, 2 workers x 4 threads",
    ),
    # granian's default is hundreds of blocking threads per worker, each keeping its own
    # database connection (CONN_MAX_AGE): PostgreSQL ran out of connections. 4, as gthread;
    # or 1, one request at a time per worker as gunicorn sync.
    Variant(
        "granian-wsgi-2",
        _granian(workers=2, threads=4),
        True,
        "WSGI, 2 granian workers x 4 blocking threads",
    ),
    # production's server and flags with 2 workers instead of 3: the worker count, measured.
    Variant(
        "granian-wsgi-2x1",
        _granian(workers=2, threads=1),
        True,
        "WSGI, 2 granian workers x 1 blocking thread (one request at a time, as gunicorn sync)",
    ),
    Variant(
        "uvicorn-2",
        [
            str(BIN / "uvicorn"),
            "{asgi}",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        True,
        "ASGI, 2 uvicorn workers",
    ),
    Variant(
        "daphne-1",
        [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", "{port}", "-v", "0", "{asgi}"],
        True,
        "ASGI, one Daphne process (the old way)",
    ),
]
COMMON_ENV = {"DATABASE_CONN_MAX_AGE": "600"}


# -- scenarios ---------------------------------------------------------------------------------
@dataclass
class Scenario:
    name: str
    label: str
    anchor: str | None  # the anchor line it is compared with
    every_level: bool  # run at every connection level (else the first only)
    only_level: int | None = None  # run at this level only (the spread-over-users switch)


SCENARIOS = [
    Scenario("list", "GET /api/v1/tasks (200 tasks, page of 20)", "list", True),
    Scenario("detail", "GET /api/v1/tasks/{id}", None, False),
    Scenario("switch", "POST /tasks/{id}/start, alternating, 1 user", "switch", True),
    Scenario("switch-users", "POST /tasks/{id}/start, 100 users in turn", None, False, 64),
    Scenario("me", "GET /api/v1/auth/me", None, False),
    Scenario("health", "GET /health", None, False),
    Scenario(
        "mix", "a mobile client's day: mix.lua, 50 users, 16 threads x 1 connection", "mix", False
    ),
]


@dataclass
class Seed:
    token: str
    task_ids: list[str]
    users_file: Path
    user_id: str


@dataclass
class WrkResult:
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    requests: int = 0
    non2xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    failed: str | None = None

    @property
    def errors(self) -> str:
        if self.failed:
            return self.failed
        parts = [f"{self.non2xx} non-2xx"] if self.non2xx else []
        parts += [f"{n} {kind}" for kind, n in self.socket_errors.items() if n]
        return ", ".join(parts) or "0"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    result = WrkResult()
    for line in output.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "Requests/sec:":
            result.rps = float(words[1])
        elif words[0] == "50%":
            result.p50_ms = _ms(words[1])
        elif words[0] == "99%":
            result.p99_ms = _ms(words[1])
        elif len(words) > 2 and words[1] == "requests" and words[2] == "in":
            result.requests = int(words[0])
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            result.non2xx = int(words[-1])
        elif words[0] == "Socket" and words[1] == "errors:":
            for kind, count in re.findall(r"(\w+) (\d+)", line.split(":", 1)[1]):
                result.socket_errors[kind] = int(count)
    if result.rps is None:
        result.failed = "wrk printed no result"
    elif result.requests == 0:
        result.failed = "no responses"
    return result


def wrk(port: int, path: str, script: str, env: dict[str, str], duration: float, conns: int):
    cmd = [
        "wrk",
        "-t1",
        f"-c{conns}",
        f"-d{max(1, round(duration))}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(BENCH_DIR / script),
        f"http://127.0.0.1:{port}{path}",
    ]
    run = subprocess.run(
        cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=duration + 60
    )
    result = parse_wrk(run.stdout)
    if run.returncode != 0 and not result.failed:
        result.failed = f"wrk exit {run.returncode}"
    return result


def settle(port: int, timeout: float = 60.0) -> None:
    """Wait until the server has worked off what the last run left queued (a sync worker still
    answers requests whose clients are gone), so it does not eat into the next scenario."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            if benchlib.get(port, "/health")[0] == 200 and time.monotonic() - started < 0.05:
                return
        except OSError:
            pass
        time.sleep(0.2)


def scenario_request(scenario: Scenario, seed: Seed) -> tuple[str, str, str, dict[str, str]]:
    """(method, path, wrk script, script environment) of a scenario."""
    auth = {"TOKEN": seed.token}
    if scenario.name == "list":
        return "GET", "/api/v1/tasks", "token.lua", auth
    if scenario.name == "detail":
        return "GET", f"/api/v1/tasks/{seed.task_ids[0]}", "token.lua", auth
    if scenario.name == "switch":
        pair = {"TASK_A": seed.task_ids[0], "TASK_B": seed.task_ids[1]}
        return "POST", f"/api/v1/tasks/{seed.task_ids[0]}/start", "switch.lua", auth | pair
    if scenario.name == "switch-users":
        return "POST", "/", "switch_users.lua", {"USERS_FILE": str(seed.users_file)}
    if scenario.name == "me":
        return "GET", "/api/v1/auth/me", "token.lua", auth
    if scenario.name == "health":
        return "GET", "/health", "token.lua", {"TOKEN": "unused"}
    raise ValueError(scenario.name)


# -- data --------------------------------------------------------------------------------------
def seed_data(tmp: Path) -> Seed:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tasks.models import Category, Task

    User = get_user_model()
    now = timezone.now()

    def make_user(email: str):
        user = User(email=email)
        user.set_unusable_password()
        return user

    users = User.objects.bulk_create(
        [make_user("u0@bench.example")] + [make_user(f"u{i}@bench.example") for i in range(1, 101)]
    )
    categories = Category.objects.bulk_create(
        [Category(user=u, name="Trabajo", color="#336699") for u in users]
    )
    tasks = []
    for index, (user, category) in enumerate(zip(users, categories, strict=True)):
        for n in range(1, (200 if index == 0 else 50) + 1):
            tasks.append(
                Task(
                    user=user,
                    category=category,
                    title=f"Tarea {n}",
                    description=f"Descripción de la tarea {n}",
                    priority=Task.Priority.MEDIUM,
                    estimated_minutes=30,
                    created_at=now - dt.timedelta(minutes=n),
                )
            )
    Task.objects.bulk_create(tasks, batch_size=1000)
    by_user: dict = {}
    for task_id, user_id in Task.objects.order_by("-created_at", "id").values_list("id", "user_id"):
        by_user.setdefault(user_id, []).append(str(task_id))
    users_file = tmp / "users.txt"
    users_file.write_text(
        "".join(
            f"{benchlib.access_token(u)} {by_user[u.pk][0]} {by_user[u.pk][1]}\n" for u in users[1:]
        )
    )
    first = users[0]
    return Seed(benchlib.access_token(first), by_user[first.pk], users_file, str(first.pk))


def reset_timers() -> None:
    """Every task pending and no events, as before the first variant (the anchor does the same),
    then the tables vacuumed and analyzed as autovacuum keeps them in production.

    Only the rows a variant changed are rewritten: an UPDATE of all 5,200 rows left as many dead
    tuples per variant, so each variant's list read a more bloated table than the one before,
    and the first ran on tables PostgreSQL had no statistics for yet (a bitmap scan of all 200
    of the user's rows and a sort instead of reading 20 in index order), until autovacuum got
    to them somewhere in the middle of the run."""
    import psycopg

    # A connection of its own, in autocommit (VACUUM cannot run in a transaction) and with
    # nothing prepared: the settings' prepared statements are for the app's hot queries.
    url = benchlib.database_url(DATABASE)
    with psycopg.connect(url, autocommit=True, prepare_threshold=None) as conn:
        conn.execute(
            "UPDATE tasks SET status='pending', running_since=NULL, tracked_seconds=0"
            " WHERE status <> 'pending' OR running_since IS NOT NULL OR tracked_seconds <> 0"
        )
        conn.execute("TRUNCATE task_events")
        conn.execute("VACUUM (ANALYZE) users, categories, tasks, task_events")


def count_queries(seed: Seed, samples: int) -> list[list[str]]:
    """Queries per request and in-process time (test client, no server) per scenario."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {seed.token}")
    a, b = seed.task_ids[0], seed.task_ids[1]
    flip = [0]

    def switch():
        flip[0] += 1
        return client.post(f"/api/v1/tasks/{a if flip[0] % 2 else b}/start")

    calls = {
        "list": lambda: client.get("/api/v1/tasks"),
        "detail": lambda: client.get(f"/api/v1/tasks/{a}"),
        "switch": switch,
        "me": lambda: client.get("/api/v1/auth/me"),
        "health": lambda: client.get("/health"),
    }
    rows = []
    switch()  # one timer running, so every measured start pauses the other task
    for name, call in calls.items():
        call()  # warm caches (URL resolver, translations, the connection)
        with CaptureQueriesContext(connection) as captured:
            response = call()
        # Now: every request clears the log (reset_queries on request_started).
        queries = len(captured.captured_queries)
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        rows.append(
            [
                name,
                str(response.status_code),
                str(queries),
                f"{statistics.median(times):.1f} ms",
            ]
        )
    reset_timers()
    return rows


# -- the mix -----------------------------------------------------------------------------------
@dataclass
class MixUser:
    """One line of mix.lua's data file."""

    token: str
    category: str
    tasks: list[str]  # the 10 newest, newest first: the first two are the timer pair
    goals: list[str]  # in creation order

    def line(self) -> str:
        return f"{self.token} {self.category} {','.join(self.tasks)} {','.join(self.goals)}\n"


@dataclass
class MixOp:
    """One `mix-op <operation> <responses> <non-2xx> [<status>x<count> ...]` line of mix.lua."""

    responses: int
    non2xx: int
    codes: str = ""

    @property
    def errors(self) -> str:
        return f"{self.non2xx} ({self.codes})" if self.codes else str(self.non2xx)


@dataclass
class MixRun:
    """One wrk run of mix.lua: wrk's figures and the script's counts per operation."""

    result: WrkResult
    ops: dict[str, MixOp] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def parse_mix_ops(output: str) -> tuple[dict[str, MixOp], list[str]]:
    """The per-operation counts mix.lua's done() prints, and its `mix-op note:` lines."""
    ops: dict[str, MixOp] = {}
    notes: list[str] = []
    for line in output.splitlines():
        words = line.split()
        if len(words) < 2 or words[0] != "mix-op":
            continue
        if words[1] == "note:":
            notes.append(line.split("note:", 1)[1].strip())
            continue
        try:
            ops[words[1]] = MixOp(int(words[2]), int(words[3]), " ".join(words[4:]))
        except (IndexError, ValueError):
            notes.append(f"unreadable: {line.strip()}")
    return ops, notes


def mix_script(tmp: Path) -> tuple[Path, Path, str | None]:
    """(mix.lua, the same with bench/mix_only.lua appended, a note if the copy is used). The
    anchor's own file, so both servers get identical requests; bench/mix.lua only without it."""
    script, note = ANCHOR_DIR / "mix.lua", None
    if not script.exists():
        script = BENCH_DIR / "mix.lua"
        note = f"{ANCHOR_DIR / 'mix.lua'} missing: the mix ran bench/mix.lua, a copy of it"
    only = tmp / "mix-only.lua"
    only.write_text(script.read_text() + "\n" + (BENCH_DIR / "mix_only.lua").read_text())
    return script, only, note


def create_mix_users() -> list:
    """The 50 users of the mix (mix0..mix49, as the anchor's); their data comes from seed_mix."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = [User(email=f"mix{i}@example.com", name=f"Mix {i}") for i in range(MIX_USERS)]
    for user in users:
        user.set_unusable_password()
    return User.objects.bulk_create(users)


def seed_mix(users: list, tokens: dict, data_file: Path) -> list[MixUser]:
    """The mix users' data afresh, in the shape of the anchor's `mix_seed()`, then the database
    vacuumed and analyzed (as bench.sh mix does), and mix.lua's data file written.

    Bulk inserts of the rows the API would make (task_create's `created` event with its data,
    goal_create's start date: the user's local today), with the anchor's timestamps: 50 tasks
    1 s apart, the newest 1 s old; goals 3, 2 and 1 s old; progress and check-ins back over the
    past days. Every run of every variant starts from the same data, with no timer running."""
    from decimal import Decimal

    import psycopg
    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone

    from checkins.models import CheckIn
    from goals.models import Goal, GoalProgress
    from tasks.models import Category, Task, TaskEvent

    ids = [u.pk for u in users]
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            for table in (
                "check_ins",
                "goal_progress",
                "goals",
                "task_events",
                "tasks",
                "categories",
            ):
                cursor.execute(f"DELETE FROM {table} WHERE user_id = ANY(%s)", [ids])
        categories = Category.objects.bulk_create(
            [Category(user=u, name="Trabajo", color="#336699") for u in users]
        )
        tasks = Task.objects.bulk_create(
            [
                Task(
                    user=u,
                    category=c,
                    title=f"Tarea {n}",
                    description=f"Descripción de la tarea {n}",
                    priority=Task.Priority.MEDIUM,
                    estimated_minutes=30,
                    created_at=now - dt.timedelta(seconds=51 - n),
                )
                for u, c in zip(users, categories, strict=True)
                for n in range(1, 51)
            ],
            batch_size=1000,
        )
        # auto_now stamped every row with now; the anchor's tasks were last updated when made.
        Task.objects.filter(user_id__in=ids).update(updated_at=F("created_at"))
        TaskEvent.objects.bulk_create(
            [
                TaskEvent(
                    task=t,
                    user_id=t.user_id,
                    type=TaskEvent.Type.CREATED,
                    source=TaskEvent.Source.API,
                    occurred_at=t.created_at,
                    data={
                        "title": t.title,
                        "priority": t.priority,
                        "category_id": str(t.category_id),
                        "due_at": None,
                        "estimated_minutes": t.estimated_minutes,
                    },
                )
                for t in tasks
            ],
            batch_size=1000,
        )
        kinds = [  # title, target, unit, period, age; progress: value, count, days between
            ("Leer 30 minutos", "30", "min", Goal.Period.DAILY, 3, "30.00", 8, 1),
            ("Correr 20 km", "20", "km", Goal.Period.WEEKLY, 2, "5.00", 6, 3),
            ("Ahorrar 1000", "1000", "EUR", Goal.Period.NONE, 1, "100.00", 6, 5),
        ]
        goals = Goal.objects.bulk_create(
            [
                Goal(
                    user=u,
                    title=title,
                    target_value=Decimal(target),
                    unit=unit,
                    period=period,
                    start_date=now.date(),  # UTC, the users' timezone
                )
                for u in users
                for title, target, unit, period, *_ in kinds
            ]
        )
        for _title, _target, _unit, period, age, *_ in kinds:
            stamp = now - dt.timedelta(seconds=age)
            Goal.objects.filter(user_id__in=ids, period=period).update(
                created_at=stamp, updated_at=stamp
            )
        progress = {k[3]: k[5:] for k in kinds}
        GoalProgress.objects.bulk_create(
            [
                GoalProgress(
                    goal=g,
                    user_id=g.user_id,
                    value=Decimal(progress[g.period][0]),
                    note=f"Entrada {k}",
                    recorded_at=now - dt.timedelta(days=k * progress[g.period][2], minutes=5),
                )
                for g in goals
                for k in range(progress[g.period][1])
            ],
            batch_size=1000,
        )
        CheckIn.objects.bulk_create(
            [
                CheckIn(
                    user=u,
                    kind=CheckIn.Kind.MORNING if k % 2 == 0 else CheckIn.Kind.EVENING,
                    mood=1 + k % 5,
                    energy=1 + (k + 2) % 5,
                    note=f"Check-in {k}",
                    recorded_at=now - dt.timedelta(days=k, minutes=5),
                )
                for u in users
                for k in range(30)
            ],
            batch_size=1000,
        )
    with psycopg.connect(
        benchlib.database_url(DATABASE), autocommit=True, prepare_threshold=None
    ) as conn:
        conn.execute("VACUUM (ANALYZE)")

    newest: dict = collections.defaultdict(list)
    for task_id, user_id in (
        Task.objects.filter(user_id__in=ids)
        .order_by("-created_at", "id")
        .values_list("id", "user_id")
    ):
        if len(newest[user_id]) < 10:
            newest[user_id].append(str(task_id))
    goal_ids: dict = collections.defaultdict(list)
    for goal_id, user_id in (
        Goal.objects.filter(user_id__in=ids)
        .order_by("created_at", "id")
        .values_list("id", "user_id")
    ):
        goal_ids[user_id].append(str(goal_id))
    data = [
        MixUser(tokens[u.pk], str(c.pk), newest[u.pk], goal_ids[u.pk])
        for u, c in zip(users, categories, strict=True)
    ]
    data_file.write_text("".join(d.line() for d in data))
    return data


def running_tasks(path: Path) -> Path:
    """MIX_RUNNING: the ids of the tasks running now, so no user's first start is a no-op."""
    from tasks.models import Task

    ids = Task.objects.filter(running_since__isnull=False).values_list("id", flat=True)
    path.write_text("".join(f"{i}\n" for i in ids))
    return path


def wrk_mix(port: int, script: Path, env: dict[str, str], duration: float, log: Path) -> MixRun:
    """wrk as the anchor's bench.sh runs the mix: one connection per thread, MIX_THREADS set.
    Its output is kept in `log`."""
    seconds = max(1, round(duration))
    cmd = ["wrk", f"-t{MIX_THREADS}", f"-c{MIX_THREADS}", f"-d{seconds}s", "--latency"]
    cmd += ["-s", str(script), f"http://127.0.0.1:{port}"]
    run = subprocess.run(
        cmd,
        env={**os.environ, "MIX_THREADS": str(MIX_THREADS), **env},
        capture_output=True,
        text=True,
        timeout=duration + 60,
    )
    log.write_text(run.stdout + run.stderr)
    result = parse_wrk(run.stdout)
    if run.returncode != 0 and not result.failed:
        result.failed = f"wrk exit {run.returncode}: {run.stderr.strip()[:200]}"
    ops, notes = parse_mix_ops(run.stdout)
    return MixRun(result, ops, notes)


@dataclass
class MixPlan:
    users: list
    tokens: dict
    script: Path
    only_script: Path
    duration: float
    op_duration: float
    tmp: Path


def run_mix(port: int, variant: str, plan: MixPlan) -> tuple[MixRun, dict[str, MixRun]]:
    """The mix on freshly seeded data (warm-up, MIX_RUNNING, the measured run), then each of its
    operations alone on the same data file."""
    out = plan.tmp / f"mix-{variant}"
    out.mkdir()
    data_file = out / "data.txt"
    seed_mix(plan.users, plan.tokens, data_file)
    env = {"MIX_DATA": str(data_file)}
    # the warm-up: workers import and connect, statements get prepared
    wrk_mix(port, plan.script, env, WARMUP_SECONDS, out / "warm-up.txt")
    settle(port)
    env["MIX_RUNNING"] = str(running_tasks(out / "running.txt"))
    mix = wrk_mix(port, plan.script, env, plan.duration, out / "mix.txt")
    settle(port)
    alone = {}
    for op in mix.ops or MIX_OPERATIONS:
        env_op = {**env, "MIX_RUNNING": str(running_tasks(out / "running.txt")), "MIX_ONLY": op}
        alone[op] = wrk_mix(port, plan.only_script, env_op, plan.op_duration, out / f"{op}.txt")
        settle(port)
    return mix, alone


# The operations of mix.lua in its order (its done() names them too: used when it printed none).
MIX_OPERATIONS = [
    "list_tasks",
    "task_detail",
    "me",
    "list_goals",
    "list_checkins",
    "create_task",
    "patch_task",
    "timer_start",
    "post_checkin",
    "post_progress",
]


def mix_requests(user: MixUser) -> dict:
    """{operation: () -> (method, path, body or None)}: mix.lua's requests for one user, writes
    varying as in the mix (a start pauses the other task of the pair, a patch always changes
    the task). count_mix_queries and where_time_goes.py send these."""
    uses: dict[str, int] = {}

    def nth(op: str) -> int:
        uses[op] = uses.get(op, 0) + 1
        return uses[op]

    def read_task(k: int) -> str:
        return user.tasks[2 + (k - 1) % (len(user.tasks) - 2)]

    def patch():
        k = nth("patch_task")
        body = {"title": f"Revisada {k}", "priority": ("low", "medium", "high")[k % 3]}
        return "PATCH", f"/api/v1/tasks/{read_task(k)}", {**body, "description": f"Rev {k}"}

    return {
        "list_tasks": lambda: ("GET", "/api/v1/tasks", None),
        "task_detail": lambda: ("GET", f"/api/v1/tasks/{read_task(nth('detail'))}", None),
        "me": lambda: ("GET", "/api/v1/auth/me", None),
        "list_goals": lambda: ("GET", "/api/v1/goals", None),
        "list_checkins": lambda: ("GET", "/api/v1/checkins", None),
        "create_task": lambda: (
            "POST",
            "/api/v1/tasks",
            {
                "title": f"Nueva tarea {nth('create')}",
                "description": "Creada desde el movil",
                "category": user.category,
                "priority": "high",
                "estimated_minutes": 25,
            },
        ),
        "patch_task": patch,
        "timer_start": lambda: (
            "POST",
            f"/api/v1/tasks/{user.tasks[nth('start') % 2]}/start",
            None,
        ),
        "post_checkin": lambda: (
            "POST",
            "/api/v1/checkins",
            {"kind": "adhoc", "mood": 3, "energy": 4, "note": f"Check-in {nth('checkin')}"},
        ),
        "post_progress": lambda: (
            "POST",
            f"/api/v1/goals/{user.goals[nth('progress') % len(user.goals)]}/progress",
            {"value": "1.50", "note": "Entrada"},
        ),
    }


def count_mix_queries(user: MixUser, samples: int) -> dict[str, list[str]]:
    """{operation: [status, queries, median time]} in this process (test client, no server),
    with the requests mix.lua makes for one user (mix_requests)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {user.token}")

    def sender(make):
        def call():
            method, path, body = make()
            data = json.dumps(body) if body is not None else ""
            return client.generic(method, path, data, content_type="application/json")

        return call

    calls = {name: sender(make) for name, make in mix_requests(user).items()}
    rows = {}
    for name, call in calls.items():
        call()  # warm caches; a start leaves a timer running, so the next one is a switch
        with CaptureQueriesContext(connection) as captured:
            response = call()
        queries = len(captured.captured_queries)  # read now: the next request clears the log
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        rows[name] = [
            str(response.status_code),
            str(queries),
            f"{statistics.median(times):.1f} ms",
        ]
    return rows


# -- the anchor --------------------------------------------------------------------------------
def run_anchor(conns: int, workers: int, log: Path) -> dict[str, tuple[float, float]]:
    """{"list": (req/s, p99 ms), "switch": (...)} from the anchor's bench.sh, or {}."""
    env = dict(os.environ, ANCHOR_PORT=str(benchlib.free_port()))
    run = subprocess.run(
        ["bash", str(ANCHOR), str(workers), str(conns)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log.write_text(run.stdout + run.stderr)
    found = {}
    for line in run.stdout.splitlines():
        words = line.split()
        if len(words) == 4 and words[0] == "anchor":
            try:
                found[words[1]] = (float(words[2]), _ms(words[3]))
            except ValueError:
                pass
    return found


def run_anchor_mix(workers: int, duration: float, log: Path) -> MixRun | None:
    """The anchor's `bench.sh mix <workers> 16`: its figures (the `anchor mix <req/s> <p99>`
    line, wrk's 50% and error lines) and its `mix-op` counts, or None if it printed no figures.
    Its measured run lasts as long as ours (ANCHOR_DURATION); its warm-up is its own 2 s."""
    env = dict(
        os.environ,
        ANCHOR_PORT=str(benchlib.free_port()),
        ANCHOR_DURATION=f"{max(1, round(duration))}s",
    )
    run = subprocess.run(
        ["bash", str(ANCHOR), "mix", str(workers), str(MIX_THREADS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300 + duration,
    )
    log.write_text(run.stdout + run.stderr)
    result = parse_wrk(run.stdout)  # bench.sh keeps wrk's Requests/sec, 50%, 99% and error lines
    found = False
    for line in run.stdout.splitlines():
        words = line.split()
        if len(words) == 4 and words[:2] == ["anchor", "mix"]:
            try:
                result.rps, result.p99_ms = float(words[2]), _ms(words[3])
                found = True
            except ValueError:
                pass
    if not found:
        return None
    result.failed = None  # bench.sh leaves out wrk's "requests in" line
    ops, notes = parse_mix_ops(run.stdout)
    return MixRun(result, ops, notes)


# -- main --------------------------------------------------------------------------------------
def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        benchlib.log("wrk is missing: apt-get install -y wrk")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)
        return
    sys.exit("wrk is missing: install it (Debian/Ubuntu: sudo apt-get install -y wrk)")


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def ratio(ours: float | None, theirs: float | None) -> str:
    return "-" if not ours or not theirs else f"{ours / theirs:.2f}"


def run_scenario(
    port: int,
    variant: str,
    scenario: Scenario,
    conns: int,
    seed: Seed,
    args: argparse.Namespace,
    problems: list[str],
) -> WrkResult:
    """One wrk run of a single-request scenario, after a check that it answers 200."""
    method, path, script, script_env = scenario_request(scenario, seed)
    if scenario.name != "switch-users":
        try:
            status, body = benchlib.get(port, path, seed.token, method)
        except OSError as exc:  # a timeout too: a slow server is a finding, not a crash
            status, body = None, repr(exc).encode()
        if status != 200:
            problems.append(f"{variant} {scenario.name}: HTTP {status} {body[:200]!r}")
    result = wrk(port, path, script, script_env, args.duration, conns)
    settle(port)
    return result


def alone_errors(op: str, run: MixRun) -> str:
    """wrk's errors of an operation run alone, with mix.lua's statuses when it counted any."""
    counted = run.ops.get(op)
    if counted and counted.codes:
        return f"{run.result.errors} ({counted.codes})"
    return run.result.errors


def mix_problems(variant: str, mix: MixRun, alone: dict[str, MixRun]) -> list[str]:
    """Every operation that answered something else than a 2xx, in the mix or alone."""
    found = [
        f"{variant} mix: {op} answered {counted.non2xx} non-2xx ({counted.codes})"
        for op, counted in mix.ops.items()
        if counted.non2xx
    ]
    if mix.result.failed:
        found.append(f"{variant} mix: {mix.result.failed}")
    for op, run in alone.items():
        counted = run.ops.get(op)
        if run.result.failed:
            found.append(f"{variant} {op} alone: {run.result.failed}")
        elif counted and counted.non2xx:
            found.append(f"{variant} {op} alone: {counted.non2xx} non-2xx ({counted.codes})")
    return found


def mix_report(
    anchor: MixRun | None,
    results: dict[str, tuple[MixRun, dict[str, MixRun]]],
    queries: dict[str, list[str]],
    args: argparse.Namespace,
    note: str | None,
) -> list[str]:
    """The mix's section of the report: the whole mix per server next to the anchor's, then per
    variant each operation's counts in the mix (both sides), alone, and in-process."""
    out = [f"\n## The mix: a mobile client's day ({MIX_USERS} users, {MIX_THREADS} threads x 1)\n"]
    a = anchor.result if anchor else None
    table = []
    if a:
        table.append(
            [
                "anchor (Fastify)",
                fmt(a.rps, 0),
                fmt(a.p50_ms),
                fmt(a.p99_ms),
                a.errors,
                "1.00",
                "1.00",
            ]
        )
    for variant, (mix, _alone) in results.items():
        r = mix.result
        table.append(
            [
                variant,
                fmt(r.rps, 0),
                fmt(r.p50_ms),
                fmt(r.p99_ms),
                r.errors,
                ratio(r.rps, a.rps if a else None),
                ratio(r.p99_ms, a.p99_ms if a else None),
            ]
        )
    out.append(
        benchlib.markdown_table(
            ["server", "req/s", "p50 ms", "p99 ms", "errors", "vs anchor", "p99 vs anchor"], table
        )
    )
    out.append(
        f"\n`wrk -t{MIX_THREADS} -c{MIX_THREADS} -d{max(1, round(args.duration))}s --latency -s"
        " mix.lua` with MIX_THREADS, MIX_DATA and MIX_RUNNING, after a 2 s warm-up with the same"
        " script, on data seeded afresh (the anchor's `mix_seed()` shape) and vacuumed; the"
        " anchor: `bench.sh mix` in the same run. `vs anchor` = our req/s / the anchor's,"
        " `p99 vs anchor` = our p99 / the anchor's."
    )
    if note:
        out.append(f"\n{note}")
    notes = [f"anchor: {n}" for n in (anchor.notes if anchor else [])]
    notes += [f"{v}: {n}" for v, (mix, _) in results.items() for n in mix.notes]
    if notes:
        out.append("\n" + "\n".join(f"- mix.lua says: {n}" for n in notes))
    for variant, (mix, alone) in results.items():
        out.append(f"\n### {variant}: per operation\n")
        table = []
        for op in list(mix.ops) or list(alone):
            ours = mix.ops.get(op)
            theirs = anchor.ops.get(op) if anchor else None
            run = alone.get(op)
            status, count, median = queries.get(op, ["-", "-", "-"])
            table.append(
                [
                    op,
                    str(ours.responses) if ours else "-",
                    ours.errors if ours else "-",
                    str(theirs.responses) if theirs else "-",
                    theirs.errors if theirs else "-",
                    fmt(run.result.rps, 0) if run else "-",
                    fmt(run.result.p50_ms) if run else "-",
                    fmt(run.result.p99_ms) if run else "-",
                    alone_errors(op, run) if run else "-",
                    count if status[0] in "2-" else f"{count} (HTTP {status})",
                    median,
                ]
            )
        out.append(
            benchlib.markdown_table(
                [
                    "operation",
                    "mix: ours",
                    "non-2xx",
                    "mix: anchor",
                    "non-2xx",
                    "alone req/s",
                    "p50 ms",
                    "p99 ms",
                    "errors",
                    "queries",
                    "in-process",
                ],
                table,
            )
        )
    out.append(
        "\n`mix: ours` / `mix: anchor`: responses per operation in the mix, counted by mix.lua"
        " (exact with one connection per thread), with the non-2xx among them (status x count)."
        f" `alone`: the operation by itself for {args.op_duration:g} s right after the mix"
        " (mix.lua narrowed by bench/mix_only.lua, same data file, 16 threads; the data as the"
        " mix left it). `queries` and `in-process` (median of"
        f" {args.query_samples} calls): the mix's requests for one user through Django's test"
        " client in this process, the full middleware stack (config/wsgi.py's fast routes are"
        " not in it), on freshly seeded data."
    )
    return out


def main() -> int:
    names = [v.name for v in VARIANTS]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", help=f"comma-separated, from: {', '.join(names)}")
    parser.add_argument("--list-variants", action="store_true")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario")
    parser.add_argument("--connections", default="16,64", help="connection levels, e.g. 16,64")
    parser.add_argument("--scenarios", help=f"from: {', '.join(s.name for s in SCENARIOS)}")
    parser.add_argument("--no-anchor", action="store_true", help="skip the Fastify anchor")
    parser.add_argument("--anchor-workers", type=int, default=1, help="Node processes")
    parser.add_argument("--op-duration", type=float, default=3.0, help="seconds per mix op alone")
    parser.add_argument("--query-samples", type=int, default=20)
    parser.add_argument("--smoke", action="store_true", help="1 s, 2 connections, one variant")
    args = parser.parse_args()

    if args.list_variants:
        for v in VARIANTS:
            benchlib.log(f"{v.name:<22} {'default ' if v.default else 'optional'}  {v.note}")
        return 0
    if args.smoke:
        args.duration, args.op_duration, args.connections, args.query_samples = 1.0, 1.0, "2", 2
        args.variants = args.variants or "production"
    wanted = args.variants.split(",") if args.variants else [v.name for v in VARIANTS if v.default]
    unknown = set(wanted) - set(names)
    if unknown:
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
    variants = [v for v in VARIANTS if v.name in wanted]
    levels = [int(c) for c in args.connections.split(",")]
    scenarios = SCENARIOS
    if args.scenarios:
        unknown = set(args.scenarios.split(",")) - {s.name for s in SCENARIOS}
        if unknown:
            parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
        scenarios = [s for s in SCENARIOS if s.name in args.scenarios.split(",")]
    plan = []  # (scenario, connections)
    for level_index, conns in enumerate(levels):
        for s in scenarios:
            if s.name == "mix":
                continue
            if s.only_level is not None:
                if conns == s.only_level or (args.smoke and level_index == 0):
                    plan.append((s, conns))
            elif s.every_level or level_index == 0:
                plan.append((s, conns))
    # The mix last, at the anchor's 16 threads whatever the levels: list and switch run as
    # before it, and it reseeds its own users first.
    plan += [(s, MIX_THREADS) for s in scenarios if s.name == "mix"]

    ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="agente-bench-http-"))
    env = benchlib.base_env(DATABASE, PREFIX, **COMMON_ENV)
    wsgi, wsgi_note = benchlib.wsgi_target(tmp)
    if wsgi_note:
        env["PYTHONPATH"] = f"{tmp}{os.pathsep}{env['PYTHONPATH']}"
        benchlib.log(f"note: {wsgi_note}")
    started = time.monotonic()
    benchlib.log(f"database {DATABASE}: reset, migrate, seed")
    benchlib.reset_database(DATABASE)
    benchlib.setup_django(env)
    seed = seed_data(tmp)
    reset_timers()  # vacuumed and analyzed before anything is measured

    benchlib.log("queries per request (in-process)")
    queries = count_queries(seed, args.query_samples)
    with_mix = any(s.name == "mix" for s, _ in plan)
    mix_plan, mix_queries, mix_note = None, {}, None
    if with_mix:
        benchlib.log("the mix: 50 users seeded like the anchor's; queries per operation")
        mix_script_path, mix_only_path, mix_note = mix_script(tmp)
        mix_users = create_mix_users()
        mix_tokens = {u.pk: benchlib.access_token(u) for u in mix_users}
        mix_plan = MixPlan(
            mix_users,
            mix_tokens,
            mix_script_path,
            mix_only_path,
            args.duration,
            args.op_duration,
            tmp,
        )
        mix_data = seed_mix(mix_users, mix_tokens, tmp / "mix-data-queries.txt")
        mix_queries = count_mix_queries(mix_data[0], args.query_samples)
        if mix_note:
            benchlib.log(f"note: {mix_note}")

    anchors: dict[int, dict[str, tuple[float, float]]] = {}
    anchor_mix: MixRun | None = None
    anchor_notes = []
    if args.no_anchor:
        anchor_notes.append("anchor skipped (--no-anchor)")
    elif not ANCHOR.exists():
        anchor_notes.append(f"anchor missing ({ANCHOR}): skipped")
    else:
        anchor_levels = sorted({c for s, c in plan if s.anchor and s.name != "mix"})
        for conns in anchor_levels:
            benchlib.log(f"anchor, {conns} connections")
            anchors[conns] = run_anchor(conns, args.anchor_workers, tmp / f"anchor-{conns}.log")
            if not anchors[conns]:
                anchor_notes.append(f"anchor printed no figures: see {tmp}/anchor-{conns}.log")
        if with_mix:
            benchlib.log(f"anchor, the mix ({MIX_THREADS} threads x 1 connection)")
            anchor_mix = run_anchor_mix(args.anchor_workers, args.duration, tmp / "anchor-mix.log")
            if anchor_mix is None:
                anchor_notes.append(f"anchor printed no mix figures: see {tmp}/anchor-mix.log")
            else:
                anchors.setdefault(MIX_THREADS, {})["mix"] = (
                    anchor_mix.result.rps,
                    anchor_mix.result.p99_ms,
                )
    anchor_note = "; ".join(anchor_notes)
    if anchor_note:
        benchlib.log(f"note: {anchor_note}")

    rows = []
    problems = [
        f"mix {op} in-process: HTTP {status}"
        for op, (status, _queries, _median) in mix_queries.items()
        if not status.startswith("2")
    ]
    mix_results: dict[str, tuple[MixRun, dict[str, MixRun]]] = {}
    for variant in variants:
        # granian and uvicorn come with the bench extra (make bench installs it); a venv made
        # by make venv alone lacks them, and the other variants are still worth running.
        binary = Path(variant.argv[0])
        if shutil.which(binary) is None:
            skipped = f"skipped: {binary.name} not installed (pip install -e '.[bench]')"
            benchlib.log(f"{variant.name}: {skipped}")
            rows.append([variant.name, "all", "-", "-", "-", "-", skipped, "-", "-"])
            continue
        reset_timers()
        port = benchlib.free_port()
        argv = [
            a.format(port=port, wsgi=wsgi, asgi="config.asgi:application") for a in variant.argv
        ]
        variant_env = {name: value.format(port=port) for name, value in variant.env.items()}
        server = Server(variant.name, argv, {**env, **variant_env}, port, tmp)
        benchlib.log(f"{variant.name}: {' '.join(argv[1:])}")
        try:
            server.start()
        except RuntimeError as exc:
            problems.append(f"{variant.name}: {exc}")
            rows.append([variant.name, "all", "-", "-", "-", "-", "did not start", "-", "-"])
            continue
        try:
            if any(s.name != "mix" for s, _ in plan):  # the mix warms up with its own script
                # Warm-up: every worker imports lazily and resolves its first URLs.
                wrk(port, "/api/v1/tasks", "token.lua", {"TOKEN": seed.token}, WARMUP_SECONDS, 8)
                settle(port)
            for scenario, conns in plan:
                if scenario.name == "mix":
                    mix, alone = run_mix(port, variant.name, mix_plan)
                    mix_results[variant.name] = (mix, alone)
                    problems += mix_problems(variant.name, mix, alone)
                    result = mix.result
                else:
                    result = run_scenario(port, variant.name, scenario, conns, seed, args, problems)
                anchor = anchors.get(conns, {}).get(scenario.anchor or "")
                rows.append(
                    [
                        variant.name,
                        scenario.name,
                        str(conns),
                        fmt(result.rps, 0),
                        fmt(result.p50_ms),
                        fmt(result.p99_ms),
                        result.errors,
                        ratio(result.rps, anchor[0] if anchor else None),
                        ratio(result.p99_ms, anchor[1] if anchor else None),
                    ]
                )
                benchlib.log(
                    f"  {scenario.name:<13} c={conns:<3} {fmt(result.rps, 0):>7} req/s"
                    f"  p50 {fmt(result.p50_ms):>6} ms  p99 {fmt(result.p99_ms):>7} ms"
                    f"  errors {result.errors}"
                )
                if scenario.name == "mix":
                    for op, run in alone.items():
                        benchlib.log(
                            f"    {op:<14} {fmt(run.result.rps, 0):>7} req/s"
                            f"  p50 {fmt(run.result.p50_ms):>6} ms"
                            f"  p99 {fmt(run.result.p99_ms):>7} ms  errors {alone_errors(op, run)}"
                        )
        finally:
            server.stop()
        problems += [f"{variant.name} log: {p}" for p in server.log_problems()]

    report = []
    report.append(
        f"# make bench, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n\n"
        f"nproc {os.cpu_count()}, load average at the end {benchlib.load_average()}, "
        f"wrk -t1 --latency, {args.duration:g} s per scenario, connections {args.connections}, "
        f"PostgreSQL {DATABASE} (1 user x 200 tasks + 100 users x 50"
        f"{' + the 50 mix users' if with_mix else ''}), Redis live updates on, "
        "DATABASE_CONN_MAX_AGE=600 in every environment (only the WSGI entry point uses it, "
        "see config/settings.py), no access logs. "
        f"Wall time {(time.monotonic() - started) / 60:.1f} min."
    )
    report.append("\n## Variants\n")
    report.append(
        benchlib.markdown_table(
            ["variant", "command"],
            [
                [
                    v.name,
                    "`"
                    + " ".join(
                        (Path(a).name if "/" in a else a).format(
                            port="PORT", wsgi=wsgi, asgi="config.asgi:application"
                        )
                        for a in v.argv
                    )
                    + "`",
                ]
                for v in variants
            ],
        )
    )
    report.append("\n## Anchor (Fastify 4.28, one run per connection level)\n")
    if anchors:
        report.append(
            benchlib.markdown_table(
                ["endpoint", "conns", "req/s", "p99 ms"],
                [
                    [name, str(conns), fmt(rps, 0), fmt(p99)]
                    for conns, found in anchors.items()
                    for name, (rps, p99) in found.items()
                ],
            )
        )
        report.append(
            f"\nNode processes: {args.anchor_workers}. `vs anchor` = our req/s / the anchor's"
            " (higher is better); `p99 vs anchor` = our p99 / the anchor's (lower is better)."
        )
    if anchor_note:
        report.append(f"\n{anchor_note}")
    report.append("\n## Throughput and latency\n")
    report.append(
        benchlib.markdown_table(
            [
                "variant",
                "scenario",
                "conns",
                "req/s",
                "p50 ms",
                "p99 ms",
                "errors",
                "vs anchor",
                "p99 vs anchor",
            ],
            rows,
        )
    )
    report.append(
        "\nScenarios: "
        + "; ".join(f"`{s.name}` {s.label}" for s in scenarios)
        + ". `errors`: non-2xx responses and wrk socket errors."
    )
    if with_mix:
        report += mix_report(anchor_mix, mix_results, mix_queries, args, mix_note)
    report.append("\n## SQL queries per request (in-process, Django test client)\n")
    report.append(
        benchlib.markdown_table(["scenario", "status", "queries", "median time"], queries)
    )
    report.append(
        f"\nMedian of {args.query_samples} calls in the benchmark process, no server in between."
        " `switch` = a start that pauses the other running task."
    )
    if problems:
        report.append("\n## Problems seen\n")
        report.append("\n".join(f"- {p}" for p in problems))
    benchlib.write_report("agente-bench", "\n".join(report) + "\n", logs=tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
