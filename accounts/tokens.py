"""The one-time tokens the mails carry, and the `uid` that names the account in their links.

Both are Django's PasswordResetTokenGenerator: an HMAC (SECRET_KEY) of the user's state and a
timestamp, stored nowhere. A token dies when that state changes:

- a reset token when the password changes (the reset itself: it works once), at the next
  login, when the address changes, or after PASSWORD_RESET_TIMEOUT;
- a verification token once the address is verified, when it changes, or after
  EMAIL_VERIFY_TIMEOUT.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import User

password_reset_tokens = PasswordResetTokenGenerator()


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp) -> str:
        verified = "" if user.email_verified_at is None else user.email_verified_at.timestamp()
        return f"{user.pk}{user.email}{verified}{timestamp}"

    def check_token(self, user, token) -> bool:
        # Django's check_token reads PASSWORD_RESET_TIMEOUT; this one has its own lifetime.
        if not (user and isinstance(token, str)):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, key), token)
            for key in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - ts <= settings.EMAIL_VERIFY_TIMEOUT


email_verification_tokens = EmailVerificationTokenGenerator()


def uid_for(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_for_uid(uid) -> User | None:
    """The active user a link's `uid` names, or None for anything else (garbage included)."""
    if not isinstance(uid, str) or len(uid) > 64:
        return None
    try:
        pk = force_str(urlsafe_base64_decode(uid))
        return User.objects.filter(pk=pk, is_active=True).first()
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, ValidationError):
        return None  # not base64, not text, not a UUID (Django's ValidationError)
