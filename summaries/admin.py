"""Staff view of daily summaries: read them, filter by user and day, regenerate a few."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from summaries import services
from summaries.models import DailySummary


@admin.register(DailySummary)
class DailySummaryAdmin(admin.ModelAdmin):
    list_display = ["date", "user", "language", "model", "source", "generated_at"]
    list_filter = ["date", "source", "language", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__email", "user__name", "text"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "date"
    actions = ["regenerate"]
    # Summaries are written by the builder only (the action below), never by hand.
    readonly_fields = [field.name for field in DailySummary._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Regenerate the selected summaries"), permissions=["change"])
    def regenerate(self, request, queryset):
        """Queues one job per summary for the worker (services.summary_request): the model is
        never called inside the admin's request. A summary whose job is already waiting is not
        queued twice."""
        queued = 0
        for summary in queryset.select_related("user"):
            services.summary_request(user=summary.user, day=summary.date, source="admin")
            queued += 1
        self.message_user(
            request,
            ngettext(
                "%(n)d summary queued to be regenerated; the worker rewrites it shortly.",
                "%(n)d summaries queued to be regenerated; the worker rewrites them shortly.",
                queued,
            )
            % {"n": queued},
            messages.SUCCESS,
        )
