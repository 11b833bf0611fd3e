"""The check-in admin: filters, search, and writes through the services (source admin)."""

import pytest
from django.test import Client

from checkins.models import CheckIn
from checkins.services import checkin_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    admin = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


def test_changelist_with_filters_and_search(staff, user):
    checkin_create(user=user, source="api", mood=3, energy=4, note="cansada")

    for path in (
        "/admin/checkins/checkin/?kind__exact=adhoc&q=cansada",
        "/admin/checkins/checkin/?mood=3&source__exact=api",
    ):
        assert staff.get(path).status_code == 200


def test_adding_and_changing_in_admin_go_through_the_services(staff, user):
    data = {
        "user": str(user.pk),
        "kind": "morning",
        "mood": "4",
        "energy": "2",
        "note": "",
        "recorded_at_0": "2026-11-20",
        "recorded_at_1": "08:00:00",
    }

    assert staff.post("/admin/checkins/checkin/add/", data).status_code == 302
    checkin = CheckIn.objects.get()
    assert (checkin.source, checkin.mood) == ("admin", 4)

    changed = {**data, "mood": "5"}
    del changed["user"]
    assert staff.post(f"/admin/checkins/checkin/{checkin.pk}/change/", changed).status_code == 302
    checkin.refresh_from_db()
    assert checkin.mood == 5


def test_out_of_scale_values_are_form_errors(staff, user):
    data = {
        "user": str(user.pk),
        "kind": "adhoc",
        "mood": "9",
        "energy": "2",
        "note": "",
        "recorded_at_0": "2026-11-20",
        "recorded_at_1": "08:00:00",
    }

    assert staff.post("/admin/checkins/checkin/add/", data).status_code == 200
    assert not CheckIn.objects.exists()


def test_deleting_in_admin(staff, user):
    checkin = checkin_create(user=user, source="api", mood=3, energy=3)

    assert (
        staff.post(f"/admin/checkins/checkin/{checkin.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert not CheckIn.objects.exists()
