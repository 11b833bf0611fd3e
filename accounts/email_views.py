"""Password reset and email verification endpoints (docs/accounts.md). Thin: validate, call
accounts/email_services.py, answer; the mails go out from the worker."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import email_services
from accounts.hashers import hashing_slot
from accounts.serializers import (
    EmailVerifySerializer,
    PasswordResetConfirmSerializer,
    PasswordResetRequestSerializer,
    QueuedSerializer,
    UserSerializer,
)
from config.throttling import EmailThrottle, IPThrottle, UserThrottle

QUEUED = {"status": "queued"}

_429 = OpenApiResponse(
    description="`throttled`: too many requests; `error.retry_after` (and Retry-After) says in "
    "how many seconds to try again."
)
_400_RESET = OpenApiResponse(
    description="`invalid_reset_token`: the link is expired, already used, older than the "
    "last password change or login, or not a link at all (nothing changes); "
    "`validation_error` with `fields.new_password`: the new password is too weak."
)
_400_VERIFY = OpenApiResponse(
    description="`invalid_verification_token`: the link is expired, already used, made for "
    "another address or not a link at all (nothing changes)."
)


class _PublicView(APIView):
    # Reached from a mail's link, perhaps on a device that is not signed in (or has a stale
    # token): no bearer authentication.
    authentication_classes: list = []
    permission_classes = [AllowAny]


class PasswordResetView(_PublicView):
    """Ask for a password reset mail. The answer is the same 202 for every well-formed
    address, with or without an account: the mail (if any) is sent by the worker."""

    throttle_scope = "password_reset"
    throttle_classes = [IPThrottle, EmailThrottle]

    @extend_schema(
        request=PasswordResetRequestSerializer,
        responses={
            202: QueuedSerializer,
            400: OpenApiResponse(description="`validation_error`: not an email address."),
            429: _429,
        },
        auth=[],
        summary="Ask for a password reset link by mail",
    )
    def post(self, request):
        serializer = PasswordResetRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email_services.password_reset_request(email=serializer.validated_data["email"])
        return Response(QUEUED, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(_PublicView):
    """Set a new password with the mail's link: every session of the account ends (its tokens
    are refused, its sockets close with `session.ended` reason `password_changed`); sign in
    with the new password."""

    throttle_scope = "reset_confirm"
    throttle_classes = [IPThrottle]

    @extend_schema(
        request=PasswordResetConfirmSerializer,
        responses={204: None, 400: _400_RESET, 429: _429},
        auth=[],
        summary="Choose a new password with a reset link (ends every session)",
    )
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with hashing_slot():
            email_services.password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerifyView(_PublicView):
    throttle_scope = "reset_confirm"
    throttle_classes = [IPThrottle]

    @extend_schema(
        request=EmailVerifySerializer,
        responses={200: UserSerializer, 400: _400_VERIFY, 429: _429},
        auth=[],
        summary="Confirm your email address with the mail's link",
    )
    def post(self, request):
        serializer = EmailVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = email_services.email_verify(**serializer.validated_data)
        return Response(UserSerializer(user).data)


class EmailVerifyResendView(APIView):
    throttle_scope = "email_verify_resend"
    throttle_classes = [UserThrottle]

    @extend_schema(
        request=None,
        responses={
            202: QueuedSerializer,
            409: OpenApiResponse(description="`email_already_verified`."),
            429: _429,
        },
        summary="Send the confirmation mail again",
    )
    def post(self, request):
        email_services.email_verification_resend(user=request.user)
        return Response(QUEUED, status=status.HTTP_202_ACCEPTED)
