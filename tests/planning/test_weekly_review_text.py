"""A weekly review's figures on a week of known data, and its text: the template in Spanish and
English without a model, the model's with one (planning/selectors/reviews.py, planning/text.py)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from checkins.services import checkin_create
from goals.services import goal_create, goal_log_progress, goal_pause
from planning.services import review_generate
from planning.text import template_text
from tasks.services import category_create, task_complete, task_create, task_log_time
from tests.planning.conftest import madrid

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)
SUNDAY_EVENING = madrid(2026, 11, 29, 18, 0)


def work(user, task, day, start_hour, minutes):
    started = madrid(day.year, day.month, day.day, start_hour, 0)
    task_log_time(
        user=user,
        task=task,
        started_at=started,
        ended_at=started + timedelta(minutes=minutes),
        source="api",
        now=SUNDAY_EVENING,
    )


@pytest.fixture
def week(user):
    """Ana's week of 23-29 November 2026 in Madrid, and the week before."""
    user.created_at = madrid(2026, 10, 1, 9, 0)
    user.save()
    trabajo = category_create(user=user, name="Trabajo")
    casa = category_create(user=user, name="Casa")
    informe = task_create(user=user, source="api", title="Informe", category=trabajo)
    work(user, informe, date(2026, 11, 24), 9, 180)  # Tuesday, 3 h
    work(user, informe, date(2026, 11, 25), 9, 60)
    limpiar = task_create(user=user, source="api", title="Limpiar", category=casa)
    work(user, limpiar, date(2026, 11, 26), 18, 45)
    for task, day in ((informe, 25), (limpiar, 26)):
        task_complete(user=user, task=task, source="api", now=madrid(2026, 11, day, 20, 0))
    anterior = task_create(user=user, source="api", title="Anterior", category=trabajo)
    work(user, anterior, date(2026, 11, 17), 9, 120)  # the week before: 2 h
    task_complete(user=user, task=anterior, source="api", now=madrid(2026, 11, 17, 12, 0))

    correr = goal_create(
        user=user,
        source="api",
        title="Correr",
        target_value=Decimal(20),
        unit="km",
        period="weekly",
        start_date=date(2026, 11, 1),
    )
    leer = goal_create(
        user=user,
        source="api",
        title="Leer",
        target_value=Decimal(2),
        unit="libros",
        start_date=date(2026, 11, 1),
    )
    meditar = goal_create(
        user=user,
        source="api",
        title="Meditar",
        target_value=Decimal(1),
        unit="sesión",
        period="daily",
        start_date=date(2026, 11, 1),
    )
    for goal in (correr, leer, meditar):  # all three older than the week
        type(goal).objects.filter(pk=goal.pk).update(created_at=madrid(2026, 11, 1, 9, 0))
    goal_log_progress(
        user=user,
        goal=correr,
        value=Decimal("12.5"),
        source="api",
        recorded_at=madrid(2026, 11, 28, 10, 0),
    )
    goal_pause(
        user=user,
        goal=meditar,
        date_from=MONDAY,
        date_to=date(2026, 11, 29),
        source="api",
        now=SUNDAY_EVENING,
    )
    for mood, energy, day in ((4, 3, 24), (3, 4, 27)):
        checkin_create(
            user=user,
            source="api",
            mood=mood,
            energy=energy,
            recorded_at=madrid(2026, 11, day, 8, 0),
        )
    checkin_create(
        user=user, source="api", mood=2, energy=2, recorded_at=madrid(2026, 11, 18, 8, 0)
    )
    return user


def test_the_figures_of_a_known_week(week, settings):
    settings.OPENAI_API_KEY = ""

    review, _ = review_generate(user=week, week_start=MONDAY, source="schedule", now=SUNDAY_EVENING)

    stats = review.stats
    assert (stats["week"], stats["from"], stats["to"], stats["days"]) == (
        "2026-W48",
        "2026-11-23",
        "2026-11-29",
        7,
    )
    tracked = stats["tracked_seconds"]
    assert (tracked["total"], tracked["previous_total"]) == (285 * 60, 120 * 60)
    assert [(row["name"], row["seconds"]) for row in tracked["by_category"]] == [
        ("Trabajo", 240 * 60),
        ("Casa", 45 * 60),
    ]
    assert tracked["busiest_day"] == {"date": "2026-11-24", "weekday": 2, "seconds": 180 * 60}
    assert stats["tasks"]["completed"] == 2
    assert stats["tasks"]["previous_completed"] == 1
    assert [(g["title"], g["total"]) for g in stats["goals"]["moved"]] == [("Correr", "12.50")]
    # Leer had nothing logged; Meditar was paused all week, so it did not stall.
    assert [g["title"] for g in stats["goals"]["stalled"]] == ["Leer"]
    assert stats["check_ins"] == {
        "count": 2,
        "mood_avg": 3.5,
        "energy_avg": 3.5,
        "previous": {"count": 1, "mood_avg": 2.0, "energy_avg": 2.0},
    }
    assert stats["estimates"]["enough"] is False


def test_without_a_model_the_text_is_the_spanish_template(week, settings):
    settings.OPENAI_API_KEY = ""

    review, _ = review_generate(user=week, week_start=MONDAY, source="schedule", now=SUNDAY_EVENING)

    assert (review.model, review.language, review.llm_error) == (None, "es", "")
    assert review.text == (
        "Tu semana del 23 nov al 29 nov: registraste 4h 45m de trabajo (la semana anterior, "
        "2h 00m), sobre todo en Trabajo (4h 00m). Tu día con más trabajo fue el martes "
        "(3h 00m). Completaste 2 tareas (1 la semana anterior). Avanzaste en Correr "
        "(+12,5 km). Sin avances en Leer. Ánimo medio 3,5/5 y energía 3,5/5 (la semana "
        "anterior, 2 y 2)."
    )


def test_without_a_model_an_english_speaker_gets_the_english_template(week, settings):
    settings.OPENAI_API_KEY = ""
    week.language = "en"
    week.save()

    review, _ = review_generate(user=week, week_start=MONDAY, source="schedule", now=SUNDAY_EVENING)

    assert review.language == "en"
    assert review.text == (
        "Your week from Nov 23 to Nov 29: you tracked 4h 45m of work (the week before, "
        "2h 00m), mostly on Trabajo (4h 00m). Your busiest day was Tuesday (3h 00m). You "
        "completed 2 tasks (1 the week before). You made progress on Correr (+12.5 km). No "
        "progress on Leer. Average mood 3.5/5 and energy 3.5/5 (the week before, 2 and 2)."
    )


def test_an_empty_week_says_so(user, settings):
    settings.OPENAI_API_KEY = ""

    review, _ = review_generate(user=user, week_start=MONDAY, source="schedule", now=SUNDAY_EVENING)

    assert review.text == (
        "Tu semana del 23 nov al 29 nov: no se registró actividad: ni tareas, ni tiempo, ni "
        "check-ins."
    )


def test_the_estimates_line_needs_enough_tasks():
    stats = {
        "from": "2026-11-23",
        "to": "2026-11-29",
        "days": 7,
        "tracked_seconds": {
            "total": 3600,
            "previous_total": 0,
            "by_category": [],
            "busiest_day": None,
        },
        "tasks": {"completed": 6, "created": 6, "previous_completed": 0, "previous_created": 0},
        "goals": {"moved": [], "stalled": []},
        "check_ins": {
            "count": 0,
            "mood_avg": None,
            "energy_avg": None,
            "previous": {"count": 0, "mood_avg": None, "energy_avg": None},
        },
        "estimates": {"factor": "1.30", "ratio": "1.30", "sample": 6, "enough": True},
    }

    assert template_text(stats, "es").endswith(
        "Tus tareas te llevan 1,3 veces lo que estimas (en 6 tareas)."
    )
    stats["estimates"].update(ratio="0.95")
    assert template_text(stats, "en").endswith("Your estimates hold (over 6 tasks).")
    stats["estimates"].update(enough=False)
    assert "estimat" not in template_text(stats, "en")


def test_with_a_model_the_text_is_the_models_grounded_in_the_figures(week, fake_openai):
    fake_openai.add_text("Semana intensa: ", "casi cinco horas de trabajo.", usage=(500, 20))

    review, _ = review_generate(user=week, week_start=MONDAY, source="schedule", now=SUNDAY_EVENING)

    assert review.text == "Semana intensa: casi cinco horas de trabajo."
    assert review.model == "fake-model"
    request = fake_openai.requests[0]
    assert "repaso semanal" in request.system_prompt
    assert "no inventes" in request.system_prompt
    assert '"total": 17100' in request.messages[1]["content"]
    assert request.tools == []


def test_a_failing_model_leaves_the_template(week, fake_openai):
    fake_openai.add_http_error(500)

    review, _ = review_generate(user=week, week_start=MONDAY, source="schedule", now=SUNDAY_EVENING)

    assert review.model is None
    assert review.llm_error == "llm_error"
    assert review.text.startswith("Tu semana del 23 nov al 29 nov:")
