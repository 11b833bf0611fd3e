"""Write daily summaries now, without the worker:

    manage.py generate_daily_summaries                 every active user's local yesterday
    manage.py generate_daily_summaries --date 2026-11-30 [--user ana@example.com] [--force]
    manage.py generate_daily_summaries --due           what the 15-minute schedule would queue

A day that already has its summary is skipped unless --force (then it is regenerated). One
user's failure is counted and reported, and the others go on. Prints a progress bar (on
stderr) when there are many users, then "generated N, skipped N, failed N"; when any failed it
ends with an error (exit status 1).
"""

import logging
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User, normalize_email
from summaries import services
from summaries.selectors import summary_find

logger = logging.getLogger(__name__)

# A bar from this many users on; below it the run is over before one would help.
PROGRESS_FROM = 20
BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Generate daily summaries now (for a date, a user, or whoever is due)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="The local day to summarise (default: each user's local yesterday).",
        )
        parser.add_argument("--user", metavar="EMAIL", help="Only this user.")
        parser.add_argument(
            "--due",
            action="store_true",
            help="Exactly the users the schedule would pick now (their summary hour has passed "
            "and today has no summary yet).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Regenerate days that already have a summary."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, date=None, user=None, due=False, force=False, **options):
        if due and (date or force):
            raise CommandError("--due picks the day itself: not with --date or --force.")
        work = self._work(day=date, email=user, due=due)
        show_bar = (
            len(work) >= PROGRESS_FROM and options["verbosity"] >= 1 and not options["no_progress"]
        )
        counts = {"generated": 0, "skipped": 0, "failed": 0}
        source = "schedule" if due else "admin"
        for done, (person, day) in enumerate(work, start=1):
            counts[self._one(person, day, source=source, force=force, due=due)] += 1
            if show_bar:
                self._bar(done, len(work))
        if show_bar:
            self.stderr.write("")
        self.stdout.write(
            "generated {generated}, skipped {skipped}, failed {failed}".format(**counts)
        )
        logger.info("generate_daily_summaries: %s", counts)
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} summary(ies) failed; see the log.")

    def _work(self, *, day, email, due) -> list[tuple[User, date | None]]:
        users = User.objects.filter(is_active=True).order_by("email")
        if email:
            users = users.filter(email=normalize_email(email))
            if not users.exists():
                raise CommandError(f"No active user with email {email!r}.")
        if due:
            picked = dict(services.due_summaries())
            return [(person, picked[person.pk]) for person in users.filter(pk__in=list(picked))]
        # No date: each user's local yesterday, worked out per user (in _one).
        return [(person, day) for person in users]

    def _one(self, person: User, day: date | None, *, source: str, force: bool, due: bool) -> str:
        try:
            day = day or services.previous_local_day(person)
            if day > person.local_now().date():
                return "skipped"  # still in the future where this person lives
            if due and not services.summary_is_due(user=person, day=day):
                return "skipped"
            if not due and not force and summary_find(user=person, day=day) is not None:
                return "skipped"
            services.summary_generate(user=person, day=day, source=source)
        except Exception:
            # The id, not the email: logs carry no personal data.
            logger.exception("summary failed: user=%s day=%s", person.pk, day)
            return "failed"
        return "generated"

    def _bar(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}", ending=""
        )
        self.stderr.flush()
