"""EMAIL_VERIFICATION_REQUIRED: an unverified account may use only the auth endpoints."""

from rest_framework.permissions import IsAuthenticated

from accounts.errors import EmailNotVerified


class IsAuthenticatedWithVerifiedEmail(IsAuthenticated):
    """The default permission when EMAIL_VERIFICATION_REQUIRED is on (config/settings.py):
    signed in, and with a verified address except on /api/v1/auth/* (the accounts app's own
    views: the profile, resending the mail, logging out), where the person fixes it. A 403
    `email_not_verified` otherwise. (With the setting off, the default stays DRF's
    IsAuthenticated.)"""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.user.email_verified_at is None and not type(view).__module__.startswith(
            "accounts."
        ):
            raise EmailNotVerified()
        return True
