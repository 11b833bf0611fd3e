from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from config.viewsets import UserScopedViewSet
from memories import selectors, services
from memories.models import Memory
from memories.serializers import MemoryInputSerializer, MemorySerializer

SOURCE = "api"

_LIMIT = {
    "409": OpenApiResponse(
        description="You already keep the most memories allowed (50): memory_limit_reached."
    )
}


@extend_schema_view(
    list=extend_schema(summary="List what the assistant remembers about you, newest first"),
    retrieve=extend_schema(summary="Get a memory"),
    destroy=extend_schema(summary="Delete a memory (the row itself; the assistant forgets it)"),
)
class MemoryViewSet(UserScopedViewSet):
    serializer_class = MemorySerializer
    queryset = Memory.objects.none()  # the model, for the schema; selectors scope

    def get_object(self):
        return selectors.memory_get(user=self.request.user, memory_id=self.kwargs["pk"])

    def list(self, request):
        return self.paginated(selectors.memory_list(user=request.user), MemorySerializer)

    def retrieve(self, request, pk=None):
        return Response(MemorySerializer(self.get_object()).data)

    def destroy(self, request, pk=None):
        services.memory_delete(user=request.user, memory=self.get_object(), source=SOURCE)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Save a memory",
        request=MemoryInputSerializer,
        responses={201: MemorySerializer, **_LIMIT},
    )
    def create(self, request):
        data = self.validated(MemoryInputSerializer, request.data)
        memory = services.memory_create(user=request.user, source=SOURCE, **data)
        return Response(MemorySerializer(memory).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a memory's text",
        request=MemoryInputSerializer,
        responses={200: MemorySerializer},
    )
    def partial_update(self, request, pk=None):
        memory = self.get_object()
        data = self.validated(MemoryInputSerializer, request.data)
        memory = services.memory_update(user=request.user, memory=memory, source=SOURCE, **data)
        return Response(MemorySerializer(memory).data)
