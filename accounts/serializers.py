import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Device, User, normalize_email, validate_timezone
from accounts.push import is_expo_push_token
from config.fields import iso_datetime

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _hhmm(value, field: str) -> str:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise serializers.ValidationError({field: [_("Use the 24-hour format HH:MM.")]})
    return value


def validate_preferences(value) -> dict:
    """Known keys only: `summary_hour` (0-23), `checkin_reminders` (list of "HH:MM", at most 6),
    `quiet_hours` ({"start": "HH:MM", "end": "HH:MM"}), `notifications` (which push kinds
    are on: {"checkin_reminder"|"summary_ready"|"stale_timer"|"weekly_review"|
    "goal_behind_pace": bool}),
    `working_hours` ({"start": "HH:MM", "end": "HH:MM"}, start before end: the day plan) and
    `weekly_review` ({"weekday": 1-7, ISO, 7 = Sunday, "hour": 0-23}). `null` removes the last
    two (back to their defaults, docs/planning.md)."""
    if not isinstance(value, dict):
        raise serializers.ValidationError(_("Preferences must be an object."))
    allowed = {
        "summary_hour",
        "checkin_reminders",
        "quiet_hours",
        "notifications",
        "working_hours",
        "weekly_review",
    }
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise serializers.ValidationError(
            _("Unknown preferences: %(keys)s.") % {"keys": ", ".join(unknown)}
        )
    if "summary_hour" in value:
        hour = value["summary_hour"]
        if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
            raise serializers.ValidationError({"summary_hour": [_("An hour from 0 to 23.")]})
    if "checkin_reminders" in value:
        times = value["checkin_reminders"]
        if not isinstance(times, list) or len(times) > 6:
            raise serializers.ValidationError(
                {"checkin_reminders": [_("A list of at most 6 times.")]}
            )
        for item in times:
            _hhmm(item, "checkin_reminders")
    if "quiet_hours" in value:
        quiet = value["quiet_hours"]
        if quiet is not None:
            if not isinstance(quiet, dict) or set(quiet) != {"start", "end"}:
                raise serializers.ValidationError(
                    {"quiet_hours": [_("An object with start and end.")]}
                )
            _hhmm(quiet["start"], "quiet_hours")
            _hhmm(quiet["end"], "quiet_hours")
    if "notifications" in value:
        _notification_kinds(value["notifications"])
    if value.get("working_hours") is not None:
        _working_hours(value["working_hours"])
    if value.get("weekly_review") is not None:
        _weekly_review(value["weekly_review"])
    return value


def _working_hours(hours) -> None:
    if not isinstance(hours, dict) or set(hours) != {"start", "end"}:
        raise serializers.ValidationError({"working_hours": [_("An object with start and end.")]})
    _hhmm(hours["start"], "working_hours")
    _hhmm(hours["end"], "working_hours")
    if hours["start"] >= hours["end"]:  # "HH:MM" strings sort as the times they name
        raise serializers.ValidationError(
            {"working_hours": [_("The start must be before the end, within one day.")]}
        )


def _weekly_review(moment) -> None:
    if not isinstance(moment, dict) or set(moment) != {"weekday", "hour"}:
        raise serializers.ValidationError(
            {"weekly_review": [_("An object with weekday and hour.")]}
        )
    weekday, hour = moment["weekday"], moment["hour"]
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 1 <= weekday <= 7:
        raise serializers.ValidationError(
            {"weekly_review": [_("The weekday is a number from 1 (Monday) to 7 (Sunday).")]}
        )
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise serializers.ValidationError({"weekly_review": [_("An hour from 0 to 23.")]})


NOTIFICATION_KINDS = (
    "checkin_reminder",
    "summary_ready",
    "stale_timer",
    "weekly_review",
    "goal_behind_pace",
)


def _notification_kinds(kinds) -> None:
    if not isinstance(kinds, dict) or not set(kinds) <= set(NOTIFICATION_KINDS):
        raise serializers.ValidationError(
            {
                "notifications": [
                    _("An object whose keys are among: %(kinds)s.")
                    % {"kinds": ", ".join(NOTIFICATION_KINDS)}
                ]
            }
        )
    if not all(isinstance(on, bool) for on in kinds.values()):
        raise serializers.ValidationError({"notifications": [_("Each value is true or false.")]})


class TimezoneField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)
        self.validators.append(validate_timezone)


class UserSerializer(serializers.ModelSerializer):
    timezone = TimezoneField(required=False)
    email_verified = serializers.BooleanField(
        read_only=True, help_text="Whether the person confirmed the address (docs/accounts.md)."
    )
    preferences = serializers.JSONField(required=False, validators=[validate_preferences])

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "email_verified",
            "email_verified_at",
            "name",
            "timezone",
            "language",
            "preferences",
            "created_at",
        ]
        read_only_fields = ["id", "email", "email_verified", "email_verified_at", "created_at"]
        extra_kwargs = {
            "email_verified_at": {
                "help_text": "When the address was confirmed; null while it is not."
            }
        }

    def to_representation(self, user: User) -> dict:
        """The fields above, written out (every app opens with GET /me); a test holds it equal
        to the declared fields' own output."""
        return {
            "id": str(user.pk),
            "email": user.email,
            "email_verified": user.email_verified_at is not None,
            "email_verified_at": iso_datetime(user.email_verified_at),
            "name": user.name,
            "timezone": user.timezone,
            "language": user.language,
            "preferences": user.preferences,
            "created_at": iso_datetime(user.created_at),
        }


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    timezone = TimezoneField(required=False, default="UTC")
    language = serializers.ChoiceField(choices=User.Language.choices, required=False, default="es")

    def validate_email(self, value: str) -> str:
        return normalize_email(value)

    def validate_password(self, value: str) -> str:
        # A field validator (not `validate()`), so a weak password is reported together with
        # the other fields' errors instead of only once they are all fixed. The similarity
        # check compares with the submitted email and name as they were sent.
        data = self.initial_data if hasattr(self.initial_data, "get") else {}
        candidate = User(email=str(data.get("email") or ""), name=str(data.get("name") or ""))
        try:
            password_validation.validate_password(value, user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from exc
        return value


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)

    def validate_new_password(self, value: str) -> str:
        # Django's validators (length, common, numeric, similar to the email or name).
        try:
            password_validation.validate_password(value, user=self.context["user"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from exc
        return value


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class AuthResponseSerializer(serializers.Serializer):
    user = UserSerializer()
    access = serializers.CharField()
    refresh = serializers.CharField()


class LogoutSerializer(RefreshSerializer):
    device_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="This phone's device id: it is removed too, so it gets no more notifications.",
    )


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "expo_push_token", "platform", "name", "created_at", "last_registered_at"]
        read_only_fields = fields


class DeviceRegisterSerializer(serializers.Serializer):
    expo_push_token = serializers.CharField(
        max_length=255, help_text="As Expo gives it: ExponentPushToken[…] or ExpoPushToken[…]."
    )
    platform = serializers.ChoiceField(choices=Device.Platform.choices)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate_expo_push_token(self, value: str) -> str:
        if not is_expo_push_token(value):
            raise serializers.ValidationError(
                _("Not an Expo push token (ExponentPushToken[…] or ExpoPushToken[…]).")
            )
        return value


# -- Leaving (issue 23) ---------------------------------------------------------------------
class AccountDeleteSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


# -- password reset and email verification (accounts/email_views.py) --------------------------
class PasswordResetRequestSerializer(serializers.Serializer):
    # A malformed address is a 400 (it says nothing about accounts); every well-formed one,
    # known or not, gets the same 202.
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64, help_text="The `uid` of the mail's link.")
    token = serializers.CharField(max_length=128, help_text="The `token` of the mail's link.")
    new_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class EmailVerifySerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64, help_text="The `uid` of the mail's link.")
    token = serializers.CharField(max_length=128, help_text="The `token` of the mail's link.")


class QueuedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["queued"])
