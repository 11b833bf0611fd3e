"""HTTP benchmark: the API under several servers, side by side with the Fastify anchor.

    make bench                                   # or: .venv/bin/python bench/http_bench.py
    make bench-smoke                             # 1 s, 2 connections, the production variant
    .venv/bin/python bench/http_bench.py --variants gunicorn-sync-2,uvicorn-2 --duration 5
    .venv/bin/python bench/http_bench.py --list-variants

Resets its own PostgreSQL database (agente_bench, or BENCH_DATABASE), migrates it and seeds it like
the anchor: one user with 200 tasks (one category, estimated 30 minutes each) and 100 users with 50
tasks each. Then, per server variant: starts it on a free loopback port with the same environment,
waits for /health, warms it up, runs wrk (--latency) per scenario and stops it. The anchor
(../shared/anchors/fastify/bench.sh) runs in the same run, once per connection level, and every
list/switch row shows its ratio to it. SQL queries per request are counted in this process with
Django's test client against the same database. Output: one markdown report, printed and written
under /tmp. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
ANCHOR = ROOT.parent / "shared" / "anchors" / "fastify" / "bench.sh"
WARMUP_SECONDS = 2


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
    parser.add_argument("--query-samples", type=int, default=20)
    parser.add_argument("--smoke", action="store_true", help="1 s, 2 connections, one variant")
    args = parser.parse_args()

    if args.list_variants:
        for v in VARIANTS:
            benchlib.log(f"{v.name:<22} {'default ' if v.default else 'optional'}  {v.note}")
        return 0
    if args.smoke:
        args.duration, args.connections, args.query_samples = 1.0, "2", 2
        args.variants = args.variants or "production"
    wanted = args.variants.split(",") if args.variants else [v.name for v in VARIANTS if v.default]
    unknown = set(wanted) - set(names)
    if unknown:
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
    variants = [v for v in VARIANTS if v.name in wanted]
    levels = [int(c) for c in args.connections.split(",")]
    scenarios = SCENARIOS
    if args.scenarios:
        scenarios = [s for s in SCENARIOS if s.name in args.scenarios.split(",")]
    plan = []  # (scenario, connections)
    for level_index, conns in enumerate(levels):
        for s in scenarios:
            if s.only_level is not None:
                if conns == s.only_level or (args.smoke and level_index == 0):
                    plan.append((s, conns))
            elif s.every_level or level_index == 0:
                plan.append((s, conns))

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

    anchors: dict[int, dict[str, tuple[float, float]]] = {}
    anchor_note = ""
    if args.no_anchor:
        anchor_note = "anchor skipped (--no-anchor)"
    elif not ANCHOR.exists():
        anchor_note = f"anchor missing ({ANCHOR}): skipped"
    else:
        anchor_levels = sorted({c for s, c in plan if s.anchor})
        for conns in anchor_levels:
            benchlib.log(f"anchor, {conns} connections")
            anchors[conns] = run_anchor(conns, args.anchor_workers, tmp / f"anchor-{conns}.log")
            if not anchors[conns]:
                anchor_note = f"anchor printed no figures: see {tmp}/anchor-{conns}.log"
    if anchor_note:
        benchlib.log(f"note: {anchor_note}")

    rows = []
    problems = []
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
            # Warm-up: every worker imports lazily and resolves its first URLs.
            wrk(port, "/api/v1/tasks", "token.lua", {"TOKEN": seed.token}, WARMUP_SECONDS, 8)
            settle(port)
            for scenario, conns in plan:
                method, path, script, script_env = scenario_request(scenario, seed)
                if scenario.name != "switch-users":
                    try:
                        status, body = benchlib.get(port, path, seed.token, method)
                    except OSError as exc:  # a timeout too: a slow server is a finding, not a crash
                        status, body = None, repr(exc).encode()
                    if status != 200:
                        problems.append(
                            f"{variant.name} {scenario.name}: HTTP {status} {body[:200]!r}"
                        )
                result = wrk(port, path, script, script_env, args.duration, conns)
                settle(port)
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
        finally:
            server.stop()
        problems += [f"{variant.name} log: {p}" for p in server.log_problems()]

    report = []
    report.append(
        f"# make bench, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n\n"
        f"nproc {os.cpu_count()}, load average at the end {benchlib.load_average()}, "
        f"wrk -t1 --latency, {args.duration:g} s per scenario, connections {args.connections}, "
        f"PostgreSQL {DATABASE} (1 user x 200 tasks + 100 users x 50), Redis live updates on, "
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
