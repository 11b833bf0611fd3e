from django.utils import translation
from rest_framework_simplejwt.authentication import JWTAuthentication as BaseJWTAuthentication


class JWTAuthentication(BaseJWTAuthentication):
    """simplejwt's bearer authentication; once the user is known, their language is used for
    every message of the response (anonymous requests follow Accept-Language)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            translation.activate(result[0].language)
            request.LANGUAGE_CODE = translation.get_language()
        return result
