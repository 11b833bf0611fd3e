"""Teaches drf-spectacular that our JWTAuthentication is simplejwt's bearer scheme (and that
DELETE /auth/me has a body)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema


class JWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.JWTAuthentication"
    name = "jwtAuth"


# -- Leaving (issue 23) ---------------------------------------------------------------------
class DeleteWithBodySchema(AutoSchema):
    """drf-spectacular documents request bodies of PUT, PATCH and POST only; DELETE /auth/me
    takes the current password in its body (`{"password"}`), so its body is shown too."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"  # read as a body-carrying method, then put back
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
