"""A demo person with a lived-in week, so a newcomer sees the system working:

    manage.py seed_demo [--email demo@example.com] [--reset]

Creates the user (Spanish, Europe/Madrid) with a random password and prints both; then seven
past days of tasks worked on with the timer and completed, goals with progress, morning and
evening check-ins, and each day's summary through the same builder as the schedule; today
has a timer running. Everything is written through the apps' services, as the API would, with
the clock set to each moment ("as of" arguments); only a task's creation time is backdated
afterwards, as no service creates things in the past.

It refuses to touch an existing user unless --reset (which deletes that user and all of
their data first) and it refuses to run in production.
"""

import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User, normalize_email
from checkins import services as checkins
from goals import services as goals
from summaries import services as summaries
from tasks import services as tasks
from tasks.models import Task

SOURCE = "api"
# Per past day (oldest first): the day's work as (title, category, start hour, minutes,
# completed), then morning and evening (mood, energy), then km run and pages read.
WEEK = [
    ([("Preparar informe trimestral", "Trabajo", 9, 120, False)], (3, 3), (4, 3), 5, 20),
    ([("Preparar informe trimestral", "Trabajo", 9, 150, True)], (4, 4), (4, 3), 0, 35),
    ([("Revisar presupuesto", "Trabajo", 10, 90, True)], (2, 2), (3, 2), 0, 10),
    ([("Llamar al banco", "Personal", 12, 20, True)], (3, 4), (4, 4), 6, 30),
    ([("Diseñar la presentación", "Trabajo", 9, 180, False)], (4, 4), (3, 2), 0, 15),
    ([("Diseñar la presentación", "Trabajo", 9, 120, True)], (5, 4), (4, 3), 7, 40),
    ([("Ordenar el trastero", "Personal", 11, 75, True)], (4, 5), (5, 4), 8, 25),
]


class Command(BaseCommand):
    help = "Create a demo user with a week of tasks, time, goals, check-ins and summaries."

    def add_arguments(self, parser):
        parser.add_argument("--email", default="demo@example.com")
        parser.add_argument(
            "--reset", action="store_true", help="Delete that user and their data first."
        )

    def handle(self, *args, email, reset, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo does not run in production.")
        email = normalize_email(email)
        existing = User.objects.filter(email=email).first()
        if existing is not None and not reset:
            raise CommandError(f"{email} already exists; --reset deletes it and seeds again.")
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            if existing is not None:
                existing.delete()
            user = User.objects.create_user(
                email=email,
                password=password,
                name="Demo",
                timezone="Europe/Madrid",
                language="es",
                preferences={"summary_hour": 21},
            )
            self._week(user)
        count = user.daily_summaries.count()
        self.stdout.write(self.style.SUCCESS(f"Demo user ready, {count} daily summaries."))
        self.stdout.write(f"  email:    {email}")
        self.stdout.write(f"  password: {password}")

    def _week(self, user: User) -> None:
        today = user.local_now().date()
        first = today - timedelta(days=len(WEEK))

        def at(day: date, hour: int, minute: int = 0) -> datetime:
            return datetime(day.year, day.month, day.day, hour, minute, tzinfo=user.tz)

        categories = {
            name: tasks.category_create(user=user, name=name, color=color)
            for name, color in (("Trabajo", "#2563EB"), ("Personal", "#16A34A"))
        }
        running = goals.goal_create(
            user=user,
            source=SOURCE,
            title="Correr 20 km a la semana",
            target_value=Decimal(20),
            unit="km",
            period="weekly",
            start_date=first,
        )
        reading = goals.goal_create(
            user=user,
            source=SOURCE,
            title="Leer 25 páginas al día",
            target_value=Decimal(25),
            unit="páginas",
            period="daily",
            start_date=first,
        )
        open_tasks: dict[str, Task] = {}
        for offset, (work, morning, evening, km, pages) in enumerate(WEEK):
            day = first + timedelta(days=offset)
            checkins.checkin_create(
                user=user,
                source=SOURCE,
                kind="morning",
                mood=morning[0],
                energy=morning[1],
                recorded_at=at(day, 8, 15),
            )
            for title, category, hour, minutes, done in work:
                task = open_tasks.pop(title, None)
                if task is None:
                    task = tasks.task_create(
                        user=user, source=SOURCE, title=title, category=categories[category]
                    )
                    Task.objects.filter(pk=task.pk).update(created_at=at(day, hour - 1, 50))
                start = at(day, hour)
                tasks.task_start(user=user, task=task, source=SOURCE, now=start)
                end = start + timedelta(minutes=minutes)
                if done:
                    tasks.task_complete(user=user, task=task, source=SOURCE, now=end)
                else:
                    tasks.task_pause(user=user, task=task, source=SOURCE, now=end)
                    open_tasks[title] = task
            if km:
                goals.goal_log_progress(
                    user=user,
                    goal=running,
                    value=Decimal(km),
                    recorded_at=at(day, 19),
                    source=SOURCE,
                )
            goals.goal_log_progress(
                user=user,
                goal=reading,
                value=Decimal(pages),
                recorded_at=at(day, 22, 30),
                source=SOURCE,
            )
            checkins.checkin_create(
                user=user,
                source=SOURCE,
                kind="evening",
                mood=evening[0],
                energy=evening[1],
                note="Buen día." if evening[0] >= 4 else "",
                recorded_at=at(day, 21, 30),
            )
        # Today: a task with its timer running since a moment ago, one waiting for tomorrow.
        today_task = tasks.task_create(
            user=user, source=SOURCE, title="Responder correos", category=categories["Trabajo"]
        )
        tasks.task_start(user=user, task=today_task, source=SOURCE)
        tasks.task_create(user=user, source=SOURCE, title="Comprar regalo de cumpleaños")
        for offset in range(len(WEEK)):
            summaries.summary_generate(
                user=user, day=first + timedelta(days=offset), source="schedule"
            )
