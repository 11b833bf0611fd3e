"""DELETE /auth/me: every row of the person goes, in every table, and nothing of anyone else.

The model walk below finds a user's rows in any model: through any chain of foreign keys to the
user (up to three hops: a push message -> its notification -> the user), and in any text or
JSON column holding the user's id or email (a queued job's arguments, a log's text). A model
added later whose rows would survive their user's deletion fails it."""

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from rest_framework.test import APIClient

from accounts.deletion import email_sha256
from accounts.models import AccountDeletion, User
from tests.accounts.conftest import error_of
from tests.conftest import PASSWORD
from tests.privacy.accounts_data import fill_account

pytestmark = pytest.mark.django_db

# The one table that keeps a deleted account's id, by design (and a hash of its email).
KEEPS_THE_ID = {AccountDeletion}
MAX_HOPS = 3


def user_paths(model, hops=MAX_HOPS, seen=()) -> list[str]:
    """Every lookup from `model` to the user model through foreign keys ("user",
    "notification__user", "token__user" ...)."""
    if hops == 0 or model in seen:
        return []
    paths = []
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.related_model is None:
            continue
        if field.related_model is User:
            paths.append(field.name)
        else:
            paths += [
                f"{field.name}__{rest}"
                for rest in user_paths(field.related_model, hops - 1, (*seen, model))
            ]
    return paths


def text_columns(model) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField | models.UUIDField)
        and not f.is_relation
    ]


def rows_of(user_id, email) -> dict[str, int]:
    """How many rows of each model belong to or mention the user (by id or email)."""
    found = {}
    for model in apps.get_models():
        if model is User:
            count = User.objects.filter(pk=user_id).count()
        else:
            query = models.Q()
            for path in user_paths(model):
                query |= models.Q(**{f"{path}__pk": user_id})
            annotations = {
                f"_t_{name}": Cast(name, models.TextField()) for name in text_columns(model)
            }
            needles = [email] if model in KEEPS_THE_ID else [str(user_id), user_id.hex, email]
            for name in annotations:
                for needle in needles:
                    query |= models.Q(**{f"{name}__icontains": needle})
            if not query:
                continue
            count = model.objects.annotate(**annotations).filter(query).count()
        if count:
            found[model._meta.label] = count
    return found


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def delete_me(token: str, body=None):
    return bearer(token).delete("/api/v1/auth/me", body, format="json")


@pytest.fixture
def two_people(user, other_user, make_user):
    staff = make_user(email="staff@example.com", is_staff=True)
    mine = fill_account(user, tag="ana", staff=staff)
    theirs = fill_account(other_user, tag="otro", staff=user)  # Ana acted on their rows too
    return mine, theirs


def test_the_walk_finds_every_kind_of_row(two_people, user):
    """The walk itself can fail: before deletion it sees the user's rows in every table."""
    found = rows_of(user.pk, user.email)

    for label in [
        "accounts.User",
        "accounts.Device",
        "accounts.Notification",
        "accounts.PushMessage",
        "accounts.AdminAccessLog",
        "tasks.Category",
        "tasks.Task",
        "tasks.TaskEvent",
        "goals.Goal",
        "goals.GoalProgress",
        "goals.GoalPause",
        "planning.DayPlan",
        "planning.DayPlanItem",
        "planning.WeeklyReview",
        "checkins.CheckIn",
        "memories.Memory",
        "summaries.DailySummary",
        "chat.Conversation",
        "chat.Message",
        "token_blacklist.OutstandingToken",
        "django_tasks_database.DBTaskResult",
    ]:
        assert label in found, label


def test_deleting_the_account_leaves_no_row_of_it_anywhere(two_people, user, other_user):
    mine, _ = two_people
    others_before = rows_of(other_user.pk, other_user.email)
    user_id, email = user.pk, user.email

    response = delete_me(mine["tokens"]["access"], {"password": PASSWORD})

    assert response.status_code == 204, response.content
    assert rows_of(user_id, email) == {}
    # Ana's trace on the other person's rows (she was the actor of one event and one progress
    # entry) is gone with her; their rows themselves are all still there.
    assert rows_of(other_user.pk, other_user.email) == others_before
    record = AccountDeletion.objects.get(user_id_deleted=user_id)
    assert (record.via, record.deleted_by, record.email_sha256) == (
        "api",
        None,
        email_sha256(email),
    )


def test_after_deletion_the_tokens_stop_working(two_people):
    mine, theirs = two_people
    assert delete_me(mine["tokens"]["access"], {"password": PASSWORD}).status_code == 204

    assert bearer(mine["tokens"]["access"]).get("/api/v1/auth/me").status_code == 401
    refreshed = APIClient().post(
        "/api/v1/auth/refresh", {"refresh": mine["tokens"]["refresh"]}, format="json"
    )
    assert refreshed.status_code == 401
    assert bearer(theirs["tokens"]["access"]).get("/api/v1/auth/me").status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"password": "not the password"}, 400, "wrong_password"),
        ({}, 400, "validation_error"),
        ({"password": 12}, 400, "wrong_password"),
        (None, 400, "validation_error"),
    ],
    ids=["wrong", "missing", "not-a-string", "no-body"],
)
def test_a_wrong_or_missing_password_deletes_nothing(two_people, user, body, status, code):
    mine, _ = two_people
    before = rows_of(user.pk, user.email)

    response = delete_me(mine["tokens"]["access"], body)

    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert rows_of(user.pk, user.email) == before
    assert not AccountDeletion.objects.exists()


def test_wrong_passwords_are_limited_like_the_password_change(user, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "password_user": "2/15min"}
    token = fill_account(user, tag="ana")["tokens"]["access"]
    for _ in range(2):
        assert delete_me(token, {"password": "wrong"}).status_code == 400

    refused = delete_me(token, {"password": PASSWORD})

    assert refused.status_code == 429
    assert error_of(refused)["code"] == "throttled"
    assert User.objects.filter(pk=user.pk).exists()


def test_the_route_answers_without_a_trailing_slash_and_with_one(user):
    token = fill_account(user, tag="ana")["tokens"]["access"]

    assert bearer(token).delete("/api/v1/auth/me/", {"password": PASSWORD}).status_code == 204
