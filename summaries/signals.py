"""What the summaries app announces, for apps above it to act on.

`summary_ready` is sent by the scheduled summary job once a day's summary is stored, with
`user_id` and `summary_date` (an ISO date) as JSON values. The notifications app connects to it
(notifications/apps.py) to say "your summary is ready" on the person's devices; summaries never
imports notifications, so the layering stays one way (docs/architecture.md). A receiver's
exception reaches the job, as a direct call would.
"""

from django.dispatch import Signal

summary_ready = Signal()
