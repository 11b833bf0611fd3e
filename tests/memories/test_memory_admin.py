"""The memory admin: shown to staff, written through the services, and every look at another
person's memories recorded."""

import pytest
from django.test import Client

from accounts.models import AdminAccessLog
from memories.models import Memory
from memories.services import memory_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_the_list_shows_memories_and_records_the_look(staff_client, staff, user):
    memory_create(user=user, text="los lunes rindo menos", source="assistant")

    response = staff_client.get("/admin/memories/memory/?q=lunes&source__exact=assistant")

    assert response.status_code == 200
    assert b"los lunes rindo menos" in response.content
    row = AdminAccessLog.objects.get()
    assert (row.staff, row.owner, row.kind, row.view) == (staff, user, "memory", "list")


def test_adding_changing_and_deleting_go_through_the_services(staff_client, user):
    add = staff_client.post("/admin/memories/memory/add/", {"user": str(user.pk), "text": "dato"})
    assert add.status_code == 302
    memory = Memory.objects.get()
    assert (memory.user, memory.source) == (user, "admin")

    change = f"/admin/memories/memory/{memory.pk}/change/"
    assert staff_client.get(change).status_code == 200
    assert AdminAccessLog.objects.filter(kind="memory", view="change", object_id=memory.pk)
    assert staff_client.post(change, {"text": "dato nuevo"}).status_code == 302
    memory.refresh_from_db()
    assert memory.text == "dato nuevo"

    delete = f"/admin/memories/memory/{memory.pk}/delete/"
    assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Memory.objects.exists()
