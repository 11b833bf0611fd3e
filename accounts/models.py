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


class Device(models.Model):
    """A phone with the app installed, reachable through its Expo push token.

    A token names one app installation, so it is unique across users: registering it again
    moves it to whoever registered it last (the person now logged in on that phone).
    """

    class Platform(models.TextChoices):
        IOS = "ios", "iOS"
        ANDROID = "android", "Android"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="devices")
    expo_push_token = models.CharField(_("Expo push token"), max_length=255, unique=True)
    platform = models.CharField(_("platform"), max_length=8, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=dj_timezone.now, editable=False)
    last_registered_at = models.DateTimeField(_("last registered at"), default=dj_timezone.now)

    class Meta:
        db_table = "devices"
        ordering = ["-last_registered_at", "id"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        indexes = [models.Index(fields=["user", "-last_registered_at"], name="devices_user_idx")]

    def __str__(self) -> str:
        return self.name or self.expo_push_token


class Notification(models.Model):
    """One notification to one person: the log, the "already sent" marker and the daily cap.

    `(user, kind, dedupe_key)` is unique, so a reminder slot, a summary or a timer run is
    notified at most once however often (or however concurrently) the jobs run.
    """

    class Kind(models.TextChoices):
        CHECKIN_REMINDER = "checkin_reminder", _("Check-in reminder")
        SUMMARY_READY = "summary_ready", _("Summary ready")
        STALE_TIMER = "stale_timer", _("Stale timer")
        WEEKLY_REVIEW = "weekly_review", _("Weekly review")
        TEST = "test", _("Test")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        LOGGED = "logged", _("Logged (push not configured)")
        FAILED = "failed", _("Failed")
        SKIPPED_QUIET_HOURS = "skipped_quiet_hours", _("Skipped: quiet hours")
        SKIPPED_DAILY_CAP = "skipped_daily_cap", _("Skipped: daily cap")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    local_date = models.DateField(_("local date"))
    status = models.CharField(_("status"), max_length=24, choices=Status.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.CharField(_("body"), max_length=500)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=dj_timezone.now, editable=False)

    class Meta:
        db_table = "notifications"
        ordering = ["-created_at", "id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "dedupe_key"], name="notifications_once_per_key"
            ),
        ]
        indexes = [models.Index(fields=["user", "local_date"], name="notifications_day_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.dedupe_key}"


class PushMessage(models.Model):
    """One notification to one device, through Expo: its ticket and, later, its receipt.

    `pending` rows are waiting to be sent (first try, or again after Expo answered 429/5xx);
    a sender claims them by moving them to `sending`, so no two workers send the same row.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        OK = "ok", _("Accepted by Expo")
        ERROR = "error", _("Error")
        LOGGED = "logged", _("Logged (push not configured)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="messages"
    )
    # Kept when the device goes (DeviceNotRegistered): the row stays as the delivery record.
    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    token = models.CharField(_("Expo push token"), max_length=255)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=dj_timezone.now)
    ticket_id = models.CharField(_("ticket id"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=100, blank=True)
    receipt_status = models.CharField(_("receipt status"), max_length=8, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "push_messages"
        ordering = ["-updated_at", "id"]
        verbose_name = _("push message")
        verbose_name_plural = _("push messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="push_messages_pending_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["sent_at"],
                name="push_messages_receipt_idx",
                condition=models.Q(status="ok", receipt_status=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} -> {self.token}"


# -- Leaving (issue 23): the record of deleted accounts and of staff reading people's data ----
class AccountDeletion(models.Model):
    """That an account was deleted, by whom and when (accounts/deletion.py).

    The user's row and everything of theirs is gone; this keeps only the account's id and a
    SHA-256 of its email (to answer "was my account deleted?" without keeping the address).
    The one table allowed to hold a deleted user's id (tests/accounts/test_account_delete.py)."""

    class Via(models.TextChoices):
        API = "api", _("The person, through the API")
        ADMIN = "admin", _("Staff, in the admin")
        COMMAND = "command", _("An operator's command")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user_id_deleted = models.UUIDField(_("deleted account id"), db_index=True)
    email_sha256 = models.CharField(_("email (SHA-256)"), max_length=64)
    via = models.CharField(_("via"), max_length=8, choices=Via.choices)
    # Who deleted it (admin); NULL for the person, a command, or once that staff account is gone.
    deleted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deleted by"),
    )
    deleted_at = models.DateTimeField(_("deleted at"), default=dj_timezone.now)

    class Meta:
        db_table = "account_deletions"
        ordering = ["-deleted_at", "id"]
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")

    def __str__(self) -> str:
        return f"{self.user_id_deleted} @ {self.deleted_at:%Y-%m-%d %H:%M:%S}"


class AdminAccessLog(models.Model):
    """A staff member opened another person's conversations (with their messages, shown
    inline), check-ins or memories in the admin (a change page, or a list page showing them),
    as written by accounts/audit.py; read-only there, only superusers may prune it.

    One row per owner whose data was shown: a list page showing three people's check-ins
    writes three rows with no object id. The rows go with the owner's account (they are about
    the owner), and lose the staff member (NULL) if that account is deleted."""

    class Kind(models.TextChoices):
        CONVERSATION = "conversation", _("Conversation")
        CHECK_IN = "check_in", _("Check-in")
        MEMORY = "memory", _("Memory")

    class View(models.TextChoices):
        CHANGE = "change", _("Detail page")
        LIST = "list", _("List page")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    staff = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("staff")
    )
    owner = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("owner")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    view = models.CharField(_("view"), max_length=8, choices=View.choices)
    object_id = models.UUIDField(_("object id"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500)
    accessed_at = models.DateTimeField(_("accessed at"), default=dj_timezone.now)

    class Meta:
        db_table = "admin_access_log"
        ordering = ["-accessed_at", "id"]
        verbose_name = _("admin access")
        verbose_name_plural = _("admin access log")
        indexes = [models.Index(fields=["owner", "-accessed_at"], name="admin_access_owner_idx")]

    def __str__(self) -> str:
        return f"{self.staff_id} -> {self.kind} of {self.owner_id}"
