"""plan_build: the minutes of the day, the order, the estimates and what is left from the day
before (planning/services/plans.py, planning/sizing.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from planning.models import DayPlan
from planning.selectors import estimate_accuracy_factor
from planning.services import plan_build
from planning.sizing import minutes_available
from tasks.services import task_complete
from tests.planning.conftest import madrid

pytestmark = pytest.mark.django_db

NOW = madrid(2026, 11, 25, 15, 0)  # a Wednesday, two hours before the end of the day


def titles(plan) -> list[str]:
    return [item.task.title for item in plan.items.all()]


def planned(plan) -> int:
    return sum(item.planned_minutes for item in plan.items.all())


def test_the_plan_fits_the_minutes_left_of_the_working_day(user, make_task):
    make_task("Informe", estimated_minutes=60)
    make_task("Correo", estimated_minutes=45)
    make_task("Llamadas", estimated_minutes=30)  # does not fit the 15 minutes left
    make_task("Presupuesto", estimated_minutes=90)

    plan, created = plan_build(user=user, source="api", now=NOW)

    assert created
    assert (plan.available_minutes, plan.capacity_minutes) == (120, 120)
    assert planned(plan) <= plan.capacity_minutes
    assert set(titles(plan)) == {"Informe", "Correo"}


def test_a_long_task_that_does_not_fit_leaves_room_for_shorter_ones(user, make_task):
    make_task("Enorme", estimated_minutes=200, priority="high")
    make_task("Corta", estimated_minutes=20, priority="low")

    plan, _ = plan_build(user=user, source="api", now=NOW)

    assert titles(plan) == ["Corta"]


def test_working_hours_come_from_the_preferences(user, make_task):
    user.preferences = {"working_hours": {"start": "08:00", "end": "20:30"}}
    user.save()

    assert minutes_available(user=user, now=NOW) == 330
    assert minutes_available(user=user, now=madrid(2026, 11, 25, 7, 0)) == 750
    assert minutes_available(user=user, now=madrid(2026, 11, 25, 21, 0)) == 0


def test_after_working_hours_the_plan_is_empty(user, make_task):
    make_task("Informe", estimated_minutes=10)

    plan, _ = plan_build(user=user, source="api", now=madrid(2026, 11, 25, 18, 0))

    assert (plan.capacity_minutes, titles(plan)) == (0, [])


def test_the_day_the_clocks_go_forward_has_an_hour_less(user):
    user.preferences = {"working_hours": {"start": "00:00", "end": "06:00"}}
    user.save()
    # Madrid jumps from 02:00 to 03:00 on 2026-03-29: six hours on the clock, five lived.
    assert minutes_available(user=user, now=madrid(2026, 3, 29, 0, 0)) == 300
    assert minutes_available(user=user, now=madrid(2026, 3, 30, 0, 0)) == 360


def test_overdue_and_due_today_tasks_come_first(user, make_task):
    make_task("Importante", priority="high", estimated_minutes=20)
    make_task("La semana que viene", due_at=NOW + timedelta(days=6), estimated_minutes=20)
    make_task("Para hoy", priority="low", due_at=madrid(2026, 11, 25, 23, 0), estimated_minutes=20)
    make_task("Atrasada", priority="low", due_at=NOW - timedelta(days=2), estimated_minutes=20)

    plan, _ = plan_build(user=user, source="api", now=NOW)

    assert titles(plan) == ["Atrasada", "Para hoy", "La semana que viene", "Importante"]


def test_priority_orders_tasks_due_at_the_same_time(user, make_task):
    due = NOW + timedelta(days=1)
    make_task("Baja", priority="low", due_at=due, estimated_minutes=10)
    make_task("Alta", priority="high", due_at=due, estimated_minutes=10)
    make_task("Media", due_at=due, estimated_minutes=10)

    plan, _ = plan_build(user=user, source="api", now=NOW)

    assert titles(plan) == ["Alta", "Media", "Baja"]


def test_a_due_task_that_does_not_fit_is_listed_as_left_out(user, make_task):
    task = make_task("Para hoy", due_at=madrid(2026, 11, 25, 20, 0), estimated_minutes=300)

    plan, _ = plan_build(user=user, source="api", now=NOW)

    assert titles(plan) == []
    assert plan.left_out == [{"task_id": str(task.pk), "title": "Para hoy", "minutes": 300}]


def test_a_low_energy_morning_lightens_the_day(user, make_task, morning):
    for n in range(5):
        make_task(f"T{n}", estimated_minutes=20)  # 100 minutes of work, 120 available
    morning(2, madrid(2026, 11, 25, 8, 0))

    plan, _ = plan_build(user=user, source="api", now=NOW)

    assert (plan.energy, plan.available_minutes, plan.capacity_minutes) == (2, 120, 84)
    assert planned(plan) <= 84
    assert len(titles(plan)) == 4


def test_a_fair_morning_or_an_evening_check_in_does_not(user, make_task, morning):
    morning(3, madrid(2026, 11, 25, 8, 0))
    morning(1, madrid(2026, 11, 25, 14, 0), kind="evening")
    morning(1, madrid(2026, 11, 24, 8, 0))  # yesterday's

    plan, _ = plan_build(user=user, source="api", now=NOW)

    assert (plan.energy, plan.capacity_minutes) == (3, 120)


def test_yesterdays_leftovers_come_first_today(user, make_task):
    done = make_task("Hecha ayer", estimated_minutes=30)
    make_task("Pendiente de ayer", estimated_minutes=30, priority="low")
    yesterday = NOW - timedelta(days=1)
    first, _ = plan_build(user=user, source="api", now=yesterday)
    assert titles(first) == ["Hecha ayer", "Pendiente de ayer"]
    task_complete(user=user, task=done, source="api", now=yesterday + timedelta(hours=1))
    make_task("Nueva y urgente", estimated_minutes=30, priority="high")

    plan, created = plan_build(user=user, source="api", now=NOW)

    assert created
    assert titles(plan) == ["Pendiente de ayer", "Nueva y urgente"]
    assert [item.carried_over for item in plan.items.all()] == [True, False]


def test_building_again_replaces_todays_plan(user, make_task):
    make_task("Informe", estimated_minutes=30)
    first, _ = plan_build(user=user, source="api", now=NOW)
    make_task("Otra", estimated_minutes=30)

    again, created = plan_build(user=user, source="assistant", now=NOW + timedelta(minutes=5))

    assert not created
    assert again.pk == first.pk
    assert titles(again) == ["Informe", "Otra"]
    assert DayPlan.objects.count() == 1


def test_another_users_tasks_are_never_planned(user, other_user, make_task):
    make_task("Mía", estimated_minutes=30)
    make_task("Ajena", owner=other_user, estimated_minutes=30, due_at=NOW - timedelta(days=1))
    other_plan, _ = plan_build(user=other_user, source="api", now=NOW)

    plan, _ = plan_build(user=user, source="api", now=NOW)

    assert titles(plan) == ["Mía"]
    assert titles(other_plan) == ["Ajena"]


def test_completed_tasks_are_not_planned(user, make_task):
    task = make_task("Hecha", estimated_minutes=30)
    task_complete(user=user, task=task, source="api", now=NOW - timedelta(hours=1))

    plan, _ = plan_build(user=user, source="api", now=NOW)

    assert titles(plan) == []


# --- the minutes of each task ------------------------------------------------------------------


def test_a_task_without_estimate_gets_the_default(user, make_task):
    make_task("Sin estimar")

    plan, _ = plan_build(user=user, source="api", now=NOW)

    [item] = plan.items.all()
    assert (item.planned_minutes, item.estimated_minutes) == (30, None)


def test_estimates_are_corrected_by_the_persons_own_accuracy(user, make_task, finish):
    for n in range(5):  # estimated 40 minutes, each took 60: factor 1.5
        finish(make_task(f"Hecha {n}", estimated_minutes=40), 60, NOW - timedelta(days=n + 1))
    make_task("Nueva", estimated_minutes=40)

    plan, _ = plan_build(user=user, source="api", now=NOW)

    assert (plan.estimate_factor, plan.estimate_sample) == (Decimal("1.50"), 5)
    [item] = plan.items.all()
    assert (item.estimated_minutes, item.planned_minutes) == (40, 60)


def test_time_already_tracked_is_taken_off(user, make_task):
    from tasks.services import task_log_time

    task = make_task("A medias", estimated_minutes=60)
    task_log_time(
        user=user,
        task=task,
        started_at=NOW - timedelta(minutes=45),
        ended_at=NOW - timedelta(minutes=5),
        source="api",
        now=NOW,
    )

    plan, _ = plan_build(user=user, source="api", now=NOW)

    assert plan.items.get().planned_minutes == 20


def test_an_overrun_task_still_gets_a_short_slot(user, make_task):
    from tasks.services import task_log_time

    task = make_task("Se alargó", estimated_minutes=15)
    task_log_time(
        user=user,
        task=task,
        started_at=NOW - timedelta(minutes=50),
        ended_at=NOW - timedelta(minutes=10),
        source="api",
        now=NOW,
    )

    plan, _ = plan_build(user=user, source="api", now=NOW)

    assert plan.items.get().planned_minutes == 10


def test_under_the_minimum_sample_the_factor_is_one(user, make_task, finish):
    for n in range(4):
        finish(make_task(f"Hecha {n}", estimated_minutes=30), 90, NOW - timedelta(days=n + 1))

    accuracy = estimate_accuracy_factor(user=user, now=NOW)

    assert (accuracy.factor, accuracy.sample, accuracy.ratio) == (Decimal("1.00"), 4, Decimal(3))


def test_the_factor_reads_the_last_28_days_of_the_persons_own_tasks(
    user, other_user, make_task, finish
):
    for n in range(5):
        finish(make_task(f"Reciente {n}", estimated_minutes=60), 30, NOW - timedelta(days=n + 1))
        finish(make_task(f"Vieja {n}", estimated_minutes=10), 100, NOW - timedelta(days=30 + n))
        other = make_task(f"Ajena {n}", owner=other_user, estimated_minutes=10)
        finish(other, 100, NOW - timedelta(days=n + 1))

    accuracy = estimate_accuracy_factor(user=user, now=NOW)

    assert (accuracy.factor, accuracy.sample) == (Decimal("0.50"), 5)


def test_the_factor_is_bounded(user, make_task, finish):
    for n in range(5):  # a forgotten timer: 10 minutes estimated, 10 hours tracked
        finish(make_task(f"T{n}", estimated_minutes=10), 600, NOW - timedelta(days=n + 1))

    accuracy = estimate_accuracy_factor(user=user, now=NOW)

    assert (accuracy.factor, accuracy.ratio) == (Decimal("3.00"), Decimal("60.00"))


def test_the_window_is_the_last_28_local_days_including_today(user, make_task, finish):
    # NOW is Wednesday 25 November: the window opens at local midnight of 29 October.
    first_inside, last_outside = madrid(2026, 10, 29, 0, 20), madrid(2026, 10, 28, 23, 59)
    for n in range(4):
        inside = first_inside + timedelta(minutes=20 * n)
        finish(make_task(f"Dentro {n}", estimated_minutes=10), 20, inside)
        outside = last_outside - timedelta(minutes=100 * n)
        finish(make_task(f"Fuera {n}", estimated_minutes=10), 100, outside)
    finish(make_task("Hoy", estimated_minutes=10), 20, madrid(2026, 11, 25, 9, 0))

    accuracy = estimate_accuracy_factor(user=user, now=NOW)

    assert (accuracy.factor, accuracy.sample) == (Decimal("2.00"), 5)


def test_below_the_insights_minimum_there_is_no_ratio(user, make_task, finish):
    for n in range(2):
        finish(make_task(f"Hecha {n}", estimated_minutes=30), 90, NOW - timedelta(days=n + 1))

    accuracy = estimate_accuracy_factor(user=user, now=NOW)

    assert (accuracy.factor, accuracy.sample, accuracy.ratio) == (Decimal("1.00"), 2, None)


def test_the_factor_keeps_two_decimal_places(user, make_task, finish):
    for n in range(5):  # 78 / 60: insights says 1.3
        finish(make_task(f"T{n}", estimated_minutes=60), 78, NOW - timedelta(days=n + 1))
    make_task("Informe", estimated_minutes=60)

    accuracy = estimate_accuracy_factor(user=user, now=NOW)
    plan, _ = plan_build(user=user, source="api", now=NOW)

    assert (str(accuracy.factor), str(accuracy.ratio)) == ("1.30", "1.30")
    assert (plan.estimate_factor, plan.items.get().planned_minutes) == (Decimal("1.30"), 78)
