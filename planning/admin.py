"""Staff views of day plans and weekly reviews: read-only (plans are the person's, reviews the
schedule's); a review can be written again by the worker."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from planning.models import DayPlan, DayPlanItem, WeeklyReview
from planning.tasks import generate_weekly_review


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


@admin.register(WeeklyReview)
class WeeklyReviewAdmin(admin.ModelAdmin):
    list_display = ["week_start", "user", "language", "model", "source", "generated_at"]
    list_filter = ["week_start", "source", "language", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__email", "user__name", "text"]
    list_select_related = ["user"]
    date_hierarchy = "week_start"
    actions = ["write_again"]
    # Reviews are written by the builder only (the schedule, or the action below).
    readonly_fields = [field.name for field in WeeklyReview._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Write the selected reviews again"), permissions=["change"])
    def write_again(self, request, queryset):
        """Queues one job per review for the worker: the model is never called inside the
        admin's request. The job rewrites the same row with the week's figures as they are."""
        queued = 0
        for review in queryset:
            generate_weekly_review.enqueue(
                user_id=str(review.user_id),
                week_start=review.week_start.isoformat(),
                source="admin",
            )
            queued += 1
        self.message_user(
            request,
            ngettext(
                "%(n)d review queued to be written again.",
                "%(n)d reviews queued to be written again.",
                queued,
            )
            % {"n": queued},
            messages.SUCCESS,
        )
