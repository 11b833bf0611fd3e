from django.contrib import admin

from accounts.audit import AdminAccessAuditMixin
from accounts.models import AdminAccessLog
from chat.models import Conversation, Message, Nudge


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["created_at", "role", "status", "content", "actions", "model", "prompt_tokens"]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(AdminAccessAuditMixin, admin.ModelAdmin):
    """Every page of another person's conversations (and the messages shown inline) is
    recorded in the admin access log (accounts/audit.py)."""

    audit_kind = AdminAccessLog.Kind.CONVERSATION
    list_display = ["title", "user", "created_at", "updated_at"]
    list_filter = [("user", admin.RelatedOnlyFieldListFilter), "created_at", "updated_at"]
    search_fields = ["title", "user__email"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    readonly_fields = ["id", "user", "created_at", "updated_at"]
    fields = ["id", "user", "title", "created_at", "updated_at"]
    inlines = [MessageInline]

    def has_add_permission(self, request):
        # Conversations come from talking to the assistant, not from the admin.
        return False


@admin.register(Nudge)
class NudgeAdmin(AdminAccessAuditMixin, admin.ModelAdmin):
    """Read-only: written by the push jobs and answered by the person (chat/nudges.py). The
    question is the first message of a conversation, so pages showing another person's nudges
    are recorded like their conversations."""

    audit_kind = AdminAccessLog.Kind.CONVERSATION
    list_display = ["asked_at", "user", "kind", "answer", "answered_by", "answered_at"]
    list_filter = ["kind", "answer", "answered_by", "asked_at"]
    search_fields = ["user__email", "key"]
    date_hierarchy = "asked_at"
    list_select_related = ["user"]
    raw_id_fields = ["user", "task", "goal", "conversation"]
    readonly_fields = [
        "id",
        "user",
        "kind",
        "key",
        "task",
        "goal",
        "conversation",
        "question",
        "asked_at",
        "run_started_at",
        "proposed_stopped_at",
        "answered_at",
        "answer",
        "answered_by",
        "stopped_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
