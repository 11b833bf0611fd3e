"""Staff views of categories, tasks and the event log. Every change goes through the services
(tasks with source "admin"), so the admin obeys the same rules, logs and live updates as the API.
"""

import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.exceptions import DomainError
from config.ids import parse_uuid
from tasks import services
from tasks.models import Category, Task, TaskEvent

SOURCE = "admin"
TASK_FORM_FIELDS = ["user", *services.TASK_UPDATABLE_FIELDS]


def _hms(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


class TaskAdminForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = TASK_FORM_FIELDS

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user") or getattr(self.instance, "user", None)
        category = cleaned.get("category")
        if category is not None and user is not None and category.user_id != user.pk:
            self.add_error("category", _("The category belongs to another user."))
        return cleaned


def _uuid_param(value: str) -> uuid.UUID:
    pk = parse_uuid(value)
    if pk is None:
        raise IncorrectLookupParameters(value)  # the admin shows "?e=1", not a 500
    return pk


class TaskUserFilter(admin.SimpleListFilter):
    """The tasks of one user (`?user=<id>`, reached from the user column's links). Its only
    choice is the user already chosen: listing every account here would not scale."""

    title = _("user")
    parameter_name = "user"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value:
            return []
        user = get_user_model().objects.filter(pk=_uuid_param(value)).first()
        return [(value, str(user))] if user is not None else []

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(user_id=_uuid_param(self.value()))
        return queryset


class TaskCategoryFilter(admin.SimpleListFilter):
    """**Decision:** the categories of the user the list is filtered by, and only when it is
    filtered by one user: every user's categories together would be a list of thousands with
    the same names repeated ("Trabajo", "Casa"), none of them telling whose it is."""

    title = _("category")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        user_id = request.GET.get(TaskUserFilter.parameter_name)
        if not user_id:
            return []
        categories = Category.objects.filter(user_id=_uuid_param(user_id)).order_by("name")
        return [(str(pk), name) for pk, name in categories.values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(category_id=_uuid_param(self.value()))
        return queryset


class TaskEventInline(admin.TabularInline):
    model = TaskEvent
    extra = 0
    can_delete = False
    ordering = ["-occurred_at"]
    fields = [
        "occurred_at",
        "type",
        "source",
        "actor",
        "segment_start",
        "segment_end",
        "duration_seconds",
        "data",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    form = TaskAdminForm
    list_display = [
        "title",
        "user_tasks",
        "status",
        "priority",
        "category",
        "tracked",
        "running_since",
        "due_at",
        "created_at",
    ]
    list_filter = ["status", "priority", TaskUserFilter, TaskCategoryFilter]
    search_fields = ["title", "description", "user__email"]
    list_select_related = ["user", "category"]
    raw_id_fields = ["user", "category"]
    readonly_fields = [
        "id",
        "status",
        "tracked",
        "running_since",
        "completed_at",
        "created_at",
        "updated_at",
    ]
    inlines = [TaskEventInline]
    actions = ["start_timer", "pause_timers", "complete_tasks", "reopen_tasks"]
    date_hierarchy = "created_at"

    @admin.display(description=_("user"), ordering="user__email")
    def user_tasks(self, obj: Task) -> str:
        # A link to this list filtered by the user (where the category filter has their
        # categories).
        query = urlencode({TaskUserFilter.parameter_name: str(obj.user_id)})
        return format_html('<a href="?{}">{}</a>', query, obj.user)

    @admin.display(description=_("tracked"), ordering="tracked_seconds")
    def tracked(self, obj: Task) -> str:
        return _hms(obj.tracked_seconds)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "user"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if not change:
            data = {f: form.cleaned_data.get(f) for f in services.TASK_UPDATABLE_FIELDS}
            data["priority"] = data["priority"] or Task.Priority.MEDIUM
            data["description"] = data["description"] or ""
            created = services.task_create(
                user=form.cleaned_data["user"], source=SOURCE, actor=request.user, **data
            )
            obj.pk = created.pk
        else:
            changed = {
                f: form.cleaned_data.get(f)
                for f in form.changed_data
                if f in services.TASK_UPDATABLE_FIELDS
            }
            if changed:
                services.task_update(
                    user=obj.user, task=obj, source=SOURCE, actor=request.user, **changed
                )
        obj._state.adding = False
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.task_delete(user=obj.user, task=obj, source=SOURCE, actor=request.user)

    def delete_queryset(self, request, queryset):
        for task in queryset.select_related("user"):
            services.task_delete(user=task.user, task=task, source=SOURCE, actor=request.user)

    def _run(self, request, queryset, service, done_message):
        done = 0
        for task in queryset.select_related("user"):
            try:
                service(user=task.user, task=task, source=SOURCE, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{task}: {exc.message}", level=messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), level=messages.SUCCESS)

    @admin.action(description=_("Start the timer (pauses the user's running task)"))
    def start_timer(self, request, queryset):
        self._run(
            request,
            queryset,
            services.task_start,
            lambda n: ngettext("%(n)d timer started.", "%(n)d timers started.", n) % {"n": n},
        )

    @admin.action(description=_("Pause running timers"))
    def pause_timers(self, request, queryset):
        self._run(
            request,
            queryset.filter(running_since__isnull=False),
            services.task_pause,
            lambda n: ngettext("%(n)d timer paused.", "%(n)d timers paused.", n) % {"n": n},
        )

    @admin.action(description=_("Complete tasks"))
    def complete_tasks(self, request, queryset):
        self._run(
            request,
            queryset,
            services.task_complete,
            lambda n: ngettext("%(n)d task completed.", "%(n)d tasks completed.", n) % {"n": n},
        )

    @admin.action(description=_("Reopen completed tasks"))
    def reopen_tasks(self, request, queryset):
        self._run(
            request,
            queryset,
            services.task_reopen,
            lambda n: ngettext("%(n)d task reopened.", "%(n)d tasks reopened.", n) % {"n": n},
        )


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["user", "name", "color", "icon"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryAdminForm
    list_display = ["name", "user", "color", "icon", "created_at"]
    search_fields = ["name", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["id", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "user"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data.get(f) for f in services.CATEGORY_UPDATABLE_FIELDS}
        if not change:
            created = services.category_create(user=form.cleaned_data["user"], **data)
            obj.pk = created.pk
        else:
            changed = {f: data[f] for f in form.changed_data if f in data}
            category = Category.objects.get(pk=obj.pk)
            if changed:
                services.category_update(user=obj.user, category=category, **changed)
        obj._state.adding = False
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.category_delete(user=obj.user, category=obj)

    def delete_queryset(self, request, queryset):
        for category in queryset.select_related("user"):
            services.category_delete(user=category.user, category=category)


@admin.register(TaskEvent)
class TaskEventAdmin(admin.ModelAdmin):
    """The log is append-only: staff can read it, never write it."""

    list_display = ["occurred_at", "type", "source", "actor", "task", "user", "duration_seconds"]
    list_filter = ["type", "source"]
    search_fields = ["task__title", "user__email"]
    list_select_related = ["task", "user", "actor"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # No deleting lines of the log on its own pages. Elsewhere Django asks on behalf of a
        # cascade (deleting a task or a user), and the events must be allowed to go with them.
        match = getattr(request, "resolver_match", None)
        if match is not None and (match.url_name or "").startswith("tasks_taskevent_"):
            return False
        return super().has_delete_permission(request, obj)
