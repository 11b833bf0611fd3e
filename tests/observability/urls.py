"""The project's URLs plus an API view that fails, for the Sentry tests."""

from django.urls import include, re_path
from rest_framework.views import APIView


class FailingView(APIView):
    def post(self, request):
        # A bug whose message names the person, as careless code would.
        raise RuntimeError(f"could not file the note of {request.user.email}")


urlpatterns = [
    re_path(r"^api/v1/failing/?$", FailingView.as_view(), name="failing"),
    re_path(r"", include("config.urls")),
]
