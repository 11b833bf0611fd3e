"""manage.py generate_daily_summaries and manage.py seed_demo."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from summaries.models import DailySummary

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_model(settings):
    settings.OPENAI_API_KEY = ""


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("generate_daily_summaries", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_date_for_everyone_then_again_skips(make_user):
    people = [make_user() for _ in range(3)]
    make_user(is_active=False)

    out, _ = run("--date", "2026-11-30")
    again, _ = run("--date", "2026-11-30")

    assert out.strip() == "generated 3, skipped 0, failed 0"
    assert again.strip() == "generated 0, skipped 3, failed 0"
    assert set(DailySummary.objects.values_list("user_id", flat=True)) == {p.pk for p in people}
    assert set(DailySummary.objects.values_list("source", flat=True)) == {"admin"}


def test_force_regenerates(user):
    run("--date", "2026-11-30")
    out, _ = run("--date", "2026-11-30", "--force")
    assert out.strip() == "generated 1, skipped 0, failed 0"
    assert DailySummary.objects.count() == 1


def test_by_default_each_users_local_yesterday(make_user):
    tokyo = make_user(timezone="Asia/Tokyo")
    honolulu = make_user(timezone="Pacific/Honolulu")

    run()

    assert DailySummary.objects.get(user=tokyo).date == tokyo.local_now().date() - timedelta(1)
    assert DailySummary.objects.get(user=honolulu).date == (
        honolulu.local_now().date() - timedelta(1)
    )


def test_one_user_by_email(user, other_user):
    out, _ = run("--date", "2026-11-30", "--user", "ANA@example.com")
    assert out.strip() == "generated 1, skipped 0, failed 0"
    assert list(DailySummary.objects.values_list("user_id", flat=True)) == [user.pk]


def test_an_unknown_email_is_an_error(user):
    with pytest.raises(CommandError, match="No active user"):
        run("--user", "nadie@example.com")


def test_due_picks_what_the_schedule_would(make_user):
    due = make_user(preferences={"summary_hour": 0})
    make_user(timezone="Pacific/Kiritimati", preferences={"summary_hour": 23})  # UTC+14
    make_user(timezone="Pacific/Pago_Pago", preferences={"summary_hour": 23})  # UTC-11

    out, _ = run("--due")

    stored = DailySummary.objects.get()
    assert (stored.user_id, stored.date, stored.source) == (
        due.pk,
        due.local_now().date(),
        "schedule",
    )
    # At most one of the two late hours can have passed right now.
    generated = int(out.split()[1].rstrip(","))
    assert generated == DailySummary.objects.count()


def test_due_does_not_take_a_date(user):
    with pytest.raises(CommandError, match="--due"):
        run("--due", "--date", "2026-11-30")


def test_a_future_day_is_skipped(user):
    future = (user.local_now().date() + timedelta(days=2)).isoformat()
    out, _ = run("--date", future)
    assert out.strip() == "generated 0, skipped 1, failed 0"
    assert not DailySummary.objects.exists()


def test_one_failure_is_counted_and_the_others_go_on(make_user):
    good = [make_user() for _ in range(2)]
    broken = make_user(email="zz-broken@example.com")
    # A timezone the database holds but zoneinfo does not know (a bad import, say).
    User.objects.filter(pk=broken.pk).update(timezone="Mars/Olympus_Mons")

    with pytest.raises(CommandError, match="1 summary"):
        run("--date", "2026-11-30")

    assert set(DailySummary.objects.values_list("user_id", flat=True)) == {p.pk for p in good}


def test_a_progress_bar_when_there_are_many_users(make_user):
    for _ in range(25):
        make_user()

    out, err = run("--date", "2026-11-30")

    assert out.strip() == "generated 25, skipped 0, failed 0"
    assert "[" + "#" * 30 + "] 25/25" in err
    _, quiet = run("--date", "2026-11-30", "--no-progress")
    assert quiet == ""


def test_seed_demo_builds_a_week_and_prints_the_login(client):
    out = StringIO()
    call_command("seed_demo", stdout=out)

    text = out.getvalue()
    password = text.split("password:")[1].strip()
    assert "demo@example.com" in text
    user = User.objects.get(email="demo@example.com")
    assert user.check_password(password)
    summaries = list(DailySummary.objects.filter(user=user).order_by("date"))
    assert len(summaries) == 7
    today = user.local_now().date()
    assert [s.date for s in summaries] == [today - timedelta(days=n) for n in range(7, 0, -1)]
    assert all(s.stats["tracked_seconds"]["total"] > 0 for s in summaries)
    assert all(s.stats["check_ins"]["count"] == 2 for s in summaries)
    assert sum(s.stats["tasks"]["completed"] for s in summaries) == 5
    assert user.tasks.filter(running_since__isnull=False).count() == 1
    # The demo logs in through the API with the printed password.
    response = client.post(
        "/api/v1/auth/login",
        {"email": "demo@example.com", "password": password},
        content_type="application/json",
    )
    assert response.status_code == 200


def test_seed_demo_refuses_an_existing_user_unless_reset(user):
    with pytest.raises(CommandError, match="already exists"):
        call_command("seed_demo", "--email", user.email, stdout=StringIO())

    call_command("seed_demo", "--email", user.email, "--reset", stdout=StringIO())
    assert User.objects.get(email=user.email).daily_summaries.count() == 7


def test_seed_demo_never_runs_in_production(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.filter(email="demo@example.com").exists()


def test_dates_must_be_iso(user):
    with pytest.raises(CommandError):
        run("--date", "30/11/2026")
    assert not DailySummary.objects.exists()
