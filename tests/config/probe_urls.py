"""The project's URLconf plus a small viewset registered the way every app registers its own.

The foundation has no id-addressed resource of its own; this gives the conventions tests (bad
UUID in the path, pagination, trailing slashes on a router) a real DRF viewset on our
OptionalSlashRouter, pagination class and exception handler, over the real User table.
"""

from django.urls import include, re_path
from rest_framework import mixins, viewsets

from accounts.models import User
from accounts.serializers import UserSerializer
from config.routers import OptionalSlashRouter
from config.urls import urlpatterns as project_urlpatterns


class ProbeUserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = UserSerializer

    def get_queryset(self):
        if self.action == "list":
            return User.objects.order_by("email")  # many rows, for the pagination tests
        return User.objects.filter(pk=self.request.user.pk)

    def create(self, request, *args, **kwargs):  # POST on the list route, for slash tests
        from rest_framework.response import Response

        return Response({"created": True}, status=201)

    def perform_destroy(self, instance):
        pass  # keep the row; the tests only check the route answers


router = OptionalSlashRouter()
router.register("probe/users", ProbeUserViewSet, basename="probe-user")

urlpatterns = [re_path(r"^api/v1/", include(router.urls)), *project_urlpatterns]

handler400 = "config.views.bad_request"
handler404 = "config.views.not_found"
handler500 = "config.views.server_failure"
