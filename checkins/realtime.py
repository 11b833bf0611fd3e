"""Live updates of check-ins: the payload, built from the model (no serializer: services
import this module), and its publishing through config/realtime.py. `CheckInSerializer`
renders with `checkin_data` too, so the frame and the REST representation are one."""

from datetime import tzinfo

from checkins.models import CheckIn
from config import realtime
from config.fields import iso_datetime


def checkin_data(checkin: CheckIn, tz: tzinfo | None = None) -> dict:
    return {
        "id": str(checkin.pk),
        "kind": checkin.kind,
        "mood": checkin.mood,
        "energy": checkin.energy,
        "note": checkin.note,
        "recorded_at": iso_datetime(checkin.recorded_at, tz),
        "source": checkin.source,
        "created_at": iso_datetime(checkin.created_at, tz),
        "updated_at": iso_datetime(checkin.updated_at, tz),
    }


def publish_checkin(checkin: CheckIn, event_type: str, *, source: str) -> None:
    """`event_type` is "checkin.created" or "checkin.updated"."""
    payload = {"check_in": checkin_data(checkin), "source": source}
    realtime.publish(checkin.user_id, event_type, payload)


def publish_checkin_deleted(user_id, checkin_id, *, source: str) -> None:
    payload = {"check_in_id": str(checkin_id), "source": source}
    realtime.publish(user_id, "checkin.deleted", payload)
