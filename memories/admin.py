"""Staff view of memories. Writes go through the services with source "admin"."""

from django.contrib import admin

from accounts.audit import AdminAccessAuditMixin
from accounts.models import AdminAccessLog
from memories import services
from memories.models import Memory

SOURCE = "admin"


@admin.register(Memory)
class MemoryAdmin(AdminAccessAuditMixin, admin.ModelAdmin):
    # What a person told the assistant about themselves is as private as their moods: every
    # page showing another person's memories is recorded (accounts/audit.py).
    audit_kind = AdminAccessLog.Kind.MEMORY

    list_display = ["text", "user", "source", "created_at"]
    list_filter = ["source", "created_at"]
    search_fields = ["text", "user__email", "user__name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["id", "source", "created_at", "updated_at"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("user")  # a memory never changes hands
        return fields

    def save_model(self, request, obj, form, change):
        text = form.cleaned_data["text"]
        if change:
            saved = services.memory_update(user=obj.user, memory=obj, text=text, source=SOURCE)
        else:
            saved = services.memory_create(user=obj.user, text=text, source=SOURCE)
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})
        obj._state.adding = False
        obj._state.db = saved._state.db

    def delete_model(self, request, obj):
        services.memory_delete(user=obj.user, memory=obj, source=SOURCE)

    def delete_queryset(self, request, queryset):
        for memory in queryset.select_related("user"):
            services.memory_delete(user=memory.user, memory=memory, source=SOURCE)
