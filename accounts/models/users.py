"""The person: their account, language, time zone and preferences."""

import uuid
import zoneinfo
from functools import cache

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

# Entries of the system's zoneinfo directory that are not time zones a person lives in:
# "localtime" is whatever the server is set to, "Factory" and "posixrules" are tzdata artefacts.
_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def _timezone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - _NOT_PLACES


def validate_timezone(value: str) -> None:
    if value not in _timezone_names():
        raise ValidationError(
            _("“%(value)s” is not a known IANA time zone."),
            code="invalid_timezone",
            params={"value": value},
        )


def normalize_email(email: str) -> str:
    """Emails are the login and compare case-insensitively: they are stored lower-cased."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("Users must have an email address")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email(username))


class User(AbstractBaseUser, PermissionsMixin):
    class Language(models.TextChoices):
        SPANISH = "es", "Español"
        ENGLISH = "en", "English"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("email"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    timezone = models.CharField(
        _("timezone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.SPANISH
    )
    preferences = models.JSONField(_("preferences"), default=dict, blank=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=dj_timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The "valid after" mark of the user's tokens: every token carries the generation it was
    # issued in (claim `gen`), and one from an older generation is refused. Revoking the
    # sessions (accounts/sessions.py) moves it on. Read with the user on every request, so the
    # check costs no query. 64 bits: ending every session (after a restore) jumps it to the
    # clock in milliseconds (accounts/sessions.py).
    token_generation = models.PositiveBigIntegerField(
        _("token generation"), default=0, editable=False
    )
    # When the person proved the address is theirs (the link of the verification mail, or of a
    # reset mail); None while unverified. A new address (email_changed_at) is unverified again.
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    email_changed_at = models.DateTimeField(_("email changed at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        db_table = "users"
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="users_email_lower_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        user = super().from_db(db, field_names, values, **kwargs)
        # The address as loaded, so save() can tell a change of address (see there).
        user._loaded_email = user.__dict__.get("email")
        return user

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def email_resettable(self) -> bool:
        """Whether a password reset mail may go to the address: a verified one, or the one the
        account was registered with. A changed address gets none until it is verified (a typo
        there would hand the account to whoever owns the mistyped address)."""
        return self.email_verified_at is not None or self.email_changed_at is None

    def _note_email_change(self, update_fields) -> list | None:
        """A new address (from any caller: the admin, a future API) is unverified: clear the
        verification and note when it changed, in the same save."""
        loaded = getattr(self, "_loaded_email", None)
        if self._state.adding or loaded is None or normalize_email(self.email) == loaded:
            return update_fields
        if update_fields is not None and "email" not in update_fields:
            return update_fields
        self.email_verified_at = None
        self.email_changed_at = dj_timezone.now()
        if update_fields is None:
            return None
        return [*update_fields, "email_verified_at", "email_changed_at"]

    def save(self, *args, **kwargs):
        """A new password (set_password, from any caller: the admin, `changepassword`, the API)
        or a deactivation ends every session of the user, in the same transaction; a new
        address is unverified (`_note_email_change`).

        A login that only upgrades the stored hash (check_password's setter) clears
        `_password` before saving, so it is not taken for a change. Saves restricted by
        `update_fields` count only the fields they write."""
        from accounts.sessions import sessions_revoke  # sessions imports this module

        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = self._note_email_change(kwargs["update_fields"])
        else:
            self._note_email_change(None)
        update_fields = kwargs.get("update_fields")
        reason = None
        if not self._state.adding:
            if self._password is not None and (
                update_fields is None or "password" in update_fields
            ):
                reason = "password_changed"
            elif (
                not self.is_active
                and (update_fields is None or "is_active" in update_fields)
                and type(self)._default_manager.filter(pk=self.pk, is_active=True).exists()
            ):
                reason = "deactivated"
        if reason is None:
            super().save(*args, **kwargs)
        else:
            with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self))):
                super().save(*args, **kwargs)
                sessions_revoke(user=self, reason=reason)
        self._loaded_email = normalize_email(self.email)

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def local_now(self):
        return dj_timezone.now().astimezone(self.tz)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email
