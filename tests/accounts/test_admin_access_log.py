"""Staff reading people's conversations and check-ins in the admin leaves a record: who, whose,
which object (or which list), when. The record is read-only; only superusers prune it."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import AdminAccessLog
from chat.models import Conversation, Message
from checkins.models import CheckIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    """Staff, not superuser: may view conversations, check-ins and the access log."""
    member = make_user(email="staff@example.com", is_staff=True)
    member.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_conversation",
                "view_message",
                "view_checkin",
                "view_adminaccesslog",
            ]
        )
    )
    return member


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def conversation(user):
    conv = Conversation.objects.create(user=user, title="Plan del lunes")
    Message.objects.create(conversation=conv, user=user, role="user", content="me siento mal")
    return conv


@pytest.fixture
def checkin(user):
    return CheckIn.objects.create(user=user, mood=2, energy=1, note="cansada")


def test_opening_someones_conversation_is_recorded(staff_client, staff, user, conversation):
    response = staff_client.get(f"/admin/chat/conversation/{conversation.pk}/change/")

    assert response.status_code == 200
    assert b"me siento mal" in response.content
    row = AdminAccessLog.objects.get()
    assert (row.staff, row.owner, row.kind, row.view, row.object_id) == (
        staff,
        user,
        "conversation",
        "change",
        conversation.pk,
    )


def test_opening_someones_checkin_is_recorded(staff_client, staff, user, checkin):
    response = staff_client.get(f"/admin/checkins/checkin/{checkin.pk}/change/")

    assert response.status_code == 200
    row = AdminAccessLog.objects.get()
    assert (row.staff, row.owner, row.kind, row.view, row.object_id) == (
        staff,
        user,
        "check_in",
        "change",
        checkin.pk,
    )


def test_a_list_page_records_each_owner_it_shows(staff_client, staff, user, other_user, checkin):
    CheckIn.objects.create(user=other_user, mood=5, energy=5)
    CheckIn.objects.create(user=staff, mood=3, energy=3)  # their own: not recorded

    response = staff_client.get("/admin/checkins/checkin/")

    assert response.status_code == 200
    rows = AdminAccessLog.objects.filter(view="list", kind="check_in")
    assert {row.owner for row in rows} == {user, other_user}
    assert all(row.staff == staff and row.object_id is None for row in rows)


def test_the_conversation_list_is_recorded(staff_client, user, conversation):
    assert staff_client.get("/admin/chat/conversation/").status_code == 200

    assert AdminAccessLog.objects.filter(view="list", kind="conversation", owner=user).exists()


def test_own_rows_and_missing_objects_record_nothing(staff_client, staff, conversation):
    own = Conversation.objects.create(user=staff, title="Mía")

    assert staff_client.get(f"/admin/chat/conversation/{own.pk}/change/").status_code == 200
    missing = "00000000-0000-0000-0000-000000000000"
    staff_client.get(f"/admin/chat/conversation/{missing}/change/")

    assert not AdminAccessLog.objects.exists()


def test_the_log_is_read_only_for_staff(staff_client, user, checkin):
    staff_client.get(f"/admin/checkins/checkin/{checkin.pk}/change/")
    row = AdminAccessLog.objects.get()

    page = staff_client.get(f"/admin/accounts/adminaccesslog/{row.pk}/change/")
    assert page.status_code == 200
    assert b'name="owner"' not in page.content
    assert staff_client.post(f"/admin/accounts/adminaccesslog/{row.pk}/delete/").status_code == 403
    assert AdminAccessLog.objects.filter(pk=row.pk).exists()


def test_a_superuser_may_prune_the_log(make_user, user, checkin):
    root = make_user(email="root@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    client.get(f"/admin/checkins/checkin/{checkin.pk}/change/")
    row = AdminAccessLog.objects.get()

    response = client.post(f"/admin/accounts/adminaccesslog/{row.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not AdminAccessLog.objects.exists()
