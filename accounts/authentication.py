import uuid

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import JWTAuthentication as BaseJWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

from accounts.models import User
from accounts.sessions import token_generation
from config.prepared import PreparedQuery

# Every authenticated request reads its user: the query is compiled once (config/prepared.py).
_user_by_id = PreparedQuery(lambda user_id: User.objects.filter(pk=user_id).order_by())


class JWTAuthentication(BaseJWTAuthentication):
    """simplejwt's bearer authentication with the user read through a prepared query; once
    the user is known, their language is used for every message of the response (anonymous
    requests follow Accept-Language). Deactivated and deleted users are refused on every
    request, as simplejwt does, and so are tokens issued before the user's sessions were
    revoked (a password change, "log out everywhere")."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            translation.activate(result[0].language)
            request.LANGUAGE_CODE = translation.get_language()
        return result

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
            user = _user_by_id.first(user_id=user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if token_generation(validated_token) != user.token_generation:
            # Issued before the user's sessions were revoked (accounts/sessions.py): the mark is
            # a column of the row just read, so this costs no query.
            raise AuthenticationFailed(
                _("Token has been revoked: sign in again."), code="token_not_valid"
            )
        return user
