"""Live updates of daily summaries: the payload, built from the model (no serializer: services
import this module), and its publishing. `DailySummarySerializer` renders with `summary_data`
too, so the frame and the REST representation are one."""

from config import realtime
from config.fields import iso_date, iso_datetime
from summaries.models import DailySummary


def summary_data(summary: DailySummary) -> dict:
    return {
        "id": str(summary.pk),
        "date": iso_date(summary.date),
        "text": summary.text,
        "language": summary.language,
        "stats": summary.stats,
        "model": summary.model,
        "prompt_tokens": summary.prompt_tokens,
        "completion_tokens": summary.completion_tokens,
        "source": summary.source,
        "generated_at": iso_datetime(summary.generated_at),
    }


def publish_summary(summary: DailySummary, *, created: bool, source: str) -> None:
    """Announces the summary as created or updated, with who asked for it."""
    event = "summary.created" if created else "summary.updated"
    realtime.publish(summary.user_id, event, {"summary": summary_data(summary), "source": source})
