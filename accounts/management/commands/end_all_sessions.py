"""End every session of every user: `manage.py end_all_sessions`.

For a restored database (deploy/restore.sh already does the same, in SQL, for the database it
restores) and for a signing key or database that may have leaked. Every access and refresh
token issued before is refused from the next request on, and open sockets are closed with
4001 (`session.ended`, reason `all_sessions_ended`); everyone signs in again.
"""

from django.core.management.base import BaseCommand

from accounts.sessions import sessions_end_all


class Command(BaseCommand):
    help = (
        "End every session of every user: every access and refresh token issued so far is "
        "refused, open sockets are closed, and everyone signs in again. Run it after "
        "restoring a database (restore.sh already did) or when tokens may have leaked."
    )

    def handle(self, *args, **options):
        users = sessions_end_all()
        self.stdout.write(f"ended every session of {users} user(s); everyone signs in again")
