from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from config.throttling import UserThrottle
from privacy.export import export_chunks, export_filename


async def _async_chunks(chunks):
    """Under ASGI (Daphne in development) Django would gather a sync iterator into one list
    before sending; this hands the chunks over one by one, each read in the sync thread."""
    step = sync_to_async(next, thread_sensitive=True)
    while (chunk := await step(chunks, None)) is not None:
        yield chunk


class ExportView(APIView):
    """Everything the user has, as a zip streamed while it is written (docs/accounts.md)."""

    throttle_scope = "export"
    throttle_classes = [UserThrottle]

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="A zip: export.json, profile.json, one JSON array per kind "
                "(categories, tasks, task_events, goals, goal_progress, check_ins, "
                "daily_summaries, devices, notifications), conversations.json (each with its "
                "messages) and time_entries.csv (date, task, category, start, end, seconds, "
                "task_id). Date-times in ISO 8601 UTC.",
            ),
            429: OpenApiResponse(
                description="`throttled`: a few exports per hour (`THROTTLE_EXPORT_USER`); "
                "`error.retry_after` (and Retry-After) says when to try again."
            ),
        },
        summary="Download all your data (zip)",
    )
    def get(self, request):
        chunks = export_chunks(user=request.user)
        if isinstance(request._request, ASGIRequest):
            chunks = _async_chunks(chunks)
        response = StreamingHttpResponse(chunks, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{export_filename(request.user)}"'
        response["Cache-Control"] = "no-store"
        return response
