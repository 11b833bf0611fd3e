import threading
import uuid
from collections import OrderedDict

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import JWTAuthentication as BaseJWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import aware_utcnow

from accounts.models import User
from accounts.sessions import token_generation
from config.observability import context as log_context
from config.sql import Columns, Statement, pk_param


def _user_by_id_sql(connection):
    user = Columns(User, User._meta.db_table)
    qn = connection.ops.quote_name
    sql = f"SELECT {user.sql(connection)} FROM {qn(user.alias)} WHERE {qn('id')} = %s"  # noqa: S608
    return sql, [user]


# Every authenticated request reads its user: SQL written once (config/sql.py).
_user_by_id = Statement(_user_by_id_sql)


def user_by_id(user_id) -> User | None:
    rows = _user_by_id.instances([pk_param(User, user_id)])
    return rows[0][0] if rows else None


class ValidatedTokens:
    """Access tokens this process has already validated, by their raw bytes (an LRU).

    A client sends the same access token with every request until it expires; decoding and
    checking it (PyJWT: base64, JSON, HMAC, the claims) cost about 0.1 ms of every request.
    The same bytes always decode to the same claims, and the one claim that depends on the
    clock, `exp`, is checked again on every hit: an expired token is dropped and validated
    from scratch (which refuses it with simplejwt's own error). Revocation does not live in
    the token but in the user row read on every request (`gen`), so caching changes nothing
    there. The signing key is read once per process, by simplejwt too.
    """

    def __init__(self, size: int = 2048):
        self.size = size
        self._tokens: OrderedDict[bytes, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, raw_token: bytes):
        with self._lock:
            token = self._tokens.get(raw_token)
            if token is None:
                return None
            self._tokens.move_to_end(raw_token)
        try:
            token.check_exp(current_time=aware_utcnow())
        except TokenError:
            self.discard(raw_token)
            return None
        return token

    def put(self, raw_token: bytes, token) -> None:
        with self._lock:
            self._tokens[raw_token] = token
            if len(self._tokens) > self.size:
                self._tokens.popitem(last=False)

    def discard(self, raw_token: bytes) -> None:
        with self._lock:
            self._tokens.pop(raw_token, None)

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


validated_tokens = ValidatedTokens()


class JWTAuthentication(BaseJWTAuthentication):
    """simplejwt's bearer authentication with the user read by SQL written once; once
    the user is known, their language is used for every message of the response (anonymous
    requests follow Accept-Language). Deactivated and deleted users are refused on every
    request, as simplejwt does, and so are tokens issued before the user's sessions were
    revoked (a password change, "log out everywhere")."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            # The rest of the request's log lines, the access line too, carry the user's id.
            log_context.bind(user_id=result[0].pk)
            translation.activate(result[0].language)
            request.LANGUAGE_CODE = translation.get_language()
        return result

    def get_validated_token(self, raw_token):
        token = validated_tokens.get(raw_token)
        if token is None:
            token = super().get_validated_token(raw_token)  # raises on any invalid token
            validated_tokens.put(raw_token, token)
        return token

    def get_user(self, validated_token):
        try:
            raw_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        try:
            user_id = uuid.UUID(str(raw_id))
        except ValueError:
            user = None  # a signed token naming no possible user: as if the user were gone
        else:
            user = user_by_id(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        check_session(
            is_active=user.is_active,
            token_generation=user.token_generation,
            claimed_generation=token_generation(validated_token),
        )
        return user


def check_session(*, is_active: bool, token_generation: int, claimed_generation: int) -> None:
    """Refuse a deactivated user, and a token issued before the user's sessions were revoked
    (accounts/sessions.py: the mark is a column of the user row, so this costs no query)."""
    if not is_active:
        raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
    if claimed_generation != token_generation:
        raise AuthenticationFailed(
            _("Token has been revoked: sign in again."), code="token_not_valid"
        )
