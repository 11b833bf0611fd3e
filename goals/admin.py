"""Staff views of goals and progress. Writes go through the services with source "admin", so
achievement and live updates behave exactly as they do for the API."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from goals import services
from goals.models import GOAL_INPUT_FIELDS, Goal, GoalPause, GoalProgress
from tasks.errors import UNKNOWN_CATEGORY

SOURCE = "admin"
GOAL_FIELDS = list(GOAL_INPUT_FIELDS)


class GoalProgressInline(admin.TabularInline):
    """Progress is append-only here too: new rows are logged through the service; corrections
    are negative entries (or a delete from the goal progress list)."""

    model = GoalProgress
    fields = ["value", "note", "recorded_at", "source", "actor", "created_at"]
    readonly_fields = ["source", "actor", "created_at"]
    extra = 0
    can_delete = False
    ordering = ["-recorded_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.status != Goal.Status.ARCHIVED


class GoalAdminForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["user", *GOAL_FIELDS]

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk and instance.status == Goal.Status.ARCHIVED and self.changed_data:
            raise forms.ValidationError(_("This goal is archived; it cannot be changed."))
        user = cleaned.get("user") or (instance.user if instance.user_id else None)
        category = cleaned.get("category")
        if category is not None and user is not None and category.user_id != user.pk:
            self.add_error("category", UNKNOWN_CATEGORY)
        return cleaned


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    form = GoalAdminForm
    list_display = [
        "title",
        "user",
        "period",
        "target_value",
        "unit",
        "status",
        "start_date",
        "due_date",
        "created_at",
    ]
    list_filter = ["status", "period", "source", "created_at"]
    search_fields = ["title", "description", "unit", "user__email", "user__name"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "category"]
    readonly_fields = ["id", "status", "achieved_at", "source", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [GoalProgressInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("user")  # a goal never changes hands
        return fields

    def save_model(self, request, obj, form, change):
        values = {
            name: form.cleaned_data[name] for name in GOAL_FIELDS if name in form.cleaned_data
        }
        if change:
            changed = {k: v for k, v in values.items() if k in form.changed_data}
            saved = services.goal_update(user=obj.user, goal=obj, source=SOURCE, **changed)
        else:
            saved = services.goal_create(user=obj.user, source=SOURCE, **values)
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_formset(self, request, form, formset, change):
        if formset.model is not GoalProgress:
            return super().save_formset(request, form, formset, change)
        for entry in formset.save(commit=False):
            if entry.pk is None or entry._state.adding:
                services.goal_log_progress(
                    user=form.instance.user,
                    goal=form.instance,
                    value=entry.value,
                    note=entry.note,
                    recorded_at=entry.recorded_at,
                    source=SOURCE,
                    actor=request.user,
                )
        return None

    def delete_model(self, request, obj):
        services.goal_delete(user=obj.user, goal=obj, source=SOURCE)

    def delete_queryset(self, request, queryset):
        for goal in queryset.select_related("user"):
            services.goal_delete(user=goal.user, goal=goal, source=SOURCE)


@admin.register(GoalProgress)
class GoalProgressAdmin(admin.ModelAdmin):
    list_display = ["goal", "user", "value", "recorded_at", "source", "actor", "created_at"]
    list_filter = ["source", "goal__period", "recorded_at"]
    search_fields = ["note", "goal__title", "user__email"]
    list_select_related = ["goal", "user"]
    readonly_fields = [
        "id",
        "goal",
        "user",
        "value",
        "note",
        "recorded_at",
        "source",
        "actor",
        "created_at",
    ]
    date_hierarchy = "recorded_at"

    def has_add_permission(self, request):
        return False  # logged from the goal's page, through the service

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.goal_progress_delete(user=obj.user, progress=obj, source=SOURCE)

    def delete_queryset(self, request, queryset):
        for progress in queryset.select_related("user", "goal"):
            services.goal_progress_delete(user=progress.user, progress=progress, source=SOURCE)


@admin.register(GoalPause)
class GoalPauseAdmin(admin.ModelAdmin):
    """Pauses are the person's to take (the API, or the assistant on their yes): staff read
    them here, and write none."""

    list_display = ["goal", "user", "date_from", "date_to", "reason", "source", "created_at"]
    list_filter = ["source", "date_from"]
    search_fields = ["reason", "goal__title", "user__email"]
    list_select_related = ["goal", "user"]
    readonly_fields = [field.name for field in GoalPause._meta.fields]
    date_hierarchy = "date_from"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
