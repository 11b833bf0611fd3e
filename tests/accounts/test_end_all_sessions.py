"""`manage.py end_all_sessions`: after a database restore every token is refused, those issued
before the dump and those issued after it alike, and signing in again works.

A restore rolls `users.token_generation` and simplejwt's blacklist back to the dump. A user who
logged out everywhere after the dump and signed in again holds tokens one generation above the
restored row: adding one to every generation would make exactly those tokens valid again.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User
from accounts.sessions import generation_floor
from tests.accounts.test_sessions import assert_accepted, assert_refused, bearer, refresh

pytestmark = pytest.mark.django_db


def dump() -> dict:
    """What a pg_dump keeps of the session state."""
    return {
        "generations": dict(User.objects.values_list("pk", "token_generation")),
        "outstanding": set(OutstandingToken.objects.values_list("pk", flat=True)),
        "blacklisted": set(BlacklistedToken.objects.values_list("pk", flat=True)),
    }


def restore(saved: dict) -> None:
    """The rows as the dump had them: later generations, logins and revocations are gone."""
    for pk, generation in saved["generations"].items():
        User.objects.filter(pk=pk).update(token_generation=generation)
    BlacklistedToken.objects.exclude(pk__in=saved["blacklisted"]).delete()
    OutstandingToken.objects.exclude(pk__in=saved["outstanding"]).delete()


def end_all_sessions() -> str:
    out = StringIO()
    call_command("end_all_sessions", stdout=out)
    return out.getvalue()


def test_after_a_restore_every_token_from_before_and_after_the_dump_is_refused(
    user, other_user, login
):
    before_dump = login(user.email).json()
    others = login(other_user.email).json()
    saved = dump()
    # After the dump: log out everywhere (generation 0 -> 1), then sign in again (tokens of 1).
    assert bearer(before_dump["access"]).post("/api/v1/auth/logout-all").status_code == 204
    after_dump = login(user.email).json()
    restore(saved)
    # What the restore alone did: the token revoked after the dump works again.
    assert_accepted(before_dump["access"])
    assert User.objects.get(pk=user.pk).token_generation + 1 == 1  # = after_dump's generation

    output = end_all_sessions()

    assert "ended every session of 2 user(s)" in output
    for tokens in (before_dump, after_dump, others):
        assert_refused(tokens["access"])
        assert refresh(tokens["refresh"]).status_code == 401
    fresh = login(user.email).json()
    assert_accepted(fresh["access"])
    assert refresh(fresh["refresh"]).status_code == 200


def test_the_generation_jumps_to_the_clock_and_later_revocations_go_on_from_there(user, login):
    floor = generation_floor()

    end_all_sessions()

    user.refresh_from_db()
    assert user.token_generation >= floor
    tokens = login(user.email).json()
    bearer(tokens["access"]).post("/api/v1/auth/logout-all")
    assert User.objects.get(pk=user.pk).token_generation == user.token_generation + 1


def test_a_second_end_in_the_same_millisecond_still_moves_every_generation_on(user):
    end_all_sessions()
    first = User.objects.get(pk=user.pk).token_generation
    User.objects.filter(pk=user.pk).update(token_generation=first + 10**9)  # above the clock

    end_all_sessions()

    assert User.objects.get(pk=user.pk).token_generation == first + 10**9 + 1


def test_no_users_is_no_error():
    assert "ended every session of 0 user(s)" in end_all_sessions()
