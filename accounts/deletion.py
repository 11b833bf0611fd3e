"""Deleting an account: every row of the person, in every table, in one transaction.

Most rows go by the database's cascade from `users` (each model with a `user` key says
CASCADE; a staff member's traces on other people's rows, such as `actor`, say SET_NULL). Three
kinds of rows hold the person without a cascade, and are deleted here by name:

- simplejwt's `OutstandingToken` (its `user` key is SET_NULL) and, with it, its blacklist
  entries: the refresh tokens would otherwise outlive the account, with its id inside them;
- queued jobs in django-tasks-db's table, whose JSON arguments carry the user's id
  (`generate_summary`, `notify_summary_ready`); a job already running is left to finish and
  finds no user (the jobs answer "gone");
- the admin's own LogEntry rows about the user's account, whose text is the email.

What is kept: one `AccountDeletion` row with the id, a SHA-256 of the email, how and when.
After commit the person's open sockets are told `session.ended` (reason `account_deleted`)
and closed, through the same path as every other end of session (config/realtime.py); their
tokens already fail, since no user carries them any more.

tests/accounts/test_account_delete.py walks every model for rows left behind, so a model
added later without a cascade to the user fails it.
"""

import hashlib

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.errors import WrongPassword
from accounts.models import AccountDeletion, User
from config import realtime

SESSION_END_REASON = "account_deleted"


def email_sha256(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def account_password_check(*, user: User, password: str) -> None:
    """A person deleting their own account proves it with the current password first
    (WrongPassword, 400: nothing is deleted)."""
    if not isinstance(password, str) or not user.check_password(password):
        raise WrongPassword(fields={"password": [WrongPassword.message]})


def account_delete(*, user: User, via: str, deleted_by: User | None = None) -> AccountDeletion:
    """Delete `user` and every row of theirs; answers the record kept of it."""
    with transaction.atomic():
        # Locked: a concurrent login, refresh or password change of this user waits and then
        # finds no user, instead of writing a token row for an account being deleted.
        locked = User.objects.select_for_update().get(pk=user.pk)
        user_id = locked.pk
        OutstandingToken.objects.filter(user_id=user_id).delete()  # blacklist rows cascade
        DBTaskResult.objects.filter(args_kwargs__kwargs__user_id=str(user_id)).exclude(
            status=TaskResultStatus.RUNNING
        ).delete()
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user_id)
        ).delete()
        record = AccountDeletion.objects.create(
            user_id_deleted=user_id,
            email_sha256=email_sha256(locked.email),
            via=via,
            deleted_by=deleted_by if deleted_by is not None and deleted_by.pk != user_id else None,
        )
        locked.delete()
        realtime.end_sessions(user_id, SESSION_END_REASON)  # sent once committed
    return record
