"""checkin_create / checkin_update / checkin_delete and their live updates."""

import pytest

from checkins.models import CheckIn
from checkins.services import checkin_create, checkin_delete, checkin_update
from config.exceptions import DomainError

pytestmark = pytest.mark.django_db


def test_create_records_source(user):
    checkin = checkin_create(user=user, source="assistant", mood=2, energy=4, kind="morning")

    assert (checkin.source, checkin.kind, checkin.mood) == ("assistant", "morning", 2)


def test_service_rejects_out_of_scale_values(user):
    with pytest.raises(DomainError) as caught:
        checkin_create(user=user, source="api", mood=7, energy=0)

    assert set(caught.value.fields) == {"mood", "energy"}
    assert not CheckIn.objects.exists()


def test_service_rejects_unknown_source(user):
    with pytest.raises(ValueError):
        checkin_create(user=user, source="robot", mood=3, energy=3)


def test_update_and_delete_refuse_another_users_checkin(user, other_user):
    checkin = checkin_create(user=user, source="api", mood=3, energy=3)

    with pytest.raises(DomainError) as caught:
        checkin_update(user=other_user, checkin=checkin, source="api", mood=1)
    assert caught.value.code == "not_found"
    with pytest.raises(DomainError):
        checkin_delete(user=other_user, checkin=checkin, source="api")

    checkin.refresh_from_db()
    assert checkin.mood == 3


def test_changes_are_published_after_commit(user, listen, django_capture_on_commit_callbacks):
    listener = listen(user)
    with django_capture_on_commit_callbacks(execute=True):
        checkin = checkin_create(user=user, source="api", mood=3, energy=4, note="hola")
        checkin_update(user=user, checkin=checkin, source="assistant", mood=5)
        checkin_update(user=user, checkin=checkin, source="api", mood=5)  # no change: silent
        checkin_delete(user=user, checkin=checkin, source="api")

    frames = listener.frames()

    assert [f["type"] for f in frames] == ["checkin.created", "checkin.updated", "checkin.deleted"]
    assert frames[0]["check_in"]["note"] == "hola"
    assert frames[1]["check_in"]["mood"] == 5
    assert frames[1]["source"] == "assistant"
    assert frames[2]["check_in_id"] == str(checkin.pk)
