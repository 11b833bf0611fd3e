"""Leaving (issue 23): the record of deleted accounts and of staff reading people's data."""

import uuid

from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from accounts.models.users import User


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
