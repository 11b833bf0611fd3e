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
