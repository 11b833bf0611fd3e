"""/api/v1/reviews, the review preference, the admin, and the push that announces a review."""

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.models import Device, Notification
from planning import tasks as jobs
from planning.models import WeeklyReview
from planning.services import review_generate

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)


def test_list_and_read_your_reviews(api_client, user):
    older, _ = review_generate(user=user, week_start=MONDAY - timedelta(days=7), source="schedule")
    newer, _ = review_generate(user=user, week_start=MONDAY, source="schedule")

    listed = api_client.get("/api/v1/reviews").json()
    one = api_client.get(f"/api/v1/reviews/{newer.pk}/").json()

    assert [r["id"] for r in listed["results"]] == [str(newer.pk), str(older.pk)]
    assert one["week"] == "2026-W48"
    assert one["week_start"] == "2026-11-23"
    assert one["language"] == "es"
    assert one["text"].startswith("Tu semana del 23 nov")
    assert one["stats"]["week"] == "2026-W48"


def test_another_users_review_is_404(api_client, other_user):
    theirs, _ = review_generate(user=other_user, week_start=MONDAY, source="schedule")

    response = api_client.get(f"/api/v1/reviews/{theirs.pk}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api_client.get("/api/v1/reviews/not-a-uuid").status_code == 404
    assert api_client.get("/api/v1/reviews").json()["count"] == 0


def test_reviews_are_read_only(api_client, user):
    review, _ = review_generate(user=user, week_start=MONDAY, source="schedule")

    assert api_client.post("/api/v1/reviews", {}).status_code == 405
    assert api_client.delete(f"/api/v1/reviews/{review.pk}").status_code == 405


def test_the_list_reads_a_fixed_number_of_queries(api_client, user, django_assert_num_queries):
    for weeks in range(4):
        review_generate(user=user, week_start=MONDAY - timedelta(weeks=weeks), source="schedule")

    with django_assert_num_queries(2):  # user, page with its count
        response = api_client.get("/api/v1/reviews")

    assert response.json()["count"] == 4


def test_the_review_moment_is_a_typed_preference(api_client):
    good = {"preferences": {"weekly_review": {"weekday": 5, "hour": 17}}}
    assert api_client.patch("/api/v1/auth/me", good, format="json").status_code == 200
    for moment in (
        {"weekday": 0, "hour": 17},
        {"weekday": 8, "hour": 17},
        {"weekday": 5, "hour": 24},
        {"weekday": "viernes", "hour": 17},
        {"weekday": True, "hour": 17},
        {"weekday": 5},
    ):
        body = {"preferences": {"weekly_review": moment}}
        response = api_client.patch("/api/v1/auth/me", body, format="json")
        assert response.status_code == 400, moment
        assert "preferences.weekly_review" in response.json()["error"]["fields"]
    reset = {"preferences": {"weekly_review": None, "notifications": {"weekly_review": False}}}
    assert api_client.patch("/api/v1/auth/me", reset, format="json").status_code == 200


def test_a_scheduled_review_is_announced_once_on_the_devices(fake_expo, user):
    Device.objects.create(user=user, expo_push_token="ExponentPushToken[ana-1]", platform="ios")
    user.created_at = datetime.now(UTC) - timedelta(days=30)
    user.save()

    jobs.sweep_weekly_reviews.call()
    jobs.sweep_weekly_reviews.call()
    review = WeeklyReview.objects.get(user=user)
    jobs.generate_weekly_review.call(
        user_id=str(user.pk), week_start=review.week_start.isoformat(), source="admin"
    )

    [message] = fake_expo.delivered
    assert message["title"] == "Tu repaso semanal está listo"
    year, week, _ = review.week_start.isocalendar()
    assert message["data"] == {
        "type": "weekly_review",
        "screen": "review",
        "review_id": str(review.pk),
        "week": f"{year}-W{week:02d}",
    }
    assert Notification.objects.filter(user=user, kind="weekly_review").count() == 1


def test_the_push_can_be_turned_off(fake_expo, user):
    Device.objects.create(user=user, expo_push_token="ExponentPushToken[ana-1]", platform="ios")
    user.preferences = {"notifications": {"weekly_review": False}}
    user.created_at = datetime.now(UTC) - timedelta(days=30)
    user.save()

    jobs.sweep_weekly_reviews.call()

    assert WeeklyReview.objects.filter(user=user).exists()
    assert fake_expo.delivered == []


def test_the_admin_lists_reviews_and_queues_them_to_be_written_again(client, make_user, user):
    staff = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    review, _ = review_generate(user=user, week_start=MONDAY, source="schedule")
    client.force_login(staff)

    listing = client.get("/admin/planning/weeklyreview/")
    action = client.post(
        "/admin/planning/weeklyreview/",
        {"action": "write_again", "_selected_action": [str(review.pk)]},
    )

    assert listing.status_code == 200
    assert action.status_code == 302
    review.refresh_from_db()
    assert review.source == "admin"  # the immediate backend ran the job at once
    assert client.get("/admin/planning/dayplan/").status_code == 200
