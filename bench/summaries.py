"""Daily summaries in bulk: seconds and SQL queries per user through the template path.

    make bench                                    # runs this after the HTTP benchmark
    .venv/bin/python bench/summaries.py           # 2,000 users with a week of data each
    .venv/bin/python bench/summaries.py --users 300 --scale 1,4

Resets its own PostgreSQL database (agente_bench_summaries, or BENCH_DATABASE + _summaries),
migrates it and seeds, with bulk inserts, `--users` users in six timezones, each with `--scale` x a
week of data: per local day 3 tasks with tracked time (one crossing no midnight, one completed), 2
check-ins and a goal progress entry, plus one running timer per user. Then it writes every user's
summary of their local yesterday with `summaries.services.summary_generate` (no model configured:
the template text), in this process, timing each run and counting its queries
(CaptureQueriesContext).

The claim it checks: queries per user do not grow with the number of users or with the amount
of data. So it measures at two sizes of each: the full user count at the first scale, and a
sample of users at every scale (`--scale`, default 1,4); the report shows queries per user
(min / max) for each and says whether they are equal. Speed is reported, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from decimal import Decimal

import benchlib

DATABASE = benchlib.database_name("_summaries")
PREFIX = "bench-summaries"
TIMEZONES = [
    "Europe/Madrid",
    "America/Mexico_City",
    "America/Bogota",
    "UTC",
    "Asia/Tokyo",
    "America/Argentina/Buenos_Aires",
]
SAMPLE = 50


def seed(users: int, scale: int, tag: str) -> list:
    """`users` users with `scale` weeks' worth of a week's data (8 local days: the summary's
    day and its 7-day baseline). Returns the users."""
    from django.utils import timezone

    from accounts.models import User
    from checkins.models import CheckIn
    from goals.models import Goal, GoalProgress
    from tasks.models import Category, Task, TaskEvent

    now = timezone.now()
    people = []
    for i in range(users):
        person = User(email=f"{tag}{i}@bench.example", timezone=TIMEZONES[i % len(TIMEZONES)])
        person.set_unusable_password()
        people.append(person)
    people = User.objects.bulk_create(people, batch_size=1000)
    categories = Category.objects.bulk_create(
        [Category(user=p, name="Trabajo", color="#336699") for p in people], batch_size=1000
    )
    goals = Goal.objects.bulk_create(
        [
            Goal(
                user=p,
                title="Leer",
                target_value=Decimal(25),
                unit="páginas",
                period="daily",
                start_date=now.date() - dt.timedelta(days=30),
            )
            for p in people
        ],
        batch_size=1000,
    )
    tasks, events, checkins, progress = [], [], [], []
    for person, category, goal in zip(people, categories, goals, strict=True):
        tz = person.tz
        today = now.astimezone(tz).date()
        for back in range(1, 9):
            day = today - dt.timedelta(days=back)
            for copy in range(scale):
                for n in range(3):
                    start = dt.datetime(
                        day.year, day.month, day.day, 8 + n * 3, copy * 5, tzinfo=tz
                    )
                    end = start + dt.timedelta(minutes=4)
                    done = n == 0
                    task = Task(
                        user=person,
                        category=category if n else None,
                        title=f"Tarea {back}-{copy}-{n}",
                        status=Task.Status.COMPLETED if done else Task.Status.PAUSED,
                        tracked_seconds=240,
                        completed_at=end if done else None,
                        created_at=start - dt.timedelta(minutes=10),
                    )
                    tasks.append(task)
                    events.append(
                        TaskEvent(
                            task=task,
                            user=person,
                            type="completed" if done else "paused",
                            source="api",
                            occurred_at=end,
                            segment_start=start,
                            segment_end=end,
                            duration_seconds=240,
                        )
                    )
                for hour in (8, 21):
                    when = dt.datetime(day.year, day.month, day.day, hour, copy, tzinfo=tz)
                    checkins.append(
                        CheckIn(user=person, mood=3 + copy % 2, energy=3, recorded_at=when)
                    )
                when = dt.datetime(day.year, day.month, day.day, 22, copy, tzinfo=tz)
                progress.append(
                    GoalProgress(goal=goal, user=person, value=Decimal(10), recorded_at=when)
                )
        tasks.append(
            Task(
                user=person,
                title="En marcha",
                status=Task.Status.IN_PROGRESS,
                running_since=now - dt.timedelta(minutes=30),
            )
        )
    Task.objects.bulk_create(tasks, batch_size=2000)
    TaskEvent.objects.bulk_create(events, batch_size=2000)
    CheckIn.objects.bulk_create(checkins, batch_size=2000)
    GoalProgress.objects.bulk_create(progress, batch_size=2000)
    return people


def summarise(people) -> dict:
    """Every person's summary of their local yesterday: seconds and queries per user."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from summaries.services import previous_local_day, summary_generate

    seconds, queries = [], []
    for person in people:
        # The log keeps the last 9,000 queries; a full one would make every capture look empty.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            summary_generate(user=person, day=previous_local_day(person), source="schedule")
            seconds.append(time.perf_counter() - started)
        queries.append(len(captured.captured_queries))
    return {
        "users": len(people),
        "total_s": sum(seconds),
        "per_user_ms": 1000 * statistics.mean(seconds),
        "p95_ms": 1000 * sorted(seconds)[int(0.95 * (len(seconds) - 1))],
        "queries_min": min(queries),
        "queries_max": max(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument(
        "--scale",
        default="1,4",
        help="weeks of data per user, comma-separated; the full run uses the first",
    )
    args = parser.parse_args()
    scales = [int(s) for s in args.scale.split(",")]

    env = benchlib.base_env(
        DATABASE,
        PREFIX,
        OPENAI_API_KEY="",
        TASKS_BACKEND="immediate",
        # Your own Redis database when you have one (live updates are published there).
        REDIS_URL=os.environ.get("REDIS_URL", benchlib.REDIS_URL),
    )
    benchlib.log(f"resetting {DATABASE}")
    benchlib.reset_database(DATABASE)
    benchlib.setup_django(env)
    rows = []

    benchlib.log(f"seeding {args.users} users x {scales[0]} week(s) of data")
    people = seed(args.users, scales[0], tag=f"s{scales[0]}-")
    benchlib.log("summarising them")
    rows.append((f"{args.users} users, scale {scales[0]}", summarise(people)))
    for scale in scales:
        benchlib.log(f"sample: {SAMPLE} users x {scale} week(s) of data")
        sample = seed(SAMPLE, scale, tag=f"sample{scale}-")
        rows.append((f"{SAMPLE} users, scale {scale}", summarise(sample)))

    flat = {(r["queries_min"], r["queries_max"]) for _, r in rows}
    verdict = (
        "queries per user are the same at every size and scale"
        if len({q for pair in flat for q in pair}) == 1
        else f"queries per user VARY across runs: {sorted(flat)}"
    )
    table = benchlib.markdown_table(
        ["run", "users", "total s", "ms/user", "p95 ms", "queries/user (min-max)"],
        [
            [
                name,
                r["users"],
                f"{r['total_s']:.1f}",
                f"{r['per_user_ms']:.1f}",
                f"{r['p95_ms']:.1f}",
                f"{r['queries_min']}-{r['queries_max']}",
            ]
            for name, r in rows
        ],
    )
    text = (
        f"# Daily summaries, template path ({dt.date.today()})\n\n"
        f"Load average at the end: {benchlib.load_average()}\n\n{table}\n\n{verdict}\n"
    )
    benchlib.write_report("agente-bench-summaries", text, logs=benchlib.logdir(PREFIX))


if __name__ == "__main__":
    main()
