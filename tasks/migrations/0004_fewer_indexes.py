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
        ('tasks', '0003_taskevent_actor'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='category',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='categories', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='task',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='taskevent',
                    name='actor',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='acting staff member'),
                ),
                migrations.AlterField(
                    model_name='taskevent',
                    name='task',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='tasks.task', verbose_name='task'),
                ),
                migrations.AlterField(
                    model_name='taskevent',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='task_events', to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "categories_user_id_4315f8c7"',
                    reverse_sql='CREATE INDEX "categories_user_id_4315f8c7" ON "categories" ("user_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "tasks_user_id_a61564ca"',
                    reverse_sql='CREATE INDEX "tasks_user_id_a61564ca" ON "tasks" ("user_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "task_events_actor_id_95c42108"',
                    reverse_sql='CREATE INDEX "task_events_actor_id_95c42108" ON "task_events" ("actor_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "task_events_task_id_467214ce"',
                    reverse_sql='CREATE INDEX "task_events_task_id_467214ce" ON "task_events" ("task_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "task_events_user_id_5fc1c953"',
                    reverse_sql='CREATE INDEX "task_events_user_id_5fc1c953" ON "task_events" ("user_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name='taskevent',
            index=models.Index(condition=models.Q(('actor__isnull', False)), fields=['actor'], name='task_events_actor_idx'),
        ),
    ]
