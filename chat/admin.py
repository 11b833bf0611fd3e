from django.contrib import admin

from accounts.audit import AdminAccessAuditMixin
from accounts.models import AdminAccessLog
from chat.models import Conversation, Message


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
