"""What the planning app announces, for apps above it to act on.

`review_ready` is sent by the scheduled job once a week's review is stored, with `user_id`,
`review_id` and `week_start` (an ISO date) as JSON values. The notifications app connects to
it (notifications/apps.py) to say "your weekly review is ready" on the person's devices;
planning never imports notifications, so the layering stays one way (docs/architecture.md).
"""

from django.dispatch import Signal

review_ready = Signal()
