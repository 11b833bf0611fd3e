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
        ('goals', '0002_goalprogress_actor'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='goal',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='goals', to=settings.AUTH_USER_MODEL, verbose_name='user'),
                ),
                migrations.AlterField(
                    model_name='goalprogress',
                    name='actor',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='acting staff member'),
                ),
                migrations.AlterField(
                    model_name='goalprogress',
                    name='goal',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='progress', to='goals.goal', verbose_name='goal'),
                ),
                migrations.AlterField(
                    model_name='goalprogress',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='goal_progress', to=settings.AUTH_USER_MODEL, verbose_name='user'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "goals_user_id_7678e2da"',
                    reverse_sql='CREATE INDEX "goals_user_id_7678e2da" ON "goals" ("user_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "goal_progress_actor_id_e2886ee6"',
                    reverse_sql='CREATE INDEX "goal_progress_actor_id_e2886ee6" ON "goal_progress" ("actor_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "goal_progress_goal_id_01a5026e"',
                    reverse_sql='CREATE INDEX "goal_progress_goal_id_01a5026e" ON "goal_progress" ("goal_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "goal_progress_user_id_d55af0ab"',
                    reverse_sql='CREATE INDEX "goal_progress_user_id_d55af0ab" ON "goal_progress" ("user_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name='goalprogress',
            index=models.Index(condition=models.Q(('actor__isnull', False)), fields=['actor'], name='goal_progress_actor_idx'),
        ),
    ]
