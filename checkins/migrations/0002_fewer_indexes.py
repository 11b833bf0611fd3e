"""Drop the single-column indexes Django made for foreign keys that every composite index of
their table already leads with (and the actor's, replaced by a partial index of its few
non-NULL rows): each was maintained on every insert and on the timer's updates for nothing.

Only those indexes are dropped, by name. AlterField(db_index=False) would also drop any other
index on the same single column (on PostgreSQL, tasks' partial unique index of the one running
task per user) and re-validate the foreign keys, so the state changes here and the database
change is written out."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('checkins', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='checkin',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='check_ins', to=settings.AUTH_USER_MODEL, verbose_name='user'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "check_ins_user_id_1671bee4"',
                    reverse_sql='CREATE INDEX "check_ins_user_id_1671bee4" ON "check_ins" ("user_id")',
                ),
            ],
        ),
    ]
