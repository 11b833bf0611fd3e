"""Email verification: when an address was verified and when it last changed.

Accounts that exist when this runs are taken as verified, as of this moment (docs/accounts.md):
they signed up before addresses were checked at all (most on the Node service), have signed in
with that address since, and nothing says any of them mistyped it; marking them unverified would
only nag every existing person for an address the service has been using all along.
"""

from django.db import migrations, models
from django.db.models.functions import Now


def existing_users_are_verified(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_verified_at__isnull=True).update(email_verified_at=Now())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_account_deletions_and_admin_access_log"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_changed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="email changed at"),
        ),
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="email verified at"),
        ),
        migrations.RunPython(existing_users_are_verified, migrations.RunPython.noop),
    ]
