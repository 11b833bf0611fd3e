"""Check-in input and output. Input serializers read the acting user from `context["user"]`."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from checkins.models import CheckIn
from checkins.realtime import checkin_data
from checkins.selectors import MAX_STATS_DAYS
from config.fields import LocalDateRangeSerializer, UserLocalDateTimeField, validate_past_instant

SCALE = {"min_value": 1, "max_value": 5}


class CheckInSerializer(serializers.ModelSerializer):
    # A plain string in the schema: the same four values as task events' source, and one enum
    # shared by several components would need an ENUM_NAME_OVERRIDES entry in settings.
    source = serializers.CharField(
        read_only=True, help_text="Who made the change: api, assistant, admin or system."
    )

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "kind",
            "mood",
            "energy",
            "note",
            "recorded_at",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, checkin: CheckIn) -> dict:
        # One timezone lookup for a whole page (a list shares this child).
        if self._tz is None:
            self._tz = timezone.get_current_timezone()
        return checkin_data(checkin, self._tz)

    _tz = None


class StrictIntegerField(serializers.IntegerField):
    """1-5 as a JSON integer or an integer string; not 3.5, not true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, float) and not data.is_integer()):
            self.fail("invalid")
        return super().to_internal_value(data)


class CheckInCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CheckIn.Kind.choices, required=False)
    mood = StrictIntegerField(**SCALE, help_text="1 (very bad) to 5 (very good).")
    energy = StrictIntegerField(**SCALE, help_text="1 (exhausted) to 5 (full of energy).")
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    recorded_at = UserLocalDateTimeField(
        required=False,
        validators=[validate_past_instant],
        help_text="Default now; not in the future. Without an offset it is the user's local time.",
    )


class CheckInUpdateSerializer(CheckInCreateSerializer):
    """Body of PATCH /checkins/{id}: any subset of the fields."""

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class CheckInListQuerySerializer(LocalDateRangeSerializer):
    kind = serializers.ChoiceField(choices=CheckIn.Kind.choices, required=False)


class CheckInStatsQuerySerializer(CheckInListQuerySerializer):
    """Defaults: `to` is the user's local today, `from` six days before it (one week)."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = self.context["user"]
        last = attrs.get("to")
        first = attrs.get("from")
        if last is None:
            today = user.local_now().date()
            last = max(today, first) if first else today
        if first is None:
            first = last - timedelta(days=6)
        if (last - first).days + 1 > MAX_STATS_DAYS:
            raise serializers.ValidationError(
                {"to": [_("The range can cover at most %(days)d days.") % {"days": MAX_STATS_DAYS}]}
            )
        attrs["from"], attrs["to"] = first, last
        return attrs


class CheckInDayStatsSerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()
    mood_avg = serializers.FloatField(allow_null=True)
    energy_avg = serializers.FloatField(allow_null=True)


class CheckInTotalsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    mood_avg = serializers.FloatField(allow_null=True)
    energy_avg = serializers.FloatField(allow_null=True)


class CheckInStatsSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    kind = serializers.CharField(allow_null=True)
    days = CheckInDayStatsSerializer(many=True)
    overall = CheckInTotalsSerializer()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields
