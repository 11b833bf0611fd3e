"""Insights' query and output. The output serializers describe the shapes the selectors build
(for the OpenAPI document) and render them; nothing here computes."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.fields import LocalDateRangeSerializer
from goals.models import Goal
from insights.selectors import DEFAULT_DAYS, INSUFFICIENT, MAX_DAYS, OK

PACES = ["on_track", "behind", "no_deadline", "reached"]


class InsightsQuerySerializer(LocalDateRangeSerializer):
    """`from`/`to`: local dates, inclusive. Defaults: `to` is the user's local today, `from`
    DEFAULT_DAYS - 1 days before it (four weeks); at most MAX_DAYS days."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        last, first = attrs.get("to"), attrs.get("from")
        if last is None:
            today = self.context["user"].local_now().date()
            last = max(today, first) if first else today
        if first is None:
            first = last - timedelta(days=DEFAULT_DAYS - 1)
        if (last - first).days + 1 > MAX_DAYS:
            raise serializers.ValidationError(
                {"to": [_("The range can cover at most %(days)d days.") % {"days": MAX_DAYS}]}
            )
        attrs["from"], attrs["to"] = first, last
        return attrs


class _FigureSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="The sample size.")
    minimum = serializers.IntegerField(help_text="The least sample the figure is given for.")
    # A plain string in the schema: an enum named "status" would collide with the tasks' and
    # goals' ones (drf-spectacular names enums by field name).
    status = serializers.CharField(
        help_text=f"{OK}, or {INSUFFICIENT}: n is below minimum, and the values are null."
    )
    message = serializers.CharField(
        required=False, help_text="Only with insufficient_data: why, in the user's language."
    )


class MoodGroupSerializer(_FigureSerializer):
    mood_avg = serializers.FloatField(allow_null=True, help_text="Mean mood (1-5), 2 decimals.")
    energy_avg = serializers.FloatField(allow_null=True)


class HourBucketSerializer(MoodGroupSerializer):
    bucket = serializers.ChoiceField(choices=["night", "morning", "afternoon", "evening"])
    label = serializers.CharField()
    from_hour = serializers.IntegerField()
    to_hour = serializers.IntegerField(help_text="Exclusive.")


class WeekdaySerializer(MoodGroupSerializer):
    weekday = serializers.IntegerField(min_value=1, max_value=7, help_text="1 Monday, 7 Sunday.")
    label = serializers.CharField()


class CategoryMoodSerializer(serializers.Serializer):
    category_id = serializers.UUIDField(allow_null=True, help_text="Null: uncategorised tasks.")
    name = serializers.CharField()
    tracked_minutes = serializers.IntegerField(help_text="Tracked in the range.")
    status = serializers.CharField(help_text=f"{OK} when both groups are, else {INSUFFICIENT}.")
    without = MoodGroupSerializer(help_text="Check-ins on the other days.")
    mood_difference = serializers.FloatField(allow_null=True, help_text="with - without.")
    energy_difference = serializers.FloatField(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["with"] = MoodGroupSerializer(
            help_text="Check-ins on local days with at least category_minutes in the category."
        )
        return fields


class MoodSerializer(serializers.Serializer):
    overall = MoodGroupSerializer()
    category_minutes = serializers.IntegerField()
    by_category = CategoryMoodSerializer(many=True)
    by_hour = HourBucketSerializer(many=True)
    by_weekday = WeekdaySerializer(many=True)


class _AccuracySerializer(_FigureSerializer):
    estimated_minutes = serializers.IntegerField(allow_null=True)
    tracked_minutes = serializers.IntegerField(allow_null=True)
    ratio = serializers.FloatField(
        allow_null=True, help_text="Tracked / estimated over all the tasks: 1.5 is 50% longer."
    )
    median_ratio = serializers.FloatField(allow_null=True, help_text="Of the tasks' own ratios.")


class CategoryAccuracySerializer(_AccuracySerializer):
    category_id = serializers.UUIDField(allow_null=True)
    name = serializers.CharField()


class EstimatesSerializer(_AccuracySerializer):
    categories = CategoryAccuracySerializer(many=True)


class GoalPaceSerializer(_FigureSerializer):
    goal_id = serializers.UUIDField()
    title = serializers.CharField()
    period = serializers.ChoiceField(choices=Goal.Period.choices)
    unit = serializers.CharField()
    target_value = serializers.DecimalField(max_digits=20, decimal_places=2)
    current_value = serializers.DecimalField(max_digits=20, decimal_places=2)
    progress_percent = serializers.IntegerField()
    deadline = serializers.DateField(
        allow_null=True, help_text="The current period's last day, or the goal's due date."
    )
    pace = serializers.ChoiceField(choices=PACES, allow_null=True)
    projected_date = serializers.DateField(
        allow_null=True, help_text="The local day the target is reached at the current rate."
    )
    expected_value = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        allow_null=True,
        help_text="What an even pace to the deadline would have gained by now.",
    )


class InsightsSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    mood = MoodSerializer()
    estimates = EstimatesSerializer()
    goals = GoalPaceSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields
