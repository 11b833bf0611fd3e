import logging

from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone as dj_timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, UntypedToken

from accounts.email_services import email_verification_queue
from accounts.errors import (
    EmailTaken,
    InactiveAccount,
    InvalidCredentials,
    InvalidToken,
    WrongPassword,
)
from accounts.models import Device, User, normalize_email
from accounts.sessions import GENERATION_CLAIM, sessions_revoke, token_generation

logger = logging.getLogger(__name__)


def tokens_for(user: User) -> dict:
    """A new session: a refresh token and its first access token, both carrying the user's
    current token generation (accounts/sessions.py)."""
    refresh = RefreshToken.for_user(user)
    refresh[GENERATION_CLAIM] = user.token_generation  # copied into the access token
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def user_register(
    *, email: str, password: str, name: str = "", timezone: str = "UTC", language: str = "es"
) -> User:
    email = normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken(fields={"email": [EmailTaken.message]})
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, name=name, timezone=timezone, language=language
            )
            # The mail with the confirmation link, sent by the worker once this commits.
            email_verification_queue(user=user)
            return user
    except IntegrityError as exc:  # two registrations raced past the check above
        raise EmailTaken(fields={"email": [EmailTaken.message]}) from exc


def user_login(*, request, email: str, password: str) -> User:
    """The same 401 for an unknown email, a wrong password and a deactivated account.

    A successful check may also upgrade the stored hash (bcrypt from the Node service, or an
    older Argon2 cost) to the current preferred hasher; Django does that in check_password.
    """
    user = authenticate(request, email=normalize_email(email), password=password)
    if user is None:
        raise InvalidCredentials()
    update_last_login(None, user)
    return user


def user_update(*, user: User, data: dict) -> User:
    """Change profile fields (validated by UserSerializer); preferences merge key by key.

    The merge is a read-modify-write, so the row is locked: two devices changing different
    preferences at the same moment both keep their change.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        for field, value in data.items():
            if field == "preferences":
                value = {**(locked.preferences or {}), **value}
            setattr(locked, field, value)
        locked.save(update_fields=[*data, "updated_at"])
    return locked


MAX_DEVICES_PER_USER = 20


def device_register(*, user: User, expo_push_token: str, platform: str, name: str = "") -> tuple:
    """Register or refresh a device: answers `(device, created)`.

    A token names one app installation; registering one that belongs to another account moves
    it here (the phone's new owner logged in), so pushes never reach the previous account's
    person. Past MAX_DEVICES_PER_USER, the device registered least recently is dropped.
    """
    now = dj_timezone.now()
    with transaction.atomic():
        # Locked: two registrations of one token at once update one row instead of racing
        # into the unique index.
        device = Device.objects.select_for_update().filter(expo_push_token=expo_push_token).first()
        created = device is None or device.user_id != user.pk
        if device is None:
            device = Device(expo_push_token=expo_push_token, created_at=now)
        elif created:
            device.created_at = now
        device.user, device.platform, device.name = user, platform, name
        device.last_registered_at = now
        try:
            with transaction.atomic():
                device.save()
        except IntegrityError:  # a concurrent first registration of the token won: refresh it
            return device_register(
                user=user, expo_push_token=expo_push_token, platform=platform, name=name
            )
        stale = Device.objects.filter(user=user).order_by("-last_registered_at", "-id")
        Device.objects.filter(
            pk__in=list(stale.values_list("pk", flat=True)[MAX_DEVICES_PER_USER:])
        ).delete()
    return device, created


def device_delete(*, device: Device) -> None:
    device.delete()


def logout_with_device(*, refresh: str, device_id) -> None:
    """Log out and drop the device in one step. The token is checked first, so a bad one
    changes nothing; a device id that is not the token owner's (or is gone) is ignored."""
    token = _refresh_token(refresh)
    user_id = token.payload.get(jwt_settings.USER_ID_CLAIM)
    with transaction.atomic():
        Device.objects.filter(pk=device_id, user_id=user_id).delete()
        refresh_blacklist(refresh=refresh)


def _refresh_token(raw: str) -> RefreshToken:
    """A signed, unexpired, not blacklisted refresh token, or InvalidToken (401)."""
    try:
        return RefreshToken(raw)
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from exc


def _signed_refresh_token(raw: str) -> RefreshToken:
    """A signed, unexpired refresh token, blacklisted or not; InvalidToken (401) otherwise.
    (RefreshToken(raw) would refuse a blacklisted one outright; reuse detection needs it.)"""
    try:
        UntypedToken(raw)  # signature, expiry, jti
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from exc
    token = RefreshToken(raw, verify=False)  # verified just above
    if token.payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != token.token_type:
        raise InvalidToken(InvalidToken.wrong_type)
    return token


def token_refresh(*, refresh: str) -> dict:
    """Rotate: blacklist the given refresh token and answer a new access/refresh pair.

    simplejwt's own TokenRefreshSerializer blacklists with get_or_create, so two requests racing
    with the same token could both rotate it; here the token's outstanding row is locked and the
    blacklist entry created once, so a refresh token is good for exactly one refresh. It also
    answers 401 (not a server error) when the token's user has been deleted.

    Reuse detection: a refresh token of the user's current generation that is already
    blacklisted was rotated (or logged out) and is being presented again: by a thief or by its
    owner after a thief used it first. Either way every session of the user ends (401 here, and
    every device logs in again), as OAuth's refresh token rotation prescribes. A token of an
    older generation was already revoked with all the others: a plain 401.
    """
    token = _signed_refresh_token(refresh)
    user_id = token.payload.get(jwt_settings.USER_ID_CLAIM)
    jti = token.payload[jwt_settings.JTI_CLAIM]
    with transaction.atomic():
        # Lock order: the user, then the token, as a revocation takes them (the user's row,
        # then all their tokens); the other order deadlocked a refresh against a concurrent
        # logout-all. Under the user's lock a revocation in flight has finished, so the
        # generation read here is the current one. One read of the user, locked.
        user = _locked_user_with_id(user_id)
        if user is None or not jwt_settings.USER_AUTHENTICATION_RULE(user):
            raise InactiveAccount()
        if token_generation(token.payload) != user.token_generation:
            raise InvalidToken(InvalidToken.revoked)
        token.outstand()  # tokens issued by simplejwt already are; this covers any other
        # A concurrent refresh with the same token waits on the user's lock, then sees the
        # blacklist entry this one writes and takes it for a replay.
        outstanding = OutstandingToken.objects.select_for_update().get(jti=jti)
        replayed = BlacklistedToken.objects.filter(token=outstanding).exists()
        if not replayed:
            BlacklistedToken.objects.create(token=outstanding)
            return tokens_for(user)
        sessions_revoke(user=user, reason="refresh_token_reuse")
    logger.warning("refresh token replayed: every session of user %s revoked", user.pk)
    raise InvalidToken(InvalidToken.blacklisted)


def _locked_user_with_id(user_id) -> User | None:
    try:
        return (
            User.objects.select_for_update().filter(**{jwt_settings.USER_ID_FIELD: user_id}).first()
        )
    except (ValueError, DjangoValidationError):  # a signed token naming no possible user
        return None


def password_change(*, user: User, current_password: str, new_password: str) -> dict:
    """Set a new password and end every session of the user, this device's included; answers
    a fresh pair for this device. The current password is checked first (WrongPassword),
    the new one by Django's validators (the serializer)."""
    if not user.check_password(current_password):
        raise WrongPassword(fields={"current_password": [WrongPassword.message]})
    with transaction.atomic():
        # Locked: two changes at once end in one password and one generation, not a mix.
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(new_password)
        locked.save(update_fields=["password"])  # revokes (User.save, accounts/sessions.py)
        return tokens_for(locked)


def logout_all(*, user: User) -> None:
    """Log out everywhere: every refresh and access token of the user stops working."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        sessions_revoke(user=locked, reason="logout_all")


def refresh_blacklist(*, refresh: str) -> None:
    """Log out: the refresh token can no longer be used (401 if it already cannot)."""
    token = _refresh_token(refresh)
    try:
        token.blacklist()
    except IntegrityError as exc:  # a concurrent logout with the same token won the race
        raise InvalidToken(InvalidToken.blacklisted) from exc
