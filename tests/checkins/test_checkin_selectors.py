"""checkins_on_day and checkin_get."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from checkins.selectors import checkin_get, checkins_on_day
from checkins.services import checkin_create
from config.exceptions import DomainError

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


def test_checkins_on_a_local_day(make_user, other_user):
    user = make_user(timezone="Asia/Tokyo")

    def make(owner, *when):
        return checkin_create(
            user=owner, source="api", mood=3, energy=3, recorded_at=datetime(*when, tzinfo=TOKYO)
        )

    make(user, 2026, 11, 9, 23, 59)
    first = make(user, 2026, 11, 10, 0, 0)  # 15:00 UTC on the 9th
    second = make(user, 2026, 11, 10, 23, 59)
    make(user, 2026, 11, 11, 0, 0)
    make(other_user, 2026, 11, 10, 12, 0)

    assert list(checkins_on_day(user=user, day=date(2026, 11, 10))) == [first, second]


@pytest.mark.parametrize("checkin_id", ["stats", None, str(uuid.uuid4())])
def test_checkin_get_is_not_found_for_bad_or_unknown_ids(user, checkin_id):
    with pytest.raises(DomainError) as caught:
        checkin_get(user=user, checkin_id=checkin_id)

    assert caught.value.code == "not_found"


def test_checkin_get_hides_other_users_checkins(user, other_user):
    checkin = checkin_create(user=other_user, source="api", mood=3, energy=3)

    with pytest.raises(DomainError):
        checkin_get(user=user, checkin_id=checkin.pk)
