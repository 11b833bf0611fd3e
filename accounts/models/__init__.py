"""The accounts app's tables, by concern: the person (users.py), push notifications (push.py),
and the record of leaving and of staff access (audit.py). Import them from here."""

from accounts.models.audit import AccountDeletion, AdminAccessLog
from accounts.models.push import Device, Notification, PushMessage
from accounts.models.users import User, UserManager, normalize_email, validate_timezone

__all__ = [
    "AccountDeletion",
    "AdminAccessLog",
    "Device",
    "Notification",
    "PushMessage",
    "User",
    "UserManager",
    "normalize_email",
    "validate_timezone",
]
