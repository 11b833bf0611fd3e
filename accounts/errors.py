from django.utils.translation import gettext_lazy as _
from rest_framework import status

from config.exceptions import DomainError, NotFound


class EmailTaken(DomainError):
    code = "email_taken"
    message = _("An account with this email already exists.")


class InvalidCredentials(DomainError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_credentials"
    message = _("Email or password is incorrect.")


class InvalidToken(DomainError):
    """A refresh token that is malformed, expired, blacklisted or of the wrong type.

    The code and messages are simplejwt's (and so are the msgids, so its translations apply),
    so a client sees the same `token_not_valid` whether an access or a refresh token is bad.
    """

    status_code = status.HTTP_401_UNAUTHORIZED
    code = "token_not_valid"
    message = _("Token is invalid or expired")
    blacklisted = _("Token is blacklisted")
    wrong_type = _("Token has wrong type")
    revoked = _("Token has been revoked: sign in again.")


# -- password reset and email verification (accounts/email_services.py) -----------------------
class InvalidResetToken(DomainError):
    """A reset link that is expired, used, made before the last password change or login, or
    not a link at all: one answer for all, and nothing changes."""

    code = "invalid_reset_token"
    message = _("This password reset link is invalid or has expired: ask for a new one.")


class InvalidVerificationToken(DomainError):
    code = "invalid_verification_token"
    message = _("This confirmation link is invalid or has expired: ask for a new one.")


class EmailAlreadyVerified(DomainError):
    status_code = status.HTTP_409_CONFLICT
    code = "email_already_verified"
    message = _("Your email address is already verified.")


class EmailNotVerified(DomainError):
    """EMAIL_VERIFICATION_REQUIRED is on and the account's address is not verified yet."""

    status_code = status.HTTP_403_FORBIDDEN
    code = "email_not_verified"
    message = _("Confirm your email address first: we sent you a link.")


class InactiveAccount(DomainError):
    """The refresh token is fine but its user was deactivated or deleted."""

    status_code = status.HTTP_401_UNAUTHORIZED
    code = "no_active_account"
    message = _("No active account found for the given token.")


class DeviceNotFound(NotFound):
    message = _("Device not found.")


class WrongPassword(DomainError):
    """The current password given to change it is not the user's (400, so a client does not
    take it for an expired session)."""

    code = "wrong_password"
    message = _("The current password is incorrect.")
