"""Goal input and output. Input serializers read the acting user from `context["user"]`, so the
assistant's tools validate with exactly these classes (`context={"user": user}`)."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.fields import UserLocalDateTimeField, validate_calendar_date, validate_past_instant
from goals.models import GOAL_INPUT_FIELDS, Goal, GoalPause, GoalProgress
from goals.pauses import pause_date_errors
from goals.realtime import goal_data, pause_data, progress_data
from goals.selectors import goal_stats, goal_stats_many
from tasks.fields import OwnedCategoryField

MAX_PROGRESS = Decimal(1_000_000)
MAX_TARGET = Decimal(1_000_000_000)


class GoalListSerializer(serializers.ListSerializer):
    """Computes every goal's statistics in one batch before serializing them."""

    def to_representation(self, data):
        goals = list(data.all() if hasattr(data, "all") else data)
        by_user: dict = {}
        for goal in goals:
            by_user.setdefault(goal.user_id, []).append(goal)
        acting = self.context.get("user")
        batch = {}
        for user_id, group in by_user.items():
            user = acting if acting is not None and acting.pk == user_id else group[0].user
            batch.update(goal_stats_many(group, user=user))
        self.child.batch = batch
        try:
            return super().to_representation(goals)
        finally:
            self.child.batch = {}


class GoalSerializer(serializers.ModelSerializer):
    """A goal with its computed progress. Decimal quantities are strings with 2 places."""

    category = serializers.UUIDField(source="category_id", read_only=True, allow_null=True)
    current_value = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        source="computed.current_value",
        read_only=True,
        help_text="Sum of progress: all of it, or for periodic goals only the current period.",
    )
    total_value = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        source="computed.total_value",
        read_only=True,
        help_text="Sum of all progress ever logged.",
    )
    progress_percent = serializers.IntegerField(
        source="computed.progress_percent",
        read_only=True,
        min_value=0,
        max_value=100,
        help_text="current_value / target_value, 0-100, rounded down.",
    )
    remaining = serializers.DecimalField(
        max_digits=20, decimal_places=2, source="computed.remaining", read_only=True
    )
    period_start = serializers.DateField(
        source="computed.period_start",
        read_only=True,
        allow_null=True,
        help_text="First local day of the current period (periodic goals).",
    )
    period_end = serializers.DateField(
        source="computed.period_end",
        read_only=True,
        allow_null=True,
        help_text="Last local day of the current period, inclusive (periodic goals).",
    )
    streak = serializers.IntegerField(
        source="computed.streak",
        read_only=True,
        allow_null=True,
        help_text="Consecutive met periods up to the last complete one, +1 once the current "
        "period is met (periodic goals); paused periods are skipped.",
    )
    paused_until = serializers.DateField(
        source="computed.paused_until",
        read_only=True,
        allow_null=True,
        help_text="Today is paused: the last local day of that pause; null otherwise.",
    )

    class Meta:
        model = Goal
        list_serializer_class = GoalListSerializer
        fields = [
            "id",
            *GOAL_INPUT_FIELDS,
            "status",
            "achieved_at",
            "current_value",
            "total_value",
            "progress_percent",
            "remaining",
            "period_start",
            "period_end",
            "streak",
            "paused_until",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    batch: dict = {}  # {goal id: GoalStats}, filled by GoalListSerializer

    def to_representation(self, instance):
        stats = self.batch.get(instance.pk) or self.context.get("stats", {}).get(instance.pk)
        if stats is None:
            acting = self.context.get("user")
            user = acting if acting is not None and acting.pk == instance.user_id else None
            stats = goal_stats(instance, user=user)
        # The fields above describe the output (and the schema); goal_data writes it out, the
        # same dict the live updates carry (test_goal_representation holds the two equal).
        if self._tz is None:
            self._tz = timezone.get_current_timezone()
        return goal_data(instance, stats, self._tz)

    _tz = None


class _GoalInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    category = OwnedCategoryField(allow_null=True, required=False, checked_by_service=True)
    target_value = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit = serializers.CharField(max_length=30)
    period = serializers.ChoiceField(choices=Goal.Period.choices, required=False)
    start_date = serializers.DateField(required=False, validators=[validate_calendar_date])
    due_date = serializers.DateField(
        required=False, allow_null=True, validators=[validate_calendar_date]
    )

    def validate_target_value(self, value: Decimal) -> Decimal:
        if value <= 0:
            raise serializers.ValidationError(_("The target must be greater than 0."))
        if value > MAX_TARGET:
            raise serializers.ValidationError(_("The target can be at most 1,000,000,000."))
        return value

    def _check_dates(self, start: date | None, due: date | None) -> None:
        if start is not None and due is not None and due < start:
            raise serializers.ValidationError(
                {"due_date": [_("The due date cannot be before the start date.")]}
            )


class GoalCreateSerializer(_GoalInputSerializer):
    """Body of POST /goals. `start_date` defaults to the user's local today."""

    def validate(self, attrs):
        start = attrs.get("start_date") or self.context["user"].local_now().date()
        self._check_dates(start, attrs.get("due_date"))
        return attrs


class GoalUpdateSerializer(_GoalInputSerializer):
    """Body of PATCH /goals/{id}: any subset of the fields, plus `status` active|archived.
    Construct it with the goal as `instance` so dates are checked against the stored ones."""

    status = serializers.ChoiceField(
        choices=[
            (Goal.Status.ACTIVE, Goal.Status.ACTIVE.label),
            (Goal.Status.ARCHIVED, Goal.Status.ARCHIVED.label),
        ],
        required=False,
        help_text='"archived" archives the goal; "active" brings an archived goal back.',
    )

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)

    def validate(self, attrs):
        goal = self.instance
        start = attrs.get("start_date", goal.start_date if goal else None)
        due = attrs.get("due_date", goal.due_date if goal else None)
        self._check_dates(start, due)
        return attrs


class GoalProgressCreateSerializer(serializers.Serializer):
    """Body of POST /goals/{id}/progress. Negative values correct earlier entries."""

    value = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=-MAX_PROGRESS, max_value=MAX_PROGRESS
    )
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    recorded_at = UserLocalDateTimeField(
        required=False,
        validators=[validate_past_instant],
        help_text="Default now. Without an offset it is the user's local time.",
    )

    def validate_value(self, value: Decimal) -> Decimal:
        if value == 0:
            raise serializers.ValidationError(_("The value cannot be zero."))
        return value


class GoalProgressSerializer(serializers.ModelSerializer):
    goal = serializers.UUIDField(source="goal_id", read_only=True)
    # A plain string in the schema: the same four values as task events' source, and one enum
    # shared by several components would need an ENUM_NAME_OVERRIDES entry in settings.
    source = serializers.CharField(
        read_only=True, help_text="Who made the change: api, assistant, admin or system."
    )

    class Meta:
        model = GoalProgress
        fields = ["id", "goal", "value", "note", "recorded_at", "source", "created_at"]
        read_only_fields = fields

    def to_representation(self, progress: GoalProgress) -> dict:
        # One timezone lookup for a whole page (a list shares this child).
        if self._tz is None:
            self._tz = timezone.get_current_timezone()
        return progress_data(progress, self._tz)

    _tz = None


class GoalProgressLoggedSerializer(serializers.Serializer):
    """Answer to POST /goals/{id}/progress: the new entry and the goal as it now stands."""

    progress = GoalProgressSerializer()
    goal = GoalSerializer()


class GoalListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Goal.Status.choices, required=False)


class GoalPauseCreateSerializer(serializers.Serializer):
    """Body of POST /goals/{id}/pause: local dates, both inclusive."""

    reason = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        help_text="Why (illness, travel, rest): for the person, not read by the rules.",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            validators=[validate_calendar_date],
            help_text="First paused local day (YYYY-MM-DD), at most 30 days ago.",
        )
        fields["to"] = serializers.DateField(
            validators=[validate_calendar_date],
            help_text="Last paused local day, inclusive; at most 90 days after `from`.",
        )
        return fields

    def validate(self, attrs):
        today = self.context["user"].local_now().date()
        errors = pause_date_errors(attrs["from"], attrs["to"], today=today)
        if errors:
            raise serializers.ValidationError(errors)
        return {
            "date_from": attrs["from"],
            "date_to": attrs["to"],
            "reason": attrs.get("reason", ""),
        }


class GoalPauseSerializer(serializers.ModelSerializer):
    goal = serializers.UUIDField(source="goal_id", read_only=True)
    source = serializers.CharField(
        read_only=True, help_text="Who made it: api, assistant, admin or system."
    )

    class Meta:
        model = GoalPause
        fields = ["id", "goal", "reason", "source", "created_at"]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        ordered = {"id": fields["id"], "goal": fields["goal"]}
        ordered["from"] = serializers.DateField(source="date_from", read_only=True)
        ordered["to"] = serializers.DateField(source="date_to", read_only=True)
        ordered.update((name, fields[name]) for name in ("reason", "source", "created_at"))
        return ordered

    def to_representation(self, pause: GoalPause) -> dict:
        return pause_data(pause)


class GoalPausedSerializer(serializers.Serializer):
    """Answer to POST /goals/{id}/pause and DELETE /goals/{id}/pauses/{pause_id}: the pause
    (null once removed) and the goal as it now stands."""

    pause = GoalPauseSerializer(allow_null=True)
    goal = GoalSerializer()
