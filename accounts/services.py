from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.errors import EmailTaken, InvalidCredentials
from accounts.models import User, normalize_email


def tokens_for(user: User) -> dict:
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def user_register(
    *, email: str, password: str, name: str = "", timezone: str = "UTC", language: str = "es"
) -> User:
    email = normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken(fields={"email": [EmailTaken.message]})
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email, password=password, name=name, timezone=timezone, language=language
            )
    except IntegrityError as exc:  # two registrations raced past the check above
        raise EmailTaken(fields={"email": [EmailTaken.message]}) from exc


def user_login(*, request, email: str, password: str) -> User:
    """The same 401 for an unknown email, a wrong password and a deactivated account."""
    user = authenticate(request, email=normalize_email(email), password=password)
    if user is None:
        raise InvalidCredentials()
    return user


def refresh_blacklist(*, refresh: str) -> None:
    """Log out: the refresh token can no longer be used (raises TokenError if already dead)."""
    RefreshToken(refresh).blacklist()
