"""Send a test notification to a person's devices: `manage.py send_test_push EMAIL`."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User, normalize_email
from accounts.notifications import send_test_push


class Command(BaseCommand):
    help = (
        "Send a test push notification to every device of the user with this email, now, "
        "and print what Expo answered (or that it was logged, when push is not configured)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        user = User.objects.filter(email=normalize_email(email)).first()
        if user is None:
            raise CommandError(f"No user with email {email!r}.")
        outcome, counts = send_test_push(user=user)
        if outcome == "no_devices":
            raise CommandError(f"{user.email} has no registered devices.")
        counts.log("send_test_push", user=str(user.pk))
        self.stdout.write(
            f"{user.email}: sent={counts.sent} logged={counts.logged} failed={counts.failed} "
            f"retrying={counts.retrying} devices_removed={counts.devices_removed}"
        )
        if not (counts.sent or counts.logged):
            raise CommandError("The test notification reached no device.")
