from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.deletion import account_delete
from accounts.models import (
    AccountDeletion,
    AdminAccessLog,
    Device,
    Notification,
    PushMessage,
    User,
)
from accounts.notifications import send_test_push


def _devices_of(user: User) -> str:
    """The user's devices on their page, each linking to its own (where it can be deleted).

    Shown as a read-only field rather than an inline, so the user form posts as before."""
    devices = list(user.devices.all()) if user.pk else []
    if not devices:
        return "—"
    return format_html_join(
        mark_safe("<br>"),
        '<a href="{}">{}</a> ({}, {})',
        (
            (
                reverse("admin:accounts_device_change", args=[d.pk]),
                d.name or d.expo_push_token,
                d.get_platform_display(),
                d.last_registered_at.strftime("%Y-%m-%d %H:%M"),
            )
            for d in devices
        ),
    )


@admin.action(description=_("Send a test notification to their devices"))
def send_test_notification(modeladmin, request, queryset):
    """Sends at once (not queued): the operator sees Expo's answer in the message."""
    if queryset.model is Device:
        users = {d.user_id: d.user for d in queryset.select_related("user")}
    else:
        users = {u.pk: u for u in queryset}
    for user in users.values():
        outcome, counts = send_test_push(user=user)
        level = messages.SUCCESS if counts.sent or counts.logged else messages.WARNING
        modeladmin.message_user(
            request,
            _(
                "%(email)s: %(outcome)s, sent %(sent)d, logged %(logged)d, failed %(failed)d, "
                "devices removed %(removed)d"
            )
            % {
                "email": user.email,
                "outcome": outcome,
                "sent": counts.sent,
                "logged": counts.logged,
                "failed": counts.failed,
                "removed": counts.devices_removed,
            },
            level,
        )


@admin.action(
    description=_("Delete the selected accounts and all their data"), permissions=["delete"]
)
def delete_accounts(modeladmin, request, queryset):
    """Through the same service as DELETE /auth/me (accounts/deletion.py): every row of the
    person goes, their sockets close, and an AccountDeletion row records who did it."""
    count = 0
    for user in queryset:
        account_delete(user=user, via=AccountDeletion.Via.ADMIN, deleted_by=request.user)
        count += 1
    modeladmin.message_user(
        request, _("Deleted %(count)d account(s) and their data.") % {"count": count}
    )


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ["email"]
    list_display = ["email", "name", "language", "timezone", "is_active", "is_staff", "created_at"]
    list_filter = ["is_active", "is_staff", "is_superuser", "language", "timezone"]
    search_fields = ["email", "name"]
    readonly_fields = ["id", "created_at", "updated_at", "last_login", "devices"]
    fieldsets = [
        (None, {"fields": ["id", "email", "password"]}),
        (_("Profile"), {"fields": ["name", "timezone", "language", "preferences", "devices"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    filter_horizontal = ["groups"]
    actions = [send_test_notification, delete_accounts]

    @admin.display(description=_("devices"))
    def devices(self, obj: User) -> str:
        return _devices_of(obj)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # Django's own bulk delete would skip the service (tokens, queued jobs, the record).
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        account_delete(user=obj, via=AccountDeletion.Via.ADMIN, deleted_by=request.user)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            self.delete_model(request, user)

    def log_deletions(self, request, queryset):
        # Django's LogEntry would keep the email as the object's text; AccountDeletion keeps
        # the id and a hash of it instead (written by the service).
        pass


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "platform", "last_registered_at", "created_at"]
    list_filter = ["platform"]
    search_fields = ["user__email", "name", "expo_push_token"]
    list_select_related = ["user"]
    readonly_fields = [
        "id",
        "user",
        "expo_push_token",
        "platform",
        "name",
        "created_at",
        "last_registered_at",
    ]
    actions = [send_test_notification]

    def has_add_permission(self, request):
        return False


class PushMessageInline(admin.TabularInline):
    model = PushMessage
    extra = 0
    fields = ["token", "status", "attempts", "ticket_id", "receipt_status", "error", "sent_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The log of what was sent, skipped or failed, for support questions."""

    list_display = ["user", "kind", "status", "title", "local_date", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["user__email", "dedupe_key"]
    list_select_related = ["user"]
    readonly_fields = [
        "id",
        "user",
        "kind",
        "dedupe_key",
        "local_date",
        "status",
        "title",
        "body",
        "data",
        "category",
        "created_at",
    ]
    inlines = [PushMessageInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccountDeletion)
class AccountDeletionAdmin(admin.ModelAdmin):
    """Read-only: written by accounts/deletion.py, never by hand."""

    list_display = ["deleted_at", "user_id_deleted", "via", "deleted_by"]
    list_filter = ["via"]
    search_fields = ["user_id_deleted", "email_sha256"]
    readonly_fields = ["id", "user_id_deleted", "email_sha256", "via", "deleted_by", "deleted_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AdminAccessLog)
class AdminAccessLogAdmin(admin.ModelAdmin):
    """Who among staff read whose conversations and check-ins. Nobody edits it; only a
    superuser may prune it."""

    list_display = ["accessed_at", "staff", "kind", "view", "owner", "object_id"]
    list_filter = ["kind", "view"]
    search_fields = ["staff__email", "owner__email", "object_id"]
    list_select_related = ["staff", "owner"]
    readonly_fields = ["id", "staff", "owner", "kind", "view", "object_id", "path", "accessed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
