"""summaries.text.template_text: the summary without a model, in Spanish and English."""

from summaries.text import template_text


def stats(**changes):
    base = {
        "date": "2026-11-30",
        "timezone": "Europe/Madrid",
        "tasks": {"created": 2, "completed": 1},
        "tracked_seconds": {
            "total": 11100,
            "by_category": [
                {"category_id": "c1", "name": "Trabajo", "seconds": 7200},
                {"category_id": None, "name": None, "seconds": 3900},
            ],
        },
        "goal_progress": [
            {"goal_id": "g1", "title": "Correr", "unit": "km", "total": "5.50", "entries": 1},
            {"goal_id": "g2", "title": "Leer", "unit": "", "total": "3.00", "entries": 2},
        ],
        "check_ins": {"count": 2, "mood_avg": 3.5, "energy_avg": 4.0},
        "running_timer": {"task_id": "t1", "title": "Informe", "since": "2026-11-30T20:00:00Z"},
        "baseline": {"tracked_seconds_avg": 9000},
    }
    base.update(changes)
    return base


def test_spanish():
    assert template_text(stats(), "es") == (
        "Completaste 1 tarea y creaste 2 tareas. "
        "Registraste 3h 05m de trabajo, sobre todo en Trabajo (2h 00m). "
        "Tu media de los 7 días anteriores es 2h 30m. "
        "Avanzaste en Correr (+5.5 km), Leer (+3). "
        "Ánimo medio 3.5/5 y energía media 4.0/5 en 2 check-ins. "
        "El temporizador de «Informe» sigue en marcha."
    )


def test_english():
    assert template_text(stats(), "en") == (
        "You completed 1 task and created 2 tasks. "
        "You tracked 3h 05m of work, mostly on Trabajo (2h 00m). "
        "Your average over the previous 7 days is 2h 30m. "
        "You made progress on Correr (+5.5 km), Leer (+3). "
        "Average mood 3.5/5 and energy 4.0/5 over 2 check-ins. "
        "The timer on “Informe” is still running."
    )


def test_an_empty_day_says_so_in_each_language():
    empty = stats(
        tasks={"created": 0, "completed": 0},
        tracked_seconds={"total": 0, "by_category": []},
        goal_progress=[],
        check_ins={"count": 0, "mood_avg": None, "energy_avg": None},
        running_timer=None,
    )
    assert template_text(empty, "es").startswith("Ese día no se registró actividad")
    assert template_text(empty, "en").startswith("No activity was recorded")


def test_a_day_with_time_but_no_tasks_or_check_ins():
    day = stats(
        tasks={"created": 0, "completed": 0},
        tracked_seconds={
            "total": 1800,
            "by_category": [{"category_id": None, "name": None, "seconds": 1800}],
        },
        goal_progress=[],
        check_ins={"count": 0, "mood_avg": None, "energy_avg": None},
        running_timer=None,
        baseline={"tracked_seconds_avg": 0},
    )
    assert template_text(day, "es") == (
        "No completaste ni creaste tareas. Registraste 30m de trabajo."
    )
    assert template_text(day, "en") == (
        "You completed and created no tasks. You tracked 30m of work."
    )


def test_an_unknown_language_gets_spanish():
    assert template_text(stats(), "fr") == template_text(stats(), "es")
