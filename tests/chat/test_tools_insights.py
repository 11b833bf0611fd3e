"""get_insights through the agent: the same figures as GET /insights, the user's rows only,
compact (no human sentences), and a bad range answered to the model as an error."""

import pytest

from tests.chat.conftest import tool_result
from tests.insights.conftest import fortnight  # noqa: F401  (pytest fixture)

pytestmark = pytest.mark.django_db


def test_get_insights_answers_the_figures(say, user, fortnight, fake_openai):  # noqa: F811
    fake_openai.add_tool_calls(("get_insights", {"from": "2026-11-02", "to": "2026-11-15"}))
    fake_openai.add_text("Los días de tesis estás mejor.")

    body = say("¿cómo me afecta trabajar en la tesis?")

    insights = tool_result(fake_openai.requests[1])["insights"]
    assert (insights["mood"]["overall"]["n"], insights["mood"]["overall"]["mood_avg"]) == (11, 3.36)
    tesis = insights["mood"]["by_category"][0]
    assert (tesis["name"], tesis["mood_difference"]) == ("Tesis", 1.77)
    assert insights["estimates"]["ratio"] == 1.3
    night = insights["mood"]["by_hour"][0]
    assert night["status"] == "insufficient_data"
    assert "message" not in night  # the model reads the status
    assert [a["tool"] for a in body["actions"]] == ["get_insights"]


def test_get_insights_defaults_to_the_last_28_days(say, user, fake_openai):
    fake_openai.add_tool_calls(("get_insights", {}))
    fake_openai.add_text("Aún no hay datos.")

    say("¿qué patrones ves?")

    insights = tool_result(fake_openai.requests[1])["insights"]
    assert insights["to"] == str(user.local_now().date())
    assert insights["mood"]["overall"]["status"] == "insufficient_data"


def test_a_bad_range_is_an_error_for_the_model(say, fake_openai):
    fake_openai.add_tool_calls(("get_insights", {"from": "2026-11-15", "to": "2026-11-02"}))
    fake_openai.add_text("Ese rango no vale.")

    say("insights al revés")

    error = tool_result(fake_openai.requests[1])["error"]
    assert error["code"] == "validation_error"
    assert "to" in error["fields"]
