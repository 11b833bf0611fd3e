"""Import the Fastify service's users and data:
`manage.py import_legacy --database-url postgres://… [--dry-run]` (docs/legacy-import.md)."""

import re
from pathlib import Path

import psycopg
from django.core.management.base import BaseCommand, CommandError

from accounts.legacy.importer import LegacyImportError, legacy_import


class Command(BaseCommand):
    help = (
        "Copy the users (with their bcrypt password hashes) and every row of the Fastify "
        "service's database into this one, keeping the ids. Reads the old database read-only; "
        "a second run imports nothing; refuses, writing nothing, when a column it needs is "
        "missing or a row cannot come over. Prints read / imported / already there per table."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database-url",
            required=True,
            help="the old database, e.g. postgres://agente@fastify_postgres:5432/agente",
        )
        parser.add_argument(
            "--database-password-file",
            help="a file holding the old database's password (keeps it out of the command line)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="do everything in a transaction that is rolled back: the counts, nothing kept",
        )

    def handle(self, *args, database_url, database_password_file, dry_run, **options):
        password = None
        if database_password_file:
            try:
                password = Path(database_password_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise CommandError(f"import_legacy: cannot read the password file: {exc}") from exc
        try:
            counts = legacy_import(database_url=database_url, dry_run=dry_run, password=password)
        except LegacyImportError as exc:
            raise CommandError(f"import_legacy: {exc}") from exc
        except psycopg.Error as exc:
            # A malformed URL comes back inside the message (psycopg quotes it whole), so the
            # password is taken out of it; `from None`: the traceback would quote it again.
            detail = _without_password(str(exc), database_url, password)
            raise CommandError(f"import_legacy: cannot read the old database: {detail}") from None
        if dry_run:
            self.stdout.write("Dry run: what the import would do; nothing was written.")
        self.stdout.write(f"{'table':<16} {'read':>8} {'imported':>9} {'already there':>14}")
        for count in counts:
            if not count.present:
                self.stdout.write(f"{count.table:<16} {'-':>8} {'-':>9} {'-':>14}  (no such table)")
                continue
            self.stdout.write(
                f"{count.table:<16} {count.read:>8} {count.imported:>9} {count.already:>14}"
            )


def _without_password(text: str, database_url: str, password: str | None) -> str:
    """`text` with the URL's password and the file's password replaced by ***."""
    secrets = [password] if password else []
    match = re.match(r"^[a-z][a-z0-9+.-]*://[^:/@\[\]]*:([^@/]*)@", database_url)
    if match and match.group(1):
        secrets.append(match.group(1))
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
