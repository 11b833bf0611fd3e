# ruff: noqa: F811  (pytest fixtures imported from other test modules, used as arguments)
"""What the apps count (config/metrics/series.py), each where it happens: throttle refusals by
scope, push outcomes, the model's requests, tokens and cost, assistant turns, websockets."""

import pytest

from accounts.push import PushCounts
from config.metrics.series import WS_OPEN, count_model_usage
from tests.fakes.openai_server import fake_openai  # noqa: F401  (pytest fixture)
from tests.metrics.helpers import Delta, value
from tests.ws.client import open_ready, receive
from tests.ws.fixtures import token  # noqa: F401  (pytest fixture)

MESSAGE = "/api/v1/chat/message"


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, **rates}

    return set_rates


@pytest.mark.django_db
def test_a_drf_throttle_refusal_is_counted_under_its_scope(anon_client, rates):
    rates(register_ip="1/min", register_email="100/min")
    body = {"email": "x@example.com", "password": "x", "name": "X"}
    with Delta("agente_throttle_refusals_total", scope="register_ip") as d:
        answers = [anon_client.post("/api/v1/auth/register", body) for _ in range(3)]
    assert [r.status_code for r in answers][1:] == [429, 429]
    assert d.value == 2


@pytest.mark.django_db
def test_a_failure_limit_counts_the_scope_that_refused(user, anon_client, rates):
    rates(login_ip="100/min", login_email_ip="2/min", login_email="100/min")
    with (
        Delta("agente_throttle_refusals_total", scope="login_email_ip") as refused,
        Delta("agente_throttle_refusals_total", scope="login_ip") as not_refused,
    ):
        answers = [
            anon_client.post("/api/v1/auth/login", {"email": user.email, "password": "mal"})
            for _ in range(3)
        ]
    assert [r.status_code for r in answers] == [401, 401, 429]
    assert (refused.value, not_refused.value) == (1, 0)


@pytest.mark.django_db
def test_the_per_user_rate_counts_its_refusals(api_client, rates):
    rates(user="2/min")
    with Delta("agente_throttle_refusals_total", scope="user") as d:
        answers = [api_client.get("/api/v1/goals") for _ in range(3)]
    assert answers[-1].status_code == 429
    assert d.value == 1


def test_a_push_jobs_counts_become_its_series():
    counts = PushCounts(sent=3, failed=1, skipped_quiet_hours=2, receipts_ok=4, devices_removed=1)
    with (
        Delta("agente_push_messages_total", outcome="sent") as sent,
        Delta("agente_push_messages_total", outcome="failed") as failed,
        Delta("agente_push_messages_total", outcome="skipped_quiet_hours") as quiet,
        Delta("agente_push_receipts_total", status="ok") as receipts,
        Delta("agente_push_devices_removed_total") as removed,
    ):
        counts.log("test_job")
    assert (sent.value, failed.value, quiet.value) == (3, 1, 2)
    assert (receipts.value, removed.value) == (4, 1)


@pytest.mark.django_db
def test_a_turn_counts_the_models_tokens_their_cost_and_the_turn(
    api_client,
    fake_openai,
    settings,
):
    settings.OPENAI_PRICE_PROMPT_PER_MILLION = 1.0
    settings.OPENAI_PRICE_COMPLETION_PER_MILLION = 4.0
    model = fake_openai.model
    fake_openai.add_text("Hola", usage=(1000, 250))
    with (
        Delta("agente_model_requests_total", model=model, outcome="ok") as requests,
        Delta("agente_model_tokens_total", model=model, kind="prompt") as prompt,
        Delta("agente_model_tokens_total", model=model, kind="completion") as completion,
        Delta("agente_model_cost_usd_total", model=model) as cost,
        Delta("agente_assistant_turns_total", source="text", outcome="complete") as turns,
    ):
        assert api_client.post(MESSAGE, {"content": "hola"}, format="json").status_code == 201
    assert (requests.value, prompt.value, completion.value, turns.value) == (1, 1000, 250, 1)
    assert cost.value == pytest.approx((1000 * 1.0 + 250 * 4.0) / 1_000_000)


@pytest.mark.django_db
def test_a_model_error_is_counted_and_the_turn_ends_with_its_code(api_client, fake_openai):
    model = fake_openai.model
    fake_openai.add_http_error(500)
    with (
        Delta("agente_model_requests_total", model=model, outcome="error") as errors,
        Delta(
            "agente_assistant_turns_total", source="text", outcome="assistant_upstream_error"
        ) as turns,
    ):
        assert api_client.post(MESSAGE, {"content": "hola"}, format="json").status_code == 502
    assert (errors.value, turns.value) == (1, 1)


@pytest.mark.django_db
def test_a_turn_without_a_model_is_counted_unavailable(api_client, settings):
    settings.OPENAI_API_KEY = ""
    with Delta(
        "agente_assistant_turns_total", source="text", outcome="assistant_unavailable"
    ) as turns:
        assert api_client.post(MESSAGE, {"content": "hola"}, format="json").status_code == 503
    assert turns.value == 1


def test_unknown_prices_report_tokens_but_no_cost(settings):
    # The settings' rule: gpt-4o-mini's list prices, 0 for a model whose prices nobody set.
    assert settings.OPENAI_MODEL != "gpt-4o-mini" or settings.OPENAI_PRICE_PROMPT_PER_MILLION > 0
    with (
        Delta("agente_model_cost_usd_total", model="unpriced") as cost,
        Delta("agente_model_tokens_total", model="unpriced", kind="prompt") as tokens,
    ):
        count_model_usage(model="unpriced", prompt_tokens=10, completion_tokens=0, prices=(0, 0))
    assert (cost.value, tokens.value) == (0, 10)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_open_sockets_and_the_frames_sent_to_them_are_counted(token):
    open_before = value("agente_ws_connections_open")
    with (
        Delta("agente_ws_frames_sent_total", type="ready") as ready,
        Delta("agente_ws_frames_sent_total", type="pong") as pong,
        Delta("agente_ws_frames_received_total") as received,
    ):
        socket = await open_ready(token)
        assert value("agente_ws_connections_open") == open_before + 1
        await socket.send_json_to({"type": "ping"})
        assert await receive(socket) == {"type": "pong"}
        await socket.disconnect()
    assert value("agente_ws_connections_open") == open_before
    assert (ready.value, pong.value, received.value) == (1, 1, 1)
    assert WS_OPEN._multiprocess_mode == "livesum"
