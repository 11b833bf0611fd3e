"""A nudge settled once under real concurrency: the buttons of two phones and a written answer
arriving together, each in its own thread and connection, against PostgreSQL."""

import pytest
from rest_framework.test import APIClient

from tasks.models import TaskEvent
from tests.chat.test_nudges import ask
from tests.conftest import access_token_for
from tests.tasks.test_concurrency import run_in_parallel

N = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_answers_arriving_together_correct_the_timer_once(user, settings):
    settings.OPENAI_API_KEY = None  # the written answers go through the grammar
    nudge = ask(user)
    token = access_token_for(user)

    def button():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = client.post(f"/api/v1/nudges/{nudge.pk}/answer", {"action": "stopped"})
        return response.status_code, response.json()["stopped_at"]

    def written():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        body = {"content": "sí", "conversation_id": str(nudge.conversation_id)}
        return client.post("/api/v1/chat/message", body, format="json").status_code

    results = run_in_parallel([button] * N + [written])

    assert all(not isinstance(r, Exception) for r in results), results
    assert {r[0] for r in results[:N]} == {200}
    assert len({r[1] for r in results[:N]}) == 1  # every button saw the same answer
    assert results[N] == 201  # settled by it, or told it was settled already
    assert TaskEvent.objects.filter(type="corrected").count() == 1
    nudge.refresh_from_db()
    assert nudge.answer == "stopped"
