"""Writes for check-ins: each owns its transaction, records who acted (`source`) and announces
the change to the user's live sockets."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from checkins.errors import CheckInInvalid, CheckInNotFound
from checkins.models import CheckIn
from checkins.realtime import publish_checkin, publish_checkin_deleted
from config.sources import check_source
from config.sql import insert_all

UPDATABLE_FIELDS = frozenset({"kind", "mood", "energy", "note", "recorded_at"})


def _check_scale(**values) -> None:
    fields = {
        name: [_("Use a whole number from 1 to 5.")]
        for name, value in values.items()
        if value is not None and (isinstance(value, bool) or value not in range(1, 6))
    }
    if fields:
        raise CheckInInvalid(fields=fields)


def _full_clean(checkin: CheckIn) -> None:
    """Field rules (lengths, choices, the 1-5 validators) without a query: the table's check
    constraints are the database's to enforce, and the primary key is a fresh UUID."""
    checkin.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)


def checkin_create(
    *,
    user: User,
    source: str,
    mood: int,
    energy: int,
    kind: str = CheckIn.Kind.ADHOC,
    note: str = "",
    recorded_at: datetime | None = None,
) -> CheckIn:
    check_source(source)
    _check_scale(mood=mood, energy=energy)
    checkin = CheckIn(
        user=user,
        source=source,
        kind=kind,
        mood=mood,
        energy=energy,
        note=note,
        recorded_at=recorded_at or timezone.now(),
    )
    _full_clean(checkin)
    # One INSERT, committed on its own (no BEGIN/COMMIT round trips around a single statement),
    # without compiling it each time (config/sql.py); the live update goes after it.
    insert_all([checkin])
    publish_checkin(checkin, "checkin.created", source=source)
    return checkin


def checkin_update(*, user: User, checkin: CheckIn, source: str, **fields) -> CheckIn:
    check_source(source)
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"checkin_update() got unexpected fields: {sorted(unknown)}")
    if checkin.user_id != user.pk:
        raise CheckInNotFound()
    _check_scale(mood=fields.get("mood"), energy=fields.get("energy"))
    with transaction.atomic():
        # Two devices editing the same check-in: the later write wins whole, never a mix.
        checkin = CheckIn.objects.select_for_update().get(pk=checkin.pk, user=user)
        changes = {k: v for k, v in fields.items() if getattr(checkin, k) != v}
        if not changes:
            return checkin
        for name, value in changes.items():
            setattr(checkin, name, value)
        _full_clean(checkin)
        checkin.save()
        publish_checkin(checkin, "checkin.updated", source=source)
    return checkin


def checkin_delete(*, user: User, checkin: CheckIn, source: str) -> None:
    check_source(source)
    if checkin.user_id != user.pk:
        raise CheckInNotFound()
    checkin_id = checkin.pk
    with transaction.atomic():
        CheckIn.objects.filter(pk=checkin_id, user=user).delete()
        publish_checkin_deleted(user.pk, checkin_id, source=source)
