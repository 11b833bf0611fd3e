"""`manage.py export_user EMAIL [--output FILE]`: the same zip as GET /api/v1/export, for an
operator answering a person's request. Without --output the zip goes to standard output."""

import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User, normalize_email
from privacy.export import export_chunks


class Command(BaseCommand):
    help = "Write everything one user has as a zip (the same as GET /api/v1/export)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--output", "-o", help="the zip file to write (default: stdout)")

    def handle(self, *args, email, output=None, **options):
        user = User.objects.filter(email__iexact=normalize_email(email)).first()
        if user is None:
            raise CommandError(f"no user with the email {email!r}")
        if output:
            with open(output, "wb") as target:
                size = self._write(target, user)
            self.stderr.write(f"wrote {size} bytes to {output}")
        else:
            self._write(sys.stdout.buffer, user)

    @staticmethod
    def _write(target, user) -> int:
        size = 0
        for chunk in export_chunks(user=user):
            target.write(chunk)
            size += len(chunk)
        target.flush()
        return size
