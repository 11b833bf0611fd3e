"""A person with at least one row of every kind, for the deletion and export tests. Rows are
made through the services where there are some (so tasks carry their events), directly
otherwise (messages, summaries, notifications: written by the assistant and the jobs)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.test import override_settings

from accounts import services as account_services
from accounts.models import AdminAccessLog, Notification, PushMessage
from chat.models import Conversation, Message, Nudge
from checkins import services as checkin_services
from goals import services as goal_services
from memories import services as memory_services
from planning.services import plan_build, review_generate
from summaries.models import DailySummary
from summaries.tasks import generate_summary
from tasks import services as task_services

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def fill_account(user, *, tag: str, staff=None) -> dict:
    """Every kind of row for `user`; `tag` goes into titles and notes (to tell people's rows
    apart in an export). `staff`, when given, acts on the user's rows as the admin does."""
    category = task_services.category_create(user=user, name=f"Trabajo {tag}")
    task = task_services.task_create(
        user=user, source="api", title=f"Informe {tag}", category=category
    )
    task_services.task_start(user=user, task=task, source="api", now=T0)
    task_services.task_pause(user=user, task=task, source="api", now=T0 + timedelta(minutes=30))
    task_services.task_log_time(
        user=user,
        task=task,
        started_at=T0 - timedelta(hours=3),
        ended_at=T0 - timedelta(hours=2),
        source="api",
        now=T0 + timedelta(hours=1),
        actor=staff,
    )
    goal = goal_services.goal_create(
        user=user,
        source="api",
        title=f"Leer {tag}",
        target_value=Decimal("10"),
        unit="libros",
        period="weekly",
    )
    progress = goal_services.goal_log_progress(
        user=user, goal=goal, value=Decimal("2"), note=f"nota {tag}", source="api", actor=staff
    )
    pause = goal_services.goal_pause(
        user=user,
        goal=goal,
        date_from=date(2026, 11, 9),
        date_to=date(2026, 11, 10),
        reason=f"viaje {tag}",
        source="api",
        now=T0,
    )
    plan, _ = plan_build(user=user, source="api", now=T0)
    review, _ = review_generate(user=user, week_start=date(2026, 10, 26), source="schedule", now=T0)
    checkin = checkin_services.checkin_create(
        user=user, source="api", mood=4, energy=3, note=f"animo {tag}"
    )
    memory = memory_services.memory_create(user=user, text=f"recuerdo {tag}", source="assistant")
    summary = DailySummary.objects.create(
        user=user,
        date=date(2026, 11, 2),
        stats={"tasks_completed": 0},
        text=f"resumen {tag}",
        language="es",
        source="schedule",
    )
    conversation = Conversation.objects.create(user=user, title=f"Charla {tag}")
    first = Message.objects.create(
        conversation=conversation, user=user, role="user", content=f"hola {tag}"
    )
    second = Message.objects.create(
        conversation=conversation, user=user, role="assistant", content=f"respuesta {tag}"
    )
    device, _ = account_services.device_register(
        user=user, expo_push_token=f"ExponentPushToken[{tag}]", platform="ios", name=tag
    )
    notification = Notification.objects.create(
        user=user,
        kind="test",
        dedupe_key=f"test-{tag}",
        local_date=date(2026, 11, 2),
        status="sent",
        title=f"aviso {tag}",
        body="cuerpo",
    )
    PushMessage.objects.create(
        notification=notification, device=device, token=device.expo_push_token
    )
    # The assistant's question about the timer above (chat/nudges.py), answered.
    nudge = Nudge.objects.create(
        user=user,
        kind="stale_timer",
        key=f"{task.pk}:{tag}",
        task=task,
        conversation=conversation,
        question=f"¿Paraste {tag}?",
        asked_at=T0 + timedelta(hours=3),
        run_started_at=T0,
        proposed_stopped_at=T0 + timedelta(minutes=30),
        answered_at=T0 + timedelta(hours=4),
        answer="continue",
        answered_by="push",
    )
    tokens = account_services.tokens_for(user)
    # A job queued for them in the database backend's table (its JSON holds their id).
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        generate_summary.enqueue(user_id=str(user.pk), day="2026-11-03", source="request")
    if staff is not None:
        AdminAccessLog.objects.create(
            staff=staff, owner=user, kind="check_in", view="change", object_id=checkin.pk, path="/"
        )
    return {
        "category": category,
        "task": task,
        "goal": goal,
        "progress": progress,
        "pause": pause,
        "plan": plan,
        "review": review,
        "checkin": checkin,
        "memory": memory,
        "summary": summary,
        "conversation": conversation,
        "messages": [first, second],
        "device": device,
        "notification": notification,
        "nudge": nudge,
        "tokens": tokens,
    }
