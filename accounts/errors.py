from django.utils.translation import gettext_lazy as _
from rest_framework import status

from config.exceptions import DomainError


class EmailTaken(DomainError):
    code = "email_taken"
    message = _("An account with this email already exists.")


class InvalidCredentials(DomainError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_credentials"
    message = _("Email or password is incorrect.")
