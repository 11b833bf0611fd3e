"""Nudges you can answer: the stale-timer push opens a conversation in which the assistant has
asked "did you stop at 18:10?", and the answer (by text with or without a model, by voice, or
by a button of the notification) corrects the timer once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Device, Notification
from chat.models import Conversation, Message, Nudge
from notifications.services import stale_timer_nudges_run
from tasks import services as task_services
from tasks.models import TaskEvent
from tests.chat.conftest import tool_result

pytestmark = pytest.mark.django_db

RAN = timedelta(hours=3, minutes=20)


def answer_url(nudge) -> str:
    return f"/api/v1/nudges/{nudge.pk}/answer"


def ask(user, title="Informe"):
    """`user`'s timer on `title` has run for 3 h 20 min (from a whole minute) and the
    stale-timer job asked; with no stretches of theirs, it proposes an hour after the start."""
    Device.objects.get_or_create(
        user=user, expo_push_token=f"ExponentPushToken[{user.pk.hex[:12]}]", platform="ios"
    )
    task = task_services.task_create(user=user, source="api", title=title)
    started = (timezone.now() - RAN).replace(second=0, microsecond=0)
    task_services.task_start(user=user, task=task, source="api", now=started)
    assert stale_timer_nudges_run(now=timezone.now()).logged == 1
    return Nudge.objects.select_related("task").get(task=task)


def local_clock(user, moment) -> str:
    return moment.astimezone(user.tz).strftime("%H:%M")


@pytest.fixture
def no_model(settings):
    settings.OPENAI_API_KEY = None


def corrected(task) -> TaskEvent | None:
    return TaskEvent.objects.filter(task=task, type="corrected").first()


def visible(conversation_id) -> list[tuple[str, str]]:
    return list(
        Message.objects.filter(conversation_id=conversation_id, tool_calls__isnull=True)
        .exclude(role="tool")
        .order_by("created_at", "id")
        .values_list("role", "content")
    )


# --- the question ---------------------------------------------------------------------------


def test_the_push_opens_a_conversation_in_which_the_assistant_asked(api_client, user):
    nudge = ask(user)

    proposed = local_clock(user, nudge.proposed_stopped_at)
    question = f"¿Paraste a las {proposed}? Llevas 3 h 20 min en «Informe»."
    assert nudge.question == question
    assert nudge.run_started_at == nudge.task.running_since
    notification = Notification.objects.get(kind="stale_timer")
    assert notification.body == question and notification.category == "stale_timer"
    assert notification.data["conversation_id"] == str(nudge.conversation_id)
    assert notification.data["nudge_id"] == str(nudge.pk)
    body = api_client.get(f"/api/v1/chat/conversations/{nudge.conversation_id}").json()
    assert [(m["role"], m["content"]) for m in body["messages"]] == [("assistant", question)]
    listed = api_client.get("/api/v1/chat/conversations").json()["results"]
    assert listed[0]["id"] == str(nudge.conversation_id)
    assert api_client.get(f"/api/v1/nudges/{nudge.pk}").json()["answer"] == ""


def test_in_english_for_english_speakers(make_user):
    ana = make_user(language="en", timezone="Europe/London")

    nudge = ask(ana, title="Report")

    proposed = local_clock(ana, nudge.proposed_stopped_at)
    assert (
        nudge.question == f"Did you stop at {proposed}? “Report” has been running for 3 h 20 min."
    )


# --- answered in the conversation, with the model -------------------------------------------


def test_a_text_answer_corrects_the_timer_through_correct_timer(user, say, fake_openai):
    nudge = ask(user)
    stopped = local_clock(user, nudge.proposed_stopped_at)
    fake_openai.add_tool_calls(
        ("correct_timer", {"task_id": str(nudge.task_id), "stopped_at": stopped})
    )
    fake_openai.add_text(f"Hecho, lo paré a las {stopped}.")

    body = say("sí", conversation_id=str(nudge.conversation_id))

    first = fake_openai.requests[0]
    assert str(nudge.task_id) in first.system_prompt and nudge.question in first.system_prompt
    assert first.messages[1:] == [
        {"role": "assistant", "content": nudge.question},
        {"role": "user", "content": "sí"},
    ]
    event = corrected(nudge.task)
    assert event.source == "assistant" and event.segment_end == nudge.proposed_stopped_at
    assert tool_result(fake_openai.requests[1])["corrected"]["to"]
    nudge.refresh_from_db()
    assert (nudge.answer, nudge.answered_by) == ("stopped", "chat")
    assert nudge.stopped_at == nudge.proposed_stopped_at
    assert [a["tool"] for a in body["actions"]] == ["correct_timer"]


def test_still_working_said_to_the_model_leaves_the_timer_running(user, say, fake_openai):
    nudge = ask(user)
    fake_openai.add_tool_calls(
        ("correct_timer", {"task_id": str(nudge.task_id), "still_working": True})
    )
    fake_openai.add_text("Sigo contando.")

    say("no, sigo con ello", conversation_id=str(nudge.conversation_id))

    nudge.refresh_from_db()
    assert nudge.answer == "continue"
    nudge.task.refresh_from_db()
    assert nudge.task.is_running and corrected(nudge.task) is None


def test_the_model_is_told_when_the_question_is_settled(user, say, api_client, fake_openai):
    nudge = ask(user)
    api_client.post(answer_url(nudge), {"action": "continue"}, format="json")
    fake_openai.add_text("Ya lo habías respondido: sigue en marcha.")

    say("¿paré?", conversation_id=str(nudge.conversation_id))

    assert "Ya lo ha respondido (Sigo trabajando)" in fake_openai.requests[0].system_prompt


def test_a_voice_answer_goes_through_the_same_turn(user, api_client, fake_openai, fake_deepgram):
    from django.core.files.uploadedfile import SimpleUploadedFile

    nudge = ask(user)
    stopped = nudge.proposed_stopped_at + timedelta(minutes=15)
    fake_deepgram.add_transcript(f"paré a las {local_clock(user, stopped)}")
    fake_openai.add_tool_calls(
        (
            "correct_timer",
            {"task_id": str(nudge.task_id), "stopped_at": local_clock(user, stopped)},
        )
    )
    fake_openai.add_text("Hecho.")
    audio = SimpleUploadedFile("nota.wav", b"RIFF\x24\x00\x00\x00WAVEfmt fake", "audio/wav")

    response = api_client.post(
        "/api/v1/chat/voice",
        {"audio": audio, "conversation_id": str(nudge.conversation_id)},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert corrected(nudge.task).segment_end == stopped
    nudge.refresh_from_db()
    assert nudge.answer == "stopped" and nudge.stopped_at == stopped


# --- answered by a button of the notification -----------------------------------------------


def test_the_stopped_button_corrects_the_timer_without_the_app(user, api_client):
    nudge = ask(user)

    response = api_client.post(answer_url(nudge), {"action": "stopped"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["answer"], body["answered_by"]) == ("stopped", "push")
    assert body["stopped_at"] is not None
    task = nudge.task
    task.refresh_from_db()
    assert task.status == "paused" and not task.is_running
    stretch = nudge.proposed_stopped_at - nudge.run_started_at
    assert task.tracked_seconds == int(stretch.total_seconds())
    event = corrected(task)
    assert event.source == "api" and event.segment_end == nudge.proposed_stopped_at
    assert set(event.data) == {"from", "to"}
    proposed = local_clock(user, nudge.proposed_stopped_at)
    assert visible(nudge.conversation_id)[1:] == [
        ("user", f"Sí, a las {proposed}"),
        (
            "assistant",
            f"Hecho: «Informe» quedó parado a las {proposed}; ese tramo cuenta 1 h 00 min.",
        ),
    ]


def test_the_continue_button_leaves_it_running(user, api_client):
    nudge = ask(user)

    response = api_client.post(answer_url(nudge) + "/", {"action": "continue"}, format="json")

    assert response.status_code == 200
    assert response.json()["answer"] == "continue"
    nudge.task.refresh_from_db()
    assert nudge.task.is_running and corrected(nudge.task) is None


def test_answering_twice_does_nothing_the_second_time(user, api_client):
    nudge = ask(user)
    first = api_client.post(answer_url(nudge), {"action": "stopped"}, format="json")

    again = api_client.post(answer_url(nudge), {"action": "stopped"}, format="json")
    other = api_client.post(answer_url(nudge), {"action": "continue"}, format="json")

    assert again.status_code == other.status_code == 200
    assert again.json() == other.json() == first.json()
    assert TaskEvent.objects.filter(type="corrected").count() == 1
    assert len(visible(nudge.conversation_id)) == 3


def test_another_users_nudge_is_404(user, other_client):
    nudge = ask(user)

    assert other_client.get(f"/api/v1/nudges/{nudge.pk}").status_code == 404
    response = other_client.post(answer_url(nudge), {"action": "stopped"}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    nudge.refresh_from_db()
    assert not nudge.is_answered and corrected(nudge.task) is None


@pytest.mark.parametrize("nudge_id", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_nudge_is_404(api_client, nudge_id):
    response = api_client.post(f"/api/v1/nudges/{nudge_id}/answer", {"action": "stopped"})
    assert response.status_code == 404


@pytest.mark.parametrize("payload", [{}, {"action": "maybe"}, {"action": ["stopped"]}])
def test_a_bad_action_is_400(user, api_client, payload):
    nudge = ask(user)

    response = api_client.post(answer_url(nudge), payload, format="json")

    assert response.status_code == 400
    assert "action" in response.json()["error"]["fields"]


def test_the_button_after_the_timer_was_paused_is_409_and_changes_nothing(user, api_client):
    nudge = ask(user)
    task_services.task_pause(user=user, task=nudge.task, source="api")

    response = api_client.post(answer_url(nudge), {"action": "stopped"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nudge_outdated"
    nudge.refresh_from_db()
    assert not nudge.is_answered and corrected(nudge.task) is None


# --- answered in the conversation, without a model -------------------------------------------


def test_without_a_model_the_question_is_the_template_and_si_corrects_it(user, say, no_model):
    nudge = ask(user)

    body = say("Sí", conversation_id=str(nudge.conversation_id))

    event = corrected(nudge.task)
    assert event.source == "assistant" and event.segment_end == nudge.proposed_stopped_at
    proposed = local_clock(user, nudge.proposed_stopped_at)
    reply = body["assistant_message"]["content"]
    assert reply.startswith(f"Hecho: «Informe» quedó parado a las {proposed}")
    assert body["assistant_message"]["model"] == ""
    assert [a["tool"] for a in body["actions"]] == ["correct_timer"]
    nudge.refresh_from_db()
    assert (nudge.answer, nudge.answered_by) == ("stopped", "chat")


def test_without_a_model_a_time_is_when_it_stopped(user, say, no_model):
    nudge = ask(user)
    stopped = nudge.run_started_at + timedelta(minutes=95)

    say(f"no, a las {local_clock(user, stopped)}", conversation_id=str(nudge.conversation_id))

    assert corrected(nudge.task).segment_end == stopped.replace(second=0)
    nudge.refresh_from_db()
    assert nudge.stopped_at == stopped.replace(second=0)


def test_without_a_model_still_working_keeps_it_running(user, say, no_model):
    nudge = ask(user)

    body = say("no, sigo", conversation_id=str(nudge.conversation_id))

    assert body["assistant_message"]["content"] == (
        "De acuerdo, el temporizador de «Informe» sigue en marcha."
    )
    nudge.refresh_from_db()
    assert nudge.answer == "continue"
    nudge.task.refresh_from_db()
    assert nudge.task.is_running


@pytest.mark.parametrize(
    ("text", "start"),
    [("no", "¿Sigues trabajando o paraste"), ("¿qué dices?", "No te he entendido")],
)
def test_without_a_model_an_unclear_answer_is_asked_again(user, say, no_model, text, start):
    nudge = ask(user)

    body = say(text, conversation_id=str(nudge.conversation_id))

    assert body["assistant_message"]["content"].startswith(start)
    assert body["actions"] == []
    nudge.refresh_from_db()
    assert not nudge.is_answered


def test_without_a_model_a_time_before_the_start_is_refused(user, say, no_model):
    nudge = ask(user)
    before = nudge.run_started_at - timedelta(minutes=30)

    body = say(f"a las {local_clock(user, before)}", conversation_id=str(nudge.conversation_id))

    assert body["assistant_message"]["content"].startswith("Esa hora no encaja")
    assert body["actions"][0]["result"]["error"]["code"] == "validation_error"
    nudge.refresh_from_db()
    assert not nudge.is_answered and corrected(nudge.task) is None


def test_without_a_model_a_settled_question_says_so(user, say, api_client, no_model):
    nudge = ask(user)
    api_client.post(answer_url(nudge), {"action": "continue"}, format="json")

    body = say("sí", conversation_id=str(nudge.conversation_id))

    assert body["assistant_message"]["content"].startswith("Eso ya estaba resuelto.")
    assert corrected(nudge.task) is None


def test_without_a_model_other_conversations_are_still_unavailable(user, say, no_model):
    ask(user)

    body = say("hola", expect=503)

    assert body["error"]["code"] == "assistant_unavailable"
    assert Conversation.objects.count() == 2  # the nudge's, and the one the message opened


# --- the goal behind pace ----------------------------------------------------------------------


def ask_about_goal(user):
    """A weekly goal of `user` with nothing logged, asked about on a Thursday evening."""
    from datetime import date, datetime
    from decimal import Decimal

    from goals.models import Goal
    from notifications.services import goal_pace_nudges_run

    Device.objects.get_or_create(
        user=user, expo_push_token=f"ExponentPushToken[{user.pk.hex[:12]}]", platform="ios"
    )
    goal = Goal.objects.create(
        user=user,
        title="Leer",
        target_value=Decimal(5),
        unit="sesiones",
        period="weekly",
        start_date=date(2026, 11, 30),
    )
    thursday = datetime(2026, 12, 3, 18, 30, tzinfo=user.tz)
    assert goal_pace_nudges_run(now=thursday).logged == 1
    return Nudge.objects.get(goal=goal)


def test_logging_progress_in_the_conversation_settles_the_goal_question(user, say, fake_openai):
    nudge = ask_about_goal(user)
    fake_openai.add_tool_calls(("log_goal_progress", {"goal_id": str(nudge.goal_id), "value": 2}))
    fake_openai.add_text("Anotadas 2 sesiones.")

    say("hice 2 sesiones ayer", conversation_id=str(nudge.conversation_id))

    first = fake_openai.requests[0]
    assert "pause_goal" in first.system_prompt and str(nudge.goal_id) in first.system_prompt
    nudge.refresh_from_db()
    assert (nudge.answer, nudge.answered_by) == ("progress", "chat")


def test_a_yes_to_the_pause_settles_the_goal_question_through_pause_goal(user, say, fake_openai):
    nudge = ask_about_goal(user)
    today = timezone.now().astimezone(user.tz).date()
    until = today + timedelta(days=3)
    fake_openai.add_tool_calls(
        (
            "pause_goal",
            {"goal_id": str(nudge.goal_id), "from": str(today), "to": str(until)},
        )
    )
    fake_openai.add_text("Pausado hasta el jueves.")

    say("sí, estoy enfermo, páusalo unos días", conversation_id=str(nudge.conversation_id))

    nudge.refresh_from_db()
    assert (nudge.answer, nudge.answered_by) == ("paused", "chat")
    assert nudge.goal.pauses.get().date_to == until


def test_a_goal_question_has_no_buttons(user, api_client):
    nudge = ask_about_goal(user)

    response = api_client.post(answer_url(nudge), {"action": "stopped"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nudge_action_not_offered"


def test_without_a_model_a_goal_question_points_to_the_goal_screen(user, say, no_model):
    nudge = ask_about_goal(user)

    body = say("sí, páusalo", conversation_id=str(nudge.conversation_id))

    assert body["assistant_message"]["content"].startswith("Sin el asistente no puedo")
    nudge.refresh_from_db()
    assert not nudge.is_answered
