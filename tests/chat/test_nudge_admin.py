"""The admin of nudges: read-only, and a look at another person's is recorded like a look at
their conversations."""

import pytest
from django.test import Client

from accounts.models import AdminAccessLog
from tests.chat.test_nudges import ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user):
    staff = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client


def test_the_list_and_the_page_show_the_question_read_only(admin_client, user):
    nudge = ask(user)

    listed = admin_client.get("/admin/chat/nudge/", {"kind": "stale_timer"})
    page = admin_client.get(f"/admin/chat/nudge/{nudge.pk}/change/")

    assert listed.status_code == page.status_code == 200
    assert nudge.question in page.content.decode()
    assert 'name="question"' not in page.content.decode()
    assert admin_client.get("/admin/chat/nudge/add/").status_code == 403
    kinds = set(AdminAccessLog.objects.filter(owner=user).values_list("kind", "view"))
    assert kinds == {("conversation", "list"), ("conversation", "change")}
