"""Staff views of day plans: read-only (plans are the person's to make)."""

from django.contrib import admin

from planning.models import DayPlan, DayPlanItem


class DayPlanItemInline(admin.TabularInline):
    model = DayPlanItem
    fields = ["position", "task", "planned_minutes", "estimated_minutes", "carried_over"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DayPlan)
class DayPlanAdmin(admin.ModelAdmin):
    list_display = ["date", "user", "capacity_minutes", "available_minutes", "energy", "source"]
    list_filter = ["date", "source", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__email", "user__name"]
    list_select_related = ["user"]
    date_hierarchy = "date"
    readonly_fields = [field.name for field in DayPlan._meta.fields]
    inlines = [DayPlanItemInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
