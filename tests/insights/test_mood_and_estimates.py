"""Mood and energy against categories, hour and weekday, and estimate accuracy, on the known
fortnight of conftest.py: each expected figure is worked out by hand from its rows."""

import pytest
from django.utils import translation

from insights.selectors import estimate_accuracy, estimate_ratio, mood_insights
from tests.insights.conftest import FROM, TO

pytestmark = pytest.mark.django_db


@pytest.fixture
def mood(fortnight, user):
    with translation.override("en"):
        return mood_insights(user=user, date_from=FROM, date_to=TO)


def by_name(rows, name):
    [row] = [r for r in rows if r["name"] == name]
    return row


def test_overall_counts_the_checkins_of_the_local_fortnight(mood):
    # Check-ins 1-11 (no. 11 is the 1st in UTC, the 16th's is out): moods 4+5+4+2+3+3+5+3+2+2+4
    # = 37, energies 3+4+4+2+2+5+5+3+3+2+2 = 35.
    assert mood["overall"] == {
        "n": 11,
        "minimum": 7,
        "status": "ok",
        "mood_avg": round(37 / 11, 2),  # 3.36
        "energy_avg": round(35 / 11, 2),  # 3.18
    }


def test_mood_on_days_with_a_category_against_days_without(mood):
    tesis = by_name(mood["by_category"], "Tesis")
    # With >= 30 min of Tesis (2nd, 3rd, 4th at exactly 30, 9th): check-ins 1, 11, 2, 3, 7, 8:
    # moods 4+4+5+4+5+3 = 25, energies 3+2+4+4+5+3 = 21. The 5th (20 min) is "without".
    assert tesis["with"] == {
        "n": 6,
        "minimum": 3,
        "status": "ok",
        "mood_avg": 4.17,
        "energy_avg": 3.5,
    }
    # Without: 4, 5, 6, 9, 10: moods 2+3+3+2+2 = 12, energies 2+2+5+3+2 = 14.
    assert tesis["without"] == {
        "n": 5,
        "minimum": 3,
        "status": "ok",
        "mood_avg": 2.4,
        "energy_avg": 2.8,
    }
    assert (tesis["status"], tesis["tracked_minutes"]) == ("ok", 60 + 45 + 30 + 20 + 120)
    assert tesis["mood_difference"] == round(25 / 6 - 12 / 5, 2)  # 1.77
    assert tesis["energy_difference"] == round(21 / 6 - 14 / 5, 2)  # 0.7

    correo = by_name(mood["by_category"], "Correo")
    # With (5th, 6th, 10th): check-ins 4, 5, 9: moods 2+3+2 = 7, energies 2+2+3 = 7.
    assert (correo["with"]["n"], correo["with"]["mood_avg"], correo["with"]["energy_avg"]) == (
        3,
        2.33,
        2.33,
    )
    # Without: the other 8, moods 30, energies 28.
    assert (correo["without"]["n"], correo["without"]["mood_avg"]) == (8, 3.75)
    assert correo["mood_difference"] == round(7 / 3 - 30 / 8, 2)  # -1.42
    assert correo["energy_difference"] == round(7 / 3 - 28 / 8, 2)  # -1.17
    # Most tracked first.
    assert [c["name"] for c in mood["by_category"]] == ["Tesis", "Correo"]
    assert mood["category_minutes"] == 30


def test_mood_by_local_hour_of_the_checkin(mood):
    hours = {bucket["bucket"]: bucket for bucket in mood["by_hour"]}
    # Night: only no. 11 (00:30 local, 23:30 UTC the day before).
    assert hours["night"]["n"] == 1
    assert hours["night"]["status"] == "insufficient_data"
    assert hours["night"]["mood_avg"] is None
    assert hours["night"]["message"] == "Not enough data: 1 check-in, at least 3 are needed."
    # Morning: 1 (09:00), 4 (09:30), 6 (11:00), 7 (08:00), 9 (10:00).
    assert hours["morning"] | {"label": None} == {
        "bucket": "morning",
        "label": None,
        "from_hour": 6,
        "to_hour": 12,
        "n": 5,
        "minimum": 3,
        "status": "ok",
        "mood_avg": 3.2,  # 4+2+3+5+2 = 16
        "energy_avg": 3.6,  # 3+2+5+5+3 = 18
    }
    assert hours["afternoon"]["n"] == 1
    # Evening: 2 (20:00), 5 (19:00), 8 (21:00), 10 (23:30).
    assert (hours["evening"]["n"], hours["evening"]["mood_avg"]) == (4, 3.25)
    assert hours["evening"]["energy_avg"] == 2.75
    assert sum(b["n"] for b in mood["by_hour"]) == 11


def test_mood_by_local_weekday(mood):
    days = {day["weekday"]: day for day in mood["by_weekday"]}
    # Mondays (2nd and 9th): 1, 11, 7, 8: moods 4+4+5+3 = 16, energies 3+2+5+3 = 13.
    assert (days[1]["label"], days[1]["n"], days[1]["mood_avg"]) == ("Monday", 4, 4.0)
    assert days[1]["energy_avg"] == 3.25
    assert (days[2]["n"], days[2]["status"]) == (2, "insufficient_data")
    assert [days[d]["n"] for d in range(3, 8)] == [1, 1, 1, 1, 1]


def test_estimate_accuracy_per_category_and_overall(fortnight, user):
    result = estimate_accuracy(user=user, date_from=FROM, date_to=TO)

    # Tesis: 90/60, 30/30, 180/120 -> sums 300/210; task ratios 1.5, 1.0, 1.5.
    tesis = by_name(result["categories"], "Tesis")
    assert tesis == {
        "category_id": str(fortnight["Tesis"].pk),
        "name": "Tesis",
        "n": 3,
        "minimum": 3,
        "status": "ok",
        "estimated_minutes": 210,
        "tracked_minutes": 300,
        "ratio": round(300 / 210, 2),  # 1.43
        "median_ratio": 1.5,
    }
    correo = by_name(result["categories"], "Correo")
    assert (correo["n"], correo["status"], correo["ratio"]) == (2, "insufficient_data", None)
    # Overall: 350 tracked over 270 estimated; ratios 0.5, 1, 1, 1.5, 1.5.
    assert (result["n"], result["estimated_minutes"], result["tracked_minutes"]) == (5, 270, 350)
    assert (result["ratio"], result["median_ratio"]) == (round(350 / 270, 2), 1.0)


def test_estimate_ratio_falls_back_to_the_overall_figure(fortnight, user):
    result = estimate_accuracy(user=user, date_from=FROM, date_to=TO)

    assert estimate_ratio(result, fortnight["Tesis"].pk) == 1.43
    assert estimate_ratio(result, fortnight["Correo"].pk) == 1.3  # too few: the overall one
    assert estimate_ratio(result, None) == 1.3


def test_too_little_data_is_not_enough_data(user):
    from checkins.services import checkin_create
    from tests.insights.conftest import local

    for day in (2, 3, 4):
        checkin_create(user=user, source="api", mood=5, energy=5, recorded_at=local(day, 9))

    with translation.override("es"):
        mood = mood_insights(user=user, date_from=FROM, date_to=TO)
        estimates = estimate_accuracy(user=user, date_from=FROM, date_to=TO)

    assert mood["overall"]["status"] == "insufficient_data"
    assert (mood["overall"]["n"], mood["overall"]["minimum"]) == (3, 7)
    assert mood["overall"]["mood_avg"] is None
    assert mood["overall"]["message"] == (
        "No hay datos suficientes: 3 registros de ánimo; hacen falta al menos 7."
    )
    assert mood["by_category"] == []
    assert (estimates["status"], estimates["n"], estimates["ratio"]) == (
        "insufficient_data",
        0,
        None,
    )
    assert estimate_ratio(estimates, None) is None


def test_another_users_data_is_never_counted(fortnight, other_user, user):
    # other_user's fortnight (fill_someone_else) has 14 check-ins of mood 1 and 4 tasks of
    # ratio 10: none of it is in Ana's figures above; and theirs hold none of Ana's.
    theirs = mood_insights(user=other_user, date_from=FROM, date_to=TO)
    assert (theirs["overall"]["n"], theirs["overall"]["mood_avg"]) == (14, 1.0)
    assert estimate_accuracy(user=other_user, date_from=FROM, date_to=TO)["ratio"] == 10.0
    assert estimate_accuracy(user=user, date_from=FROM, date_to=TO)["n"] == 5
