"""Staff view of check-ins. Writes go through the services with source "admin"."""

from django.contrib import admin

from accounts.audit import AdminAccessAuditMixin
from accounts.models import AdminAccessLog
from checkins import services
from checkins.models import CheckIn

SOURCE = "admin"
FIELDS = ["kind", "mood", "energy", "note", "recorded_at"]


@admin.register(CheckIn)
class CheckInAdmin(AdminAccessAuditMixin, admin.ModelAdmin):
    # Moods are private: every page showing another person's is recorded (accounts/audit.py).
    audit_kind = AdminAccessLog.Kind.CHECK_IN

    list_display = ["recorded_at", "user", "kind", "mood", "energy", "source"]
    list_filter = ["kind", "mood", "energy", "source", "recorded_at"]
    search_fields = ["note", "user__email", "user__name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["id", "source", "created_at", "updated_at"]
    date_hierarchy = "recorded_at"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("user")  # a check-in never changes hands
        return fields

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in FIELDS if name in form.cleaned_data}
        if change:
            changed = {k: v for k, v in values.items() if k in form.changed_data}
            saved = services.checkin_update(user=obj.user, checkin=obj, source=SOURCE, **changed)
        else:
            saved = services.checkin_create(user=obj.user, source=SOURCE, **values)
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})
        obj._state.adding = False
        obj._state.db = saved._state.db

    def delete_model(self, request, obj):
        services.checkin_delete(user=obj.user, checkin=obj, source=SOURCE)

    def delete_queryset(self, request, queryset):
        for checkin in queryset.select_related("user"):
            services.checkin_delete(user=checkin.user, checkin=checkin, source=SOURCE)
