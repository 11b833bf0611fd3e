"""Input and output shapes of tasks and categories, shared by the REST views and the assistant.

Serializers that need the acting user read it from `self.context["user"]`, so the assistant's
tools can use them with `context={"user": user}`.
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.fields import validate_calendar_date
from config.ids import parse_uuid
from config.localtime import local_midnight
from tasks import selectors
from tasks.errors import UNKNOWN_CATEGORY
from tasks.fields import AwareDateTimeField, OwnedCategoryField, PastMomentField
from tasks.models import ESTIMATED_MINUTES_MAX, Category, Task, TaskEvent
from tasks.realtime import category_data, task_data

# --- categories ------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    """Output of a category, and its input (all fields optional on update)."""

    name = serializers.CharField(max_length=60)
    color = serializers.RegexField(
        r"^#[0-9A-Fa-f]{6}$",
        required=False,
        error_messages={"invalid": _("Use a #RRGGBB color.")},
    )
    icon = serializers.CharField(max_length=40, required=False, allow_blank=True)

    class Meta:
        model = Category
        fields = ["id", "name", "color", "icon", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list = []  # name uniqueness (ignoring case) is the service's rule

    def to_representation(self, category: Category) -> dict:
        return category_data(category)


class TaskCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "color", "icon"]
        read_only_fields = fields


# --- tasks -----------------------------------------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    """A task as clients see it. `tracked_seconds` includes the running segment up to now."""

    category = TaskCategorySerializer(read_only=True, allow_null=True)
    tracked_seconds = serializers.SerializerMethodField()
    is_running = serializers.BooleanField(read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "status",
            "priority",
            "category",
            "due_at",
            "estimated_minutes",
            "tracked_seconds",
            "is_running",
            "running_since",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_tracked_seconds(self, task: Task) -> int:
        return task.tracked_seconds_at(timezone.now())

    def to_representation(self, task: Task) -> dict:
        """The fields above, written out: the list endpoint renders this for every row, and
        DRF's field-by-field walk cost more than the query. `test_task_representation` holds
        it equal to the declared fields' own output. Also renders selectors.TaskRow."""
        # One clock and one timezone lookup for a whole page (a list shares this child).
        if self._render_context is None:
            self._render_context = (timezone.now(), timezone.get_current_timezone())
        now, tz = self._render_context
        return task_data(task, now=now, tz=tz)

    _render_context = None


class _TaskInputSerializer(serializers.Serializer):
    title = serializers.CharField(min_length=1, max_length=200)
    description = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    category = OwnedCategoryField(allow_null=True, required=False, checked_by_service=True)
    priority = serializers.ChoiceField(choices=Task.Priority.choices, required=False)
    due_at = AwareDateTimeField(allow_null=True, required=False)
    estimated_minutes = serializers.IntegerField(
        min_value=1, max_value=ESTIMATED_MINUTES_MAX, allow_null=True, required=False
    )


class TaskCreateSerializer(_TaskInputSerializer):
    pass


class TaskUpdateSerializer(_TaskInputSerializer):
    """Partial update of the task's own fields. Status and time change only through the
    start/pause/complete/reopen/time-entries actions; sending them is a field error."""

    title = serializers.CharField(min_length=1, max_length=200, required=False)
    description = serializers.CharField(max_length=5000, allow_blank=True, required=False)

    READ_ONLY_INPUT = ("status", "tracked_seconds", "running_since", "completed_at", "is_running")

    def to_internal_value(self, data):
        # Checked here rather than in validate() so these errors come with the field errors.
        read_only = {
            name: [_("Use the start, pause, complete, reopen and time-entries actions.")]
            for name in self.READ_ONLY_INPUT
            if isinstance(data, dict) and name in data
        }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if read_only and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **read_only}) from exc
            raise
        if read_only:
            raise serializers.ValidationError(read_only)
        return value


class TimeEntrySerializer(serializers.Serializer):
    """A finished stretch of work to add to a task (the service checks order, future and
    overlap)."""

    started_at = AwareDateTimeField()
    ended_at = AwareDateTimeField()


class TimerCorrectionSerializer(serializers.Serializer):
    """When a forgotten timer really stopped (the service checks it is after the start and not
    in the future)."""

    stopped_at = PastMomentField(
        help_text='ISO 8601 with its offset, or a time of day on your clock ("18:10"): the '
        "latest such moment that is not in the future."
    )


class TaskEventSerializer(serializers.ModelSerializer):
    task_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = TaskEvent
        fields = [
            "id",
            "task_id",
            "type",
            "source",
            "occurred_at",
            "segment_start",
            "segment_end",
            "duration_seconds",
            "data",
        ]
        read_only_fields = fields


class TimeEntryResultSerializer(serializers.Serializer):
    task = TaskSerializer()
    event = TaskEventSerializer()


class CurrentTaskSerializer(serializers.Serializer):
    task = TaskSerializer(allow_null=True)


# --- query strings ---------------------------------------------------------------------------


class _CommaChoicesField(serializers.CharField):
    """One value or several separated by commas, each from `choices`; returns a list."""

    def __init__(self, *, choices, **kwargs):
        self.choices = [value for value, _label in choices]
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = [v.strip() for v in super().to_internal_value(data).split(",") if v.strip()]
        unknown = [v for v in values if v not in self.choices]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown value(s): %(values)s. Use: %(choices)s.")
                % {"values": ", ".join(unknown), "choices": ", ".join(self.choices)}
            )
        return values


class _DueBoundField(AwareDateTimeField):
    """A date-time with offset, or a date meaning that day's local midnight (user's timezone)."""

    def to_internal_value(self, value):
        if isinstance(value, str) and len(value.strip()) == 10:
            try:
                day = date.fromisoformat(value.strip())
            except ValueError:
                pass
            else:
                # The day's local midnight must exist as an instant (9999-12-31 has no end).
                validate_calendar_date(day)
                return local_midnight(day, self.context["user"].tz)
        return super().to_internal_value(value)


class TaskListQuerySerializer(serializers.Serializer):
    status = _CommaChoicesField(
        choices=Task.Status.choices,
        required=False,
        help_text="One status or several separated by commas.",
    )
    priority = _CommaChoicesField(
        choices=Task.Priority.choices,
        required=False,
        help_text="One priority or several separated by commas.",
    )
    category = serializers.CharField(
        required=False,
        max_length=40,
        help_text='A category id of yours, or "none" for tasks without a category.',
    )
    search = serializers.CharField(
        required=False, max_length=200, help_text="Text in the title or the description."
    )
    due_after = _DueBoundField(
        required=False,
        help_text="Due at or after this moment (ISO 8601 with offset, or a date: local midnight).",
    )
    due_before = _DueBoundField(
        required=False,
        help_text="Due before this moment (ISO 8601 with offset, or a date: local midnight).",
    )
    ordering = serializers.CharField(
        required=False,
        max_length=200,
        help_text=(
            "Comma-separated keys, '-' for descending: "
            + ", ".join(selectors.TASK_ORDERING_FIELDS)
            + ". Default -created_at. priority ascends low->high; due_at puts tasks without "
            "a due date last."
        ),
    )

    def validate_category(self, value: str):
        value = value.strip()
        if value.lower() == selectors.UNCATEGORIZED:
            return selectors.UNCATEGORIZED
        pk = parse_uuid(value)
        owned = selectors.category_list(user=self.context["user"])
        if pk is None or not owned.filter(pk=pk).exists():
            raise serializers.ValidationError(UNKNOWN_CATEGORY)
        return pk

    def validate_ordering(self, value: str) -> list[str]:
        keys = [k.strip() for k in value.split(",") if k.strip()]
        unknown = [k for k in keys if k.lstrip("-") not in selectors.TASK_ORDERING_FIELDS]
        if unknown or not keys:
            raise serializers.ValidationError(
                _("Unknown ordering: %(values)s. Use: %(choices)s.")
                % {
                    "values": ", ".join(unknown) or value,
                    "choices": ", ".join(selectors.TASK_ORDERING_FIELDS),
                }
            )
        return keys

    def validate(self, attrs):
        after, before = attrs.get("due_after"), attrs.get("due_before")
        if after is not None and before is not None and before <= after:
            raise serializers.ValidationError(
                {"due_before": [_("due_before must be later than due_after.")]}
            )
        return attrs


class TimeReportQuerySerializer(serializers.Serializer):
    """`from` and `to` are local dates (inclusive), at most 366 days apart."""

    def get_fields(self):
        return {
            "from": serializers.DateField(
                input_formats=["iso-8601"], validators=[validate_calendar_date]
            ),
            "to": serializers.DateField(
                input_formats=["iso-8601"], validators=[validate_calendar_date]
            ),
        }

    def validate(self, attrs):
        start, end = attrs["from"], attrs["to"]
        if end < start:
            raise serializers.ValidationError({"to": [_("`to` must not be before `from`.")]})
        if (end - start).days + 1 > selectors.REPORT_MAX_DAYS:
            raise serializers.ValidationError(
                {
                    "to": [
                        _("A report covers at most %(days)d days.")
                        % {"days": selectors.REPORT_MAX_DAYS}
                    ]
                }
            )
        return attrs


# --- time report output ----------------------------------------------------------------------


class TimeReportDayCategorySerializer(serializers.Serializer):
    category_id = serializers.UUIDField(allow_null=True)
    seconds = serializers.IntegerField()


class TimeReportDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    total_seconds = serializers.IntegerField()
    categories = TimeReportDayCategorySerializer(many=True)


class TimeReportCategorySerializer(serializers.Serializer):
    category = TaskCategorySerializer(allow_null=True)
    seconds = serializers.IntegerField()


class TimeReportSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    total_seconds = serializers.IntegerField()
    days = TimeReportDaySerializer(many=True)
    categories = TimeReportCategorySerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        return {"from": serializers.DateField(), "to": serializers.DateField(), **fields}
