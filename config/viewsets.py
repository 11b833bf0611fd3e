"""The one way the API's viewsets are written (docs/api-conventions.md, "Writing a viewset")."""

from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from config.fields import query_params


# A GenericViewSet whose actions are written out, one short method each: validate the input
# with a serializer (`validated`, `validated_query`), call a selector or a service with
# `request.user`, render with the output serializer. Serializers get the acting user as
# `context["user"]`, the context the assistant's tools pass too, so the REST API and the
# assistant validate with the same classes. Nothing is filtered by DRF's backends: selectors
# scope and filter. (A comment, not a docstring: drf-spectacular would print a docstring as
# the description of every operation of every subclass.)
class UserScopedViewSet(viewsets.GenericViewSet):
    filter_backends: list = []

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": self.request.user}

    def validated(self, serializer_class, data, **kwargs) -> dict:
        """`data` checked by `serializer_class` (a 400 envelope if not), as validated_data."""
        serializer = serializer_class(data=data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def validated_for(self, lookup, serializer_class, data, **kwargs) -> dict:
        """`validated()` for a write on an object the service locks and reads itself: when the
        input is refused, `lookup()` runs first, so a missing or another user's object is still
        its 404 rather than a 400 about the body, and a valid request reads the object once."""
        try:
            return self.validated(serializer_class, data, **kwargs)
        except ValidationError:
            lookup()
            raise

    def validated_query(self, serializer_class) -> dict:
        """The query string checked by `serializer_class`; an empty value means "not given"."""
        return self.validated(serializer_class, query_params(self.request))

    def paginated(self, rows, serializer_class):
        """One page of `rows` rendered by `serializer_class`, in the list envelope."""
        page = self.paginate_queryset(rows)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)
