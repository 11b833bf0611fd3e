"""Every change to a task is announced to the user's sockets after commit."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from config import realtime
from config.realtime import user_group
from tasks import services

pytestmark = pytest.mark.django_db

END = {"type": "test.end"}


@pytest.fixture
def inbox(user):
    """A channel in the user's group; `read()` returns the frames published so far."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user.pk), channel)

    async def drain():
        # Our own end marker goes in last, so reading stops there without any timeout. Events
        # are sent off the publishing thread: wait until everything handed over was sent.
        assert realtime.flush(timeout=5)
        await layer.send(channel, END)
        frames = []
        while (message := await layer.receive(channel)) != END:
            frames.append(message["event"])
        return frames

    yield type("Inbox", (), {"read": staticmethod(async_to_sync(drain))})
    async_to_sync(layer.group_discard)(user_group(user.pk), channel)


def test_starting_a_task_announces_both_changed_tasks(
    api_client, user, make_task, inbox, django_capture_on_commit_callbacks
):
    first, second = make_task(user, title="first"), make_task(user, title="second")
    services.task_start(user=user, task=first, source="api")
    inbox.read()

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/tasks/{second.pk}/start")
    assert response.status_code == 200

    frames = inbox.read()
    assert [f["type"] for f in frames] == ["task.updated", "task.updated"]
    by_id = {f["task"]["id"]: f["task"] for f in frames}
    assert by_id[str(first.pk)]["status"] == "paused"
    assert by_id[str(second.pk)]["is_running"] is True


def test_every_task_service_publishes(user, make_task, inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(user)
        services.task_update(user=user, task=task, source="api", title="renamed")
        services.task_start(user=user, task=task, source="api")
        services.task_pause(user=user, task=task, source="api")
        services.task_complete(user=user, task=task, source="api")
        services.task_reopen(user=user, task=task, source="api")
        services.task_delete(user=user, task=task, source="api")

    frames = inbox.read()
    assert [f["type"] for f in frames] == ["task.updated"] * 6 + ["task.deleted"]
    assert frames[1]["task"]["title"] == "renamed"
    assert frames[-1] == {"type": "task.deleted", "task_id": str(task.pk)}


def test_nothing_is_published_when_the_change_fails(
    api_client, user, make_task, inbox, django_capture_on_commit_callbacks
):
    task = make_task(user)
    inbox.read()
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(f"/api/v1/tasks/{task.pk}/pause").status_code == 409
    assert inbox.read() == []


def test_other_users_do_not_hear_my_changes(
    other_user, make_task, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.task_start(user=other_user, task=make_task(other_user), source="api")
    assert inbox.read() == []


def test_deleting_a_category_announces_its_tasks(
    user, make_task, make_category, inbox, django_capture_on_commit_callbacks
):
    category = make_category(user)
    category_id = category.pk
    task = make_task(user, category=category)
    inbox.read()
    with django_capture_on_commit_callbacks(execute=True):
        services.category_delete(user=user, category=category)
    frames = inbox.read()
    assert frames[0] == {"type": "category.deleted", "category_id": str(category_id)}
    assert frames[1]["type"] == "task.updated"
    assert frames[1]["task"]["id"] == str(task.pk)
    assert frames[1]["task"]["category"] is None
