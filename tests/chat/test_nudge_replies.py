"""The grammar a short answer to "did you stop at 18:10?" is read with when there is no model
(chat/nudge_replies.py; docs/assistant.md, "Nudges")."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from chat.nudge_replies import NO, STILL, TIME, UNCLEAR, YES, read_reply

MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 12, 2, 19, 0, tzinfo=UTC)  # 20:00 in Madrid


def local(hour, minute=0, day=2):
    return datetime(2026, 12, day, hour, minute, tzinfo=MADRID).astimezone(UTC)


@pytest.mark.parametrize(
    "text",
    ["sí", "Si", "SÍ.", "yes", "Yes!", "ok", "vale, gracias", "claro", "correcto", "exacto"],
)
def test_yes_is_the_time_asked(text):
    assert read_reply(text, tz=MADRID, now=NOW).intent == YES


@pytest.mark.parametrize(
    "text",
    [
        "no, sigo",
        "sigo",
        "Sigo trabajando",
        "todavía",
        "aún no",
        "still working",
        "not yet",
        "no paré",
        "no he parado",
        "sí, sigo",
        "I haven't stopped",
    ],
)
def test_still_working_keeps_it_running(text):
    assert read_reply(text, tz=MADRID, now=NOW).intent == STILL


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("18:10", local(18, 10)),
        ("a las 18:10", local(18, 10)),
        ("no, paré a las 18.40", local(18, 40)),
        ("18h05", local(18, 5)),
        ("a las 18", local(18)),
        ("at 6pm", local(18)),
        ("6:15 pm", local(18, 15)),
        ("a las 6 de la tarde", local(18)),
        ("a las 6", local(18)),  # said at 20:00: the evening's 6 came last
        ("a las 9 de la mañana", local(9)),
        ("7:30", local(19, 30)),  # 19:30 came after 07:30
        ("8:05", local(8, 5)),  # 20:05 has not come yet: this morning's
        ("23:30", local(23, 30, day=1)),  # not yet tonight: last night's
    ],
)
def test_a_time_is_the_moment_it_stopped(text, moment):
    reading = read_reply(text, tz=MADRID, now=NOW)
    assert reading.intent == TIME
    assert reading.stopped_at == moment


@pytest.mark.parametrize("text", ["no", "No.", "nope"])
def test_a_bare_no_is_asked_again(text):
    assert read_reply(text, tz=MADRID, now=NOW).intent == NO


@pytest.mark.parametrize("text", ["¿qué?", "mañana lo miro", "sí y no", "🙂"])
def test_anything_else_is_unclear(text):
    assert read_reply(text, tz=MADRID, now=NOW).intent == UNCLEAR
