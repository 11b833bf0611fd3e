"""Writes of the mail flows: password reset and email verification (docs/accounts.md).

Every mail is sent by a job (accounts/tasks.py) queued after commit with plain values; no
request talks to the SMTP server. The links' tokens are in accounts/tokens.py.
"""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from accounts.errors import EmailAlreadyVerified, InvalidResetToken, InvalidVerificationToken
from accounts.models import User, normalize_email
from accounts.tokens import email_verification_tokens, password_reset_tokens, user_for_uid


def password_reset_request(*, email: str) -> None:
    """Queue the reset mail for `email`, whoever it belongs to.

    The address is not looked up here: the job does (and sends nothing for an unknown,
    deactivated or unverified changed address). So the request runs the same statements for
    every address, and neither its answer nor its timing tells whether an account exists."""
    from accounts.tasks import send_password_reset  # the jobs import this app's modules

    address = normalize_email(email)
    transaction.on_commit(lambda: send_password_reset.enqueue(email=address))


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set the new password of the account a reset link names, and end every session of it
    (tokens refused, sockets closed: User.save and accounts/sessions.py, as a password change).

    A bad, expired or used token is InvalidResetToken before anything else is looked at; then
    the password goes through Django's validators (400 `validation_error` on `new_password`).
    The link came by mail to the account's address, so it also verifies that address."""
    user = user_for_uid(uid)
    if user is None or not password_reset_tokens.check_token(user, token):
        raise InvalidResetToken()
    try:
        password_validation.validate_password(new_password, user=user)
    except DjangoValidationError as exc:
        raise DjangoValidationError({"new_password": list(exc.messages)}) from exc
    with transaction.atomic():
        # Locked and checked again: of two confirmations with one link, the second sees the
        # new password, so the link works exactly once.
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not password_reset_tokens.check_token(locked, token):
            raise InvalidResetToken()
        locked.set_password(new_password)
        fields = ["password"]
        if locked.email_verified_at is None:
            locked.email_verified_at = timezone.now()
            fields.append("email_verified_at")
        locked.save(update_fields=fields)  # ends every session (User.save)
    return locked


def email_verification_queue(*, user: User) -> None:
    """Queue the verification mail to the user's current address (after commit)."""
    from accounts.tasks import send_email_verification

    user_id = str(user.pk)
    transaction.on_commit(lambda: send_email_verification.enqueue(user_id=user_id))


def email_verification_resend(*, user: User) -> None:
    if user.email_verified:
        raise EmailAlreadyVerified()
    email_verification_queue(user=user)


def email_verify(*, uid: str, token: str) -> User:
    """Mark the address a verification link was sent to as verified. The token names the
    address too: a link sent before a change of address does not verify the new one."""
    user = user_for_uid(uid)
    if user is None or not email_verification_tokens.check_token(user, token):
        raise InvalidVerificationToken()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not email_verification_tokens.check_token(locked, token):
            raise InvalidVerificationToken()
        locked.email_verified_at = timezone.now()
        locked.save(update_fields=["email_verified_at"])
    return locked
