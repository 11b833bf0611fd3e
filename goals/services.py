"""Writes for goals and their progress. Each function owns its transaction and the goal's row
lock, records who acted (`source`), and announces the change to the user's live sockets.

A goal given a category takes the user's lock first (accounts/locks.py), then the goal's, and
checks under it that the category still exists: `category_delete` takes the same user lock, so
a category cannot be deleted between that check and the commit (a broken foreign key, a 500).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.locks import lock_user
from accounts.models import User
from config.sources import check_source
from config.sql import Columns, Statement, insert_all, pk_param, select_with_related, update_fields
from goals.errors import (
    GoalArchived,
    GoalInvalid,
    GoalNotFound,
    GoalNotPeriodic,
    GoalPauseNotFound,
    GoalPauseOver,
    GoalPauseOverlap,
)
from goals.models import GOAL_INPUT_FIELDS, Goal, GoalPause, GoalProgress
from goals.pauses import pause_date_errors
from goals.realtime import progress_data, publish_goal, publish_goal_deleted
from goals.selectors import goal_stats, goal_total, new_goal_stats
from tasks.errors import UNKNOWN_CATEGORY

MAX_PROGRESS_VALUE = Decimal(1_000_000)
UPDATABLE_FIELDS = frozenset({*GOAL_INPUT_FIELDS, "status"})


def _check_fields(
    *, user: User, category, target_value: Decimal, start_date: date, due_date: date | None
) -> None:
    """Invariants the serializers also check, repeated here for callers that skip them. With
    `_full_clean` they are the table's check constraints, checked without a query."""
    fields = {}
    if target_value <= 0:
        fields["target_value"] = [_("The target must be greater than 0.")]
    if category is not None and category.user_id != user.pk:
        fields["category"] = [UNKNOWN_CATEGORY]
    if due_date is not None and due_date < start_date:
        fields["due_date"] = [_("The due date cannot be before the start date.")]
    if fields:
        raise GoalInvalid(fields=fields)


def _full_clean(goal: Goal) -> None:
    """Field rules (lengths, choices, decimal places) without a query: the check constraints
    are the database's to enforce (`_check_fields` and `_sync_achievement` keep to them), and
    the primary key is a fresh UUID."""
    goal.full_clean(exclude=["user", "category"], validate_unique=False, validate_constraints=False)


def _sync_achievement(goal: Goal, *, total: Decimal | None = None) -> None:
    """Sets status/achieved_at from the progress total (the caller holds the row lock).

    Only goals without a period are achieved: a periodic goal is a habit measured period by
    period (see its streak). Archived goals are left alone.
    """
    if goal.status == Goal.Status.ARCHIVED:
        return
    if not goal.is_periodic:
        total = goal_total(goal=goal) if total is None else total
        if total >= goal.target_value:
            if goal.status != Goal.Status.ACHIEVED:
                goal.status = Goal.Status.ACHIEVED
                goal.achieved_at = goal.achieved_at or timezone.now()
            return
    goal.status = Goal.Status.ACTIVE
    goal.achieved_at = None


def _keep_category(*, user: User, category) -> None:
    """With a category to point at: the user lock, then the category must still exist."""
    if category is None:
        return
    lock_user(user.pk)
    categories = Goal._meta.get_field("category").related_model._default_manager
    if not categories.filter(pk=category.pk, user_id=user.pk).exists():
        raise GoalInvalid(fields={"category": [UNKNOWN_CATEGORY]})


def _lock(goal: Goal) -> Goal:
    # Serializes writers on one goal: two progress entries landing together must both be
    # counted before either decides whether the goal is achieved.
    rows = _goal_lock.instances([pk_param(Goal, goal.pk), pk_param(Goal, goal.user_id)])
    if not rows:
        raise GoalNotFound()
    locked, category, *_rest = rows[0]
    locked.category = category
    return locked


def _goal_lock_sql(connection):
    qn = connection.ops.quote_name
    goal = Columns(Goal, Goal._meta.db_table)
    category_model = Goal._meta.get_field("category").related_model
    category = Columns(category_model, category_model._meta.db_table)
    where = f"{qn(goal.alias)}.{qn('id')} = %s AND {qn(goal.alias)}.{qn('user_id')} = %s"
    sql = select_with_related(connection, goal, category, "category", where=where, lock=True)
    return sql, [goal, category]


# Written once (config/sql.py): every write on a goal starts with it.
_goal_lock = Statement(_goal_lock_sql)


def goal_create(
    *,
    user: User,
    source: str,
    title: str,
    target_value: Decimal,
    unit: str,
    period: str = "none",
    description: str = "",
    category=None,
    start_date: date | None = None,
    due_date: date | None = None,
) -> Goal:
    """A new active goal; `start_date` defaults to the user's local today."""
    check_source(source)
    start_date = start_date or user.local_now().date()
    _check_fields(
        user=user,
        category=category,
        target_value=target_value,
        start_date=start_date,
        due_date=due_date,
    )
    with transaction.atomic():
        _keep_category(user=user, category=category)
        goal = Goal(
            user=user,
            source=source,
            title=title,
            description=description,
            category=category,
            target_value=target_value,
            unit=unit,
            period=period,
            start_date=start_date,
            due_date=due_date,
        )
        _full_clean(goal)
        goal.save()
        publish_goal(goal, source=source, stats=new_goal_stats(goal, user=user))
    return goal


def goal_update(*, user: User, goal: Goal, source: str, **fields) -> Goal:
    """Changes the given fields and re-evaluates achievement, under the goal's row lock.

    `status` accepts "active" (un-archive; the goal comes back achieved when its total already
    meets the target) and "archived". An archived goal only changes together with
    `status="active"`; anything else on it is 409 goal_archived.
    """
    check_source(source)
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"goal_update() got unexpected fields: {sorted(unknown)}")
    if goal.user_id != user.pk:
        raise GoalNotFound()
    new_status = fields.pop("status", None)
    if new_status == Goal.Status.ACHIEVED:
        raise GoalInvalid(fields={"status": [_("A goal is achieved by logging progress.")]})
    with transaction.atomic():
        _keep_category(user=user, category=fields.get("category"))  # before the goal's lock
        goal = _lock(goal)
        goal.user = user
        unarchiving = goal.status == Goal.Status.ARCHIVED and new_status == Goal.Status.ACTIVE
        changes = {k: v for k, v in fields.items() if getattr(goal, k) != v}
        if goal.status == Goal.Status.ARCHIVED and not unarchiving:
            if changes:
                raise GoalArchived()
            return goal
        _check_fields(
            user=user,
            category=fields.get("category", goal.category),
            target_value=fields.get("target_value", goal.target_value),
            start_date=fields.get("start_date", goal.start_date),
            due_date=fields.get("due_date", goal.due_date),
        )
        before = (goal.status, goal.achieved_at)
        for name, value in changes.items():
            setattr(goal, name, value)
        if unarchiving:
            goal.status = Goal.Status.ACTIVE  # _sync_achievement decides achieved or not
        if new_status == Goal.Status.ARCHIVED:
            goal.status = Goal.Status.ARCHIVED
        else:
            _sync_achievement(goal)
        if not changes and (goal.status, goal.achieved_at) == before:
            return goal
        _full_clean(goal)
        goal.save()
        publish_goal(goal, source=source)
    return goal


def goal_delete(*, user: User, goal: Goal, source: str) -> None:
    """Deletes the goal and all its progress (archiving is the way to keep it)."""
    check_source(source)
    if goal.user_id != user.pk:
        raise GoalNotFound()
    goal_id = goal.pk
    with transaction.atomic():
        Goal.objects.filter(pk=goal_id, user=user).delete()
        publish_goal_deleted(user.pk, goal_id, source=source)


def goal_log_progress(
    *,
    user: User,
    goal: Goal,
    value: Decimal,
    note: str = "",
    recorded_at: datetime | None = None,
    source: str,
    actor: User | None = None,
) -> GoalProgress:
    """Logs progress (negative values correct earlier entries). A goal without a period becomes
    achieved when its total reaches the target, and active again when a correction takes it
    back below, in the same transaction. 409 goal_archived on an archived goal.

    The entry comes back with `.goal` and `.goal_stats` (the goal's statistics including it,
    as the live update carried them), so the answer needs no second read."""
    check_source(source)
    if goal.user_id != user.pk:
        raise GoalNotFound()
    value = Decimal(value)
    if value == 0:
        raise GoalInvalid(fields={"value": [_("The value cannot be zero.")]})
    if abs(value) > MAX_PROGRESS_VALUE or value != value.quantize(Decimal("0.01")):
        raise GoalInvalid(
            fields={"value": [_("Use at most 2 decimal places and at most 1,000,000.")]}
        )
    with transaction.atomic():
        goal = _lock(goal)
        goal.user = user
        if goal.status == Goal.Status.ARCHIVED:
            raise GoalArchived()
        progress = GoalProgress(
            goal=goal,
            user=user,
            value=value,
            note=note,
            recorded_at=recorded_at or timezone.now(),
            source=source,
            actor=actor,
        )
        insert_all([progress])  # progress.save() without compiling its INSERT (config/sql.py)
        # The statistics include every entry, this one too: their total decides achievement.
        stats = goal_stats(goal, user=user)
        before = (goal.status, goal.achieved_at)
        _sync_achievement(goal, total=stats.total_value)
        if (goal.status, goal.achieved_at) != before:
            update_fields(goal, ["status", "achieved_at"])
        publish_goal(goal, source=source, stats=stats, progress=progress_data(progress))
    progress.goal = goal
    progress.goal_stats = stats  # the goal's statistics with this entry, read once
    return progress


def goal_progress_delete(*, user: User, progress: GoalProgress, source: str) -> Goal:
    """Removes one progress entry (staff corrections in the admin) and re-evaluates the goal."""
    check_source(source)
    with transaction.atomic():
        goal = _lock(progress.goal)
        goal.user = user
        GoalProgress.objects.filter(pk=progress.pk, user=user).delete()
        before = (goal.status, goal.achieved_at)
        _sync_achievement(goal)
        if (goal.status, goal.achieved_at) != before:
            goal.save(update_fields=["status", "achieved_at", "updated_at"])
        publish_goal(goal, source=source)
    return goal


def goal_pause(
    *,
    user: User,
    goal: Goal,
    date_from: date,
    date_to: date,
    reason: str = "",
    source: str,
    now: datetime | None = None,
) -> GoalPause:
    """Pauses a periodic goal over local days `date_from`..`date_to` (inclusive): those days
    neither break its streak nor count against their period (goals/pauses.py). 409
    goal_archived, goal_not_periodic, or goal_pause_overlap when another pause of the goal
    shares a day (pauses of one goal never overlap, so ending one early is unambiguous)."""
    check_source(source)
    if goal.user_id != user.pk:
        raise GoalNotFound()
    today = (now or timezone.now()).astimezone(user.tz).date()
    fields = pause_date_errors(date_from, date_to, today=today)
    if fields:
        raise GoalInvalid(fields=fields)
    with transaction.atomic():
        goal = _lock(goal)  # two overlapping pauses asked for at once: one of them is refused
        goal.user = user
        if goal.status == Goal.Status.ARCHIVED:
            raise GoalArchived()
        if not goal.is_periodic:
            raise GoalNotPeriodic()
        overlapping = GoalPause.objects.filter(
            goal=goal, date_from__lte=date_to, date_to__gte=date_from
        )
        if overlapping.exists():
            raise GoalPauseOverlap()
        pause = GoalPause.objects.create(
            goal=goal,
            user=user,
            date_from=date_from,
            date_to=date_to,
            reason=reason,
            source=source,
        )
        publish_goal(goal, source=source)
    pause.goal = goal
    return pause


def goal_pause_end(
    *, user: User, pause: GoalPause, source: str, now: datetime | None = None
) -> GoalPause | None:
    """Ends a pause early: one under way now ends yesterday (today counts again), one that has
    not begun (or begins today) is removed and None is answered. A pause already over is 409
    goal_pause_over: its days stay paused, history is not rewritten."""
    check_source(source)
    if pause.user_id != user.pk:
        raise GoalNotFound()
    today = (now or timezone.now()).astimezone(user.tz).date()
    with transaction.atomic():
        goal = _lock(pause.goal)
        goal.user = user
        if goal.status == Goal.Status.ARCHIVED:
            raise GoalArchived()
        pause = GoalPause.objects.filter(pk=pause.pk, goal=goal).first()
        if pause is None:  # ended meanwhile by another request
            raise GoalPauseNotFound()
        if pause.date_to < today:
            raise GoalPauseOver()
        if pause.date_from >= today:
            pause.delete()
            pause = None
        else:
            pause.date_to = today - timedelta(days=1)
            pause.save(update_fields=["date_to", "updated_at"])
            pause.goal = goal
        publish_goal(goal, source=source)
    return pause
