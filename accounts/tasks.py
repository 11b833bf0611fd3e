"""The accounts app's jobs: the mails (accounts/emails.py), sent by the worker.

Requests queue these after commit (`transaction.on_commit`) with plain values; with the
database backend the worker (`manage.py db_worker`) sends, with the immediate backend
(development, tests) `enqueue()` does. Each logs one line with what it did and never the
address. A mail the SMTP server refuses fails the job (the worker records it as failed); the
person can ask again.
"""

import logging

from django.tasks import task

from accounts import emails
from accounts.models import User, normalize_email

logger = logging.getLogger(__name__)


@task
def send_password_reset(*, email: str) -> str:
    """Mail a reset link to the account with this address, if there is one that may get it.

    Queued by every reset request, for a known address or not: the request never looks the
    address up, so it does the same work (and takes the same time) either way. Answers
    `sent`, `no_account` (none, or deactivated) or `unverified` (a changed address not yet
    verified gets no reset mail)."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None:
        outcome = "no_account"
    elif not user.email_resettable():
        outcome = "unverified"
    else:
        emails.password_reset_send(user=user)
        outcome = "sent"
    logger.info("password reset mail: user=%s %s", user.pk if user else "-", outcome)
    return outcome


@task
def send_email_verification(*, user_id: str) -> str:
    """Mail a verification link to the user's current address. Answers `sent`, `verified`
    (nothing to do) or `gone` (deleted or deactivated meanwhile)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        outcome = "gone"
    elif user.email_verified:
        outcome = "verified"
    else:
        emails.email_verify_send(user=user)
        outcome = "sent"
    logger.info("verification mail: user=%s %s", user_id, outcome)
    return outcome
