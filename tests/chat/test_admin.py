"""The admin: conversations with their messages inline and read-only, filters by user and date."""

import pytest
from django.test import Client

from chat.models import Conversation, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user):
    staff = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def conversation(user):
    conv = Conversation.objects.create(user=user, title="Plan del lunes")
    Message.objects.create(conversation=conv, user=user, role="user", content="hola asistente")
    Message.objects.create(
        conversation=conv, user=user, role="assistant", content="hola Ana", model="m"
    )
    return conv


def test_changelist_filters_by_user_and_date(admin_client, conversation, user, other_user):
    Conversation.objects.create(user=other_user, title="De otro")

    response = admin_client.get("/admin/chat/conversation/", {"user__id__exact": str(user.pk)})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Plan del lunes" in content
    assert "De otro" not in content
    year = conversation.created_at.year
    assert (
        admin_client.get("/admin/chat/conversation/", {"created_at__year": year}).status_code == 200
    )


def test_change_page_shows_the_messages_read_only(admin_client, conversation):
    response = admin_client.get(f"/admin/chat/conversation/{conversation.pk}/change/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "hola asistente" in content and "hola Ana" in content
    assert 'name="messages-0-content"' not in content


def test_conversations_are_not_added_in_the_admin(admin_client):
    assert admin_client.get("/admin/chat/conversation/add/").status_code == 403


def test_search_by_email(admin_client, conversation):
    response = admin_client.get("/admin/chat/conversation/", {"q": "ana@example.com"})
    assert "Plan del lunes" in response.content.decode()
