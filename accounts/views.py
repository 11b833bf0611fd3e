from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import deletion, selectors, services
from accounts.hashers import hashing_slot
from accounts.models import AccountDeletion, Device
from accounts.schema import DeleteWithBodySchema
from accounts.serializers import (
    AccountDeleteSerializer,
    AuthResponseSerializer,
    DeviceRegisterSerializer,
    DeviceSerializer,
    LoginSerializer,
    LogoutSerializer,
    PasswordChangeSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    UserSerializer,
)
from config.pagination import PageNumberPagination
from config.throttling import EmailThrottle, FailureLimit, IPThrottle, login_failure_limit
from config.viewsets import UserScopedViewSet

_401_CREDENTIALS = OpenApiResponse(description="`invalid_credentials`: email or password wrong.")
_429_FAILURES = OpenApiResponse(
    description="`throttled`: too many failed attempts; `error.retry_after` (and Retry-After) "
    "says in how many seconds to try again."
)
_429_LOGIN_FAILURES = OpenApiResponse(
    description="`throttled`: too many failed attempts from this network (an IPv6 /64, an "
    "IPv4 address), for this email from this network, or for this email from networks it has "
    "not signed in from lately (30 days by default); `error.retry_after` (and Retry-After) says "
    "in how many seconds to try again. No password is checked."
)


class _PublicAuthView(APIView):
    # No bearer authentication here: a stale access token must not break login or refresh.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        # Bad refresh tokens are 401 (not 403) and tell the client which scheme to use.
        return 'Bearer realm="api"'


class RegisterView(_PublicAuthView):
    throttle_scope = "register"
    throttle_classes = [IPThrottle, EmailThrottle]

    @extend_schema(request=RegisterSerializer, responses={201: AuthResponseSerializer}, auth=[])
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with hashing_slot():
            user = services.user_register(**serializer.validated_data)
        body = {"user": UserSerializer(user).data, **services.tokens_for(user)}
        return Response(body, status=status.HTTP_201_CREATED)


class LoginView(_PublicAuthView):
    """Failed logins are limited per network (an IPv6 /64, an IPv4 address), per email from
    that network and per email from networks it has not signed in from lately (`login_ip`,
    `login_email_ip`, `login_email`); successful ones never count, and a refused attempt is
    answered before any password hashing (config/throttling.login_failure_limit)."""

    throttle_classes: list = []

    @extend_schema(
        request=LoginSerializer,
        responses={200: AuthResponseSerializer, 401: _401_CREDENTIALS, 429: _429_LOGIN_FAILURES},
        auth=[],
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        limit = login_failure_limit(
            prefix="login", request_meta=request.META, email=serializer.validated_data["email"]
        )
        limit.reserve()
        with hashing_slot():
            user = services.user_login(request=request, **serializer.validated_data)
        limit.succeeded()
        return Response({"user": UserSerializer(user).data, **services.tokens_for(user)})


class RefreshView(_PublicAuthView):
    """Rotates: answers a new pair and blacklists the refresh token it was given. A refresh
    token presented again after it was rotated or logged out ends every session of the user
    (reuse detection: 401, and every device logs in again)."""

    throttle_scope = "refresh"
    throttle_classes = [IPThrottle]

    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer}, auth=[])
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(services.token_refresh(refresh=serializer.validated_data["refresh"]))


class LogoutView(_PublicAuthView):
    """Holding the refresh token is the credential: no access token needed (it may be expired)."""

    throttle_scope = "refresh"
    throttle_classes = [IPThrottle]

    @extend_schema(request=LogoutSerializer, responses={204: None}, auth=[])
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh, device_id = (
            serializer.validated_data["refresh"],
            serializer.validated_data.get("device_id"),
        )
        if device_id:
            services.logout_with_device(refresh=refresh, device_id=device_id)
        else:
            services.refresh_blacklist(refresh=refresh)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordView(APIView):
    """Change the password: every session of the user ends (other devices' tokens stop
    working, their sockets close) and this device gets a fresh pair. Wrong current passwords
    are limited per user (`password_user`), like failed logins."""

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={
            200: TokenPairSerializer,
            400: OpenApiResponse(
                description="`validation_error` (the new password is too weak) or "
                "`wrong_password` (the current one is not right)."
            ),
            429: _429_FAILURES,
        },
        summary="Change your password (ends every other session)",
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        limit = FailureLimit({"password_user": str(request.user.pk)})
        limit.reserve()
        with hashing_slot():
            tokens = services.password_change(user=request.user, **serializer.validated_data)
        limit.succeeded()
        return Response(tokens)


class LogoutAllView(APIView):
    """Log out everywhere: every refresh and access token of the user stops working and every
    open socket closes with 4001, this device's included."""

    @extend_schema(request=None, responses={204: None}, summary="Log out on every device")
    def post(self, request):
        services.logout_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    schema = DeleteWithBodySchema()  # DELETE takes the password in its body (issue 23)

    @extend_schema(responses={200: UserSerializer})
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=UserSerializer, responses={200: UserSerializer})
    def patch(self, request):
        serializer = UserSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, data=serializer.validated_data)
        return Response(UserSerializer(user).data)

    # -- Leaving (issue 23): deleting the account (docs/accounts.md) --------------------------
    @extend_schema(
        request=AccountDeleteSerializer,
        responses={
            204: OpenApiResponse(
                description="Deleted: every row of the account, in every table; every token "
                "stops working and every open socket gets `session.ended` "
                "(reason `account_deleted`) and closes with 4001."
            ),
            400: OpenApiResponse(
                description="`validation_error` (no `password`) or `wrong_password`; "
                "nothing is deleted."
            ),
            429: _429_FAILURES,
        },
        summary="Delete your account and all its data (needs the current password)",
    )
    def delete(self, request):
        serializer = AccountDeleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Wrong passwords count against the same per-user limit as the password change.
        limit = FailureLimit({"password_user": str(request.user.pk)})
        limit.reserve()
        with hashing_slot():
            deletion.account_password_check(
                user=request.user, password=serializer.validated_data["password"]
            )
        limit.succeeded()
        deletion.account_delete(user=request.user, via=AccountDeletion.Via.API)
        return Response(status=status.HTTP_204_NO_CONTENT)


DEVICES = "The user's phones that receive push notifications (docs/push.md)."


class DeviceViewSet(UserScopedViewSet):
    serializer_class = DeviceSerializer
    pagination_class = PageNumberPagination
    queryset = Device.objects.none()  # the model, for the schema; selectors scope

    @extend_schema(
        summary="List your devices, most recently registered first",
        description=DEVICES,
        operation_id="auth_devices_list",
    )
    def list(self, request):
        return self.paginated(selectors.device_list(user=request.user), DeviceSerializer)

    @extend_schema(
        summary="Register (or refresh) this device's Expo push token",
        description=DEVICES,
        request=DeviceRegisterSerializer,
        responses={200: DeviceSerializer, 201: DeviceSerializer},
    )
    def create(self, request):
        data = self.validated(DeviceRegisterSerializer, request.data)
        device, created = services.device_register(user=request.user, **data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(DeviceSerializer(device).data, status=code)

    @extend_schema(summary="Get one of your devices", responses={200: DeviceSerializer})
    def retrieve(self, request, pk):
        device = selectors.device_get(user=request.user, device_id=pk)
        return Response(DeviceSerializer(device).data)

    @extend_schema(summary="Remove a device: it gets no more notifications", responses={204: None})
    def destroy(self, request, pk):
        services.device_delete(device=selectors.device_get(user=request.user, device_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
