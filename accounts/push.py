"""Expo push: the one module that talks to Expo, through `exponent-server-sdk`.

Notifications are rows first (`Notification`, one `PushMessage` per device, written by
`accounts/notifications.py`); this module delivers the pending messages and later reads their
receipts. The guarantees and why:

- **Never sent twice.** A sender claims messages by moving them from `pending` to `sending`
  (rows locked with SKIP LOCKED), so two workers never post the same message. Only answers that
  prove Expo took nothing are retried: 429, 5xx and failures to connect. A read timeout is
  ambiguous (Expo may have accepted the batch), so those messages are marked failed instead of
  risking a duplicate on the person's phone; so are messages left in `sending` by a worker
  that died mid-request.
- **Never lost.** A batch Expo keeps refusing after PUSH_RETRY_DELAYS goes back to `pending`
  with a later `next_attempt_at`; the retry job sends it then, up to PUSH_MAX_ATTEMPTS.
- **Dead devices go.** `DeviceNotRegistered`, in a ticket now or in a receipt later (the app
  was uninstalled), deletes the device, unless it was registered again after that message.
- Expo takes at most 100 messages per request and 1,000 receipt ids; batches follow that.

Without EXPO_PUSH_ENABLED (development), messages are logged and marked `logged`.
"""

import logging
import time
from dataclasses import dataclass, fields
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from exponent_server_sdk import PushClient, PushServerError, PushTicket
from exponent_server_sdk import PushMessage as ExpoMessage

from accounts.models import Device, Notification, PushMessage
from config.metrics.series import count_push

logger = logging.getLogger(__name__)

BATCH_SIZE = 100  # Expo's limit per /push/send request
RECEIPT_BATCH_SIZE = 1000  # Expo's limit per /push/getReceipts request
RECEIPT_DELAY = timedelta(minutes=15)  # Expo: receipts are usually ready within 15 minutes
RECEIPT_MAX_AGE = timedelta(hours=24)  # Expo keeps receipts for at least a day
SENDING_STALE_AFTER = timedelta(minutes=10)
MAX_RETRY_AFTER_SECONDS = 60.0
TOKEN_PREFIXES = ("ExponentPushToken[", "ExpoPushToken[")
DEVICE_NOT_REGISTERED = "DeviceNotRegistered"


@dataclass
class PushCounts:
    """What a job run did; `log()` writes it as the run's one line and counts it."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    logged: int = 0
    skipped_quiet_hours: int = 0
    skipped_daily_cap: int = 0
    skipped_disabled: int = 0
    devices_removed: int = 0
    receipts_ok: int = 0
    receipts_error: int = 0

    def add(self, other: "PushCounts") -> "PushCounts":
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def log(self, job: str, **extra) -> None:
        """The run's line, and its counts added to the push metrics (every job ends here)."""
        counts = {f.name: getattr(self, f.name) for f in fields(self)}
        parts = [f"{k}={v}" for k, v in extra.items()]
        parts += [f"{name}={value}" for name, value in counts.items()]
        logger.info("push job=%s %s", job, " ".join(parts))
        count_push(counts)


class _Message(ExpoMessage):
    """The SDK's message, accepting both token spellings Expo issues (`ExpoPushToken[…]` is
    the newer one; the SDK's own check only knows `ExponentPushToken`). Tokens were validated
    when the device was registered."""

    def get_payload(self):
        checked = ExpoMessage(**{**self._asdict(), "to": "ExponentPushToken[checked]"})
        payload = checked.get_payload()
        payload["to"] = self.to
        return payload


class _Retryable(Exception):
    """Expo took nothing from this request (429, 5xx, no connection): safe to send again."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _Failed(Exception):
    """The request failed in a way that sending it again would not fix, or might duplicate."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def is_expo_push_token(value: str) -> bool:
    if not isinstance(value, str) or len(value) > 255 or not value.endswith("]"):
        return False
    prefix = next((p for p in TOKEN_PREFIXES if value.startswith(p)), None)
    inner = value[len(prefix) : -1] if prefix else ""
    return bool(inner) and all(c.isascii() and (c.isalnum() or c in "-_") for c in inner)


def _client() -> PushClient:
    session = requests.Session()
    session.headers.update(
        {
            "accept": "application/json",
            "accept-encoding": "gzip, deflate",
            "content-type": "application/json",
        }
    )
    if settings.EXPO_ACCESS_TOKEN:
        session.headers["Authorization"] = f"Bearer {settings.EXPO_ACCESS_TOKEN}"
    return PushClient(
        host=settings.EXPO_BASE_URL.rstrip("/"),
        session=session,
        timeout=settings.EXPO_TIMEOUT_SECONDS,
    )


def _retry_after(response) -> float | None:
    try:
        return min(float(response.headers.get("Retry-After")), MAX_RETRY_AFTER_SECONDS)
    except (TypeError, ValueError, AttributeError):
        return None


def _classify(response, reason: str) -> Exception:
    status = getattr(response, "status_code", None)
    if status == 429 or (status is not None and status >= 500):
        return _Retryable(f"http_{status}", _retry_after(response))
    return _Failed(reason if status is None else f"{reason}_{status}")


def _expo_call(call):
    """Run one SDK request; turn its many failure types into _Retryable or _Failed."""
    try:
        return call()
    except PushServerError as exc:
        codes = [e.get("code") for e in (exc.errors or []) if isinstance(e, dict)]
        raise _classify(exc.response, (codes[0] if codes else "server_error")[:60]) from exc
    except requests.HTTPError as exc:
        raise _classify(exc.response, "http_error") from exc
    except requests.ConnectionError as exc:  # includes ConnectTimeout: nothing was sent
        raise _Retryable("connection_error") from exc
    except requests.RequestException as exc:  # ReadTimeout and the like: outcome unknown
        raise _Failed(type(exc).__name__.lower()) from exc


def _publish_with_retries(client: PushClient, messages: list[_Message]) -> list[PushTicket]:
    delays = list(settings.PUSH_RETRY_DELAYS)
    while True:
        try:
            return _expo_call(lambda: client.publish_multiple(messages))
        except _Retryable as exc:
            if not delays:
                raise
            pause = delays.pop(0)
            if exc.retry_after is not None:
                pause = max(pause, exc.retry_after)
            logger.warning("push: Expo answered %s; retrying in %.1fs", exc.reason, pause)
            time.sleep(pause)


def remove_dead_device(*, token: str, sent_at) -> int:
    """Delete the device holding `token`, unless it registered again after `sent_at`."""
    deleted, _ = Device.objects.filter(
        expo_push_token=token, last_registered_at__lte=sent_at
    ).delete()
    return 1 if deleted else 0


def _claim(*, now, notification_ids, limit: int) -> list[PushMessage]:
    scope = PushMessage.objects.filter(status=PushMessage.Status.PENDING, next_attempt_at__lte=now)
    if notification_ids is not None:
        scope = scope.filter(notification_id__in=notification_ids)
    with transaction.atomic():
        # SKIP LOCKED: two senders running at once take different messages, never the same
        # (rows another sender holds are skipped; once it commits they are no longer pending).
        ids = list(
            scope.order_by("next_attempt_at")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        PushMessage.objects.filter(id__in=ids, status=PushMessage.Status.PENDING).update(
            status=PushMessage.Status.SENDING, attempts=F("attempts") + 1, updated_at=now
        )
    return list(PushMessage.objects.filter(id__in=ids).select_related("notification", "device"))


def _release(batch: list[PushMessage], reason: str, counts: PushCounts) -> None:
    """Back to `pending` for the retry job, later each time; failed after PUSH_MAX_ATTEMPTS."""
    now = timezone.now()
    for message in batch:
        message.updated_at = now
        if message.attempts >= settings.PUSH_MAX_ATTEMPTS:
            message.status, message.error = PushMessage.Status.ERROR, f"gave_up_{reason}"[:100]
            counts.failed += 1
        else:
            message.status, message.error = PushMessage.Status.PENDING, reason[:100]
            delay = min(60 * 2 ** (message.attempts - 1), 3600)
            message.next_attempt_at = now + timedelta(seconds=delay)
            counts.retrying += 1
    PushMessage.objects.bulk_update(batch, ["status", "error", "next_attempt_at", "updated_at"])


def _record_tickets(batch, tickets, counts: PushCounts) -> None:
    now = timezone.now()
    for message, ticket in zip(batch, tickets, strict=True):
        error = (ticket.details or {}).get("error") or ""
        if ticket.is_success():
            message.status, message.ticket_id, message.sent_at = "ok", ticket.id or "", now
            message.error = ""
            counts.sent += 1
        elif error == PushTicket.ERROR_MESSAGE_RATE_EXCEEDED:
            _release([message], error, counts)  # too many to this device right now: later
            continue
        else:
            message.status, message.error = PushMessage.Status.ERROR, (error or "error")[:100]
            counts.failed += 1
            if error == DEVICE_NOT_REGISTERED:
                counts.devices_removed += remove_dead_device(token=message.token, sent_at=now)
        message.save(update_fields=["status", "ticket_id", "sent_at", "error", "updated_at"])


def _settle(notification_ids) -> None:
    """A notification is sent once any device took it, failed once none can, else pending."""
    for notification_id in set(notification_ids):
        states = set(
            PushMessage.objects.filter(notification_id=notification_id).values_list(
                "status", flat=True
            )
        )
        if PushMessage.Status.OK in states:
            status = Notification.Status.SENT
        elif PushMessage.Status.LOGGED in states:
            status = Notification.Status.LOGGED
        elif states & {PushMessage.Status.PENDING, PushMessage.Status.SENDING}:
            status = Notification.Status.PENDING
        else:
            status = Notification.Status.FAILED
        Notification.objects.filter(pk=notification_id).update(status=status)


def _log_instead(batch: list[PushMessage], counts: PushCounts) -> None:
    for message in batch:
        n = message.notification
        logger.info(
            "push (not configured, logged instead): user=%s kind=%s title=%r body=%r data=%s",
            n.user_id,
            n.kind,
            n.title,
            n.body,
            n.data,
        )
        message.status = PushMessage.Status.LOGGED
        counts.logged += 1
    PushMessage.objects.bulk_update(batch, ["status", "updated_at"])


def _fail_interrupted(now) -> int:
    """Messages a dead worker left mid-request: Expo may have them, so they are not resent."""
    stuck = PushMessage.objects.filter(
        status=PushMessage.Status.SENDING, updated_at__lt=now - SENDING_STALE_AFTER
    )
    notification_ids = list(stuck.values_list("notification_id", flat=True))
    failed = stuck.update(status=PushMessage.Status.ERROR, error="interrupted", updated_at=now)
    _settle(notification_ids)
    return failed


def _drop_unreachable(batch: list[PushMessage], counts: PushCounts) -> list[PushMessage]:
    """Messages whose device was removed, or now belongs to someone else, are not sent (a
    retry of yesterday's reminder must not reach a phone its person logged out of)."""
    keep = []
    for message in batch:
        device = message.device
        if device is not None and device.user_id == message.notification.user_id:
            keep.append(message)
            continue
        message.status, message.error = PushMessage.Status.ERROR, "device_removed"
        message.save(update_fields=["status", "error", "updated_at"])
        counts.failed += 1
    return keep


def push_send_pending(*, notification_ids=None) -> PushCounts:
    """Send the pending messages that are due (only those of `notification_ids` if given)."""
    counts = PushCounts()
    counts.failed += _fail_interrupted(timezone.now())
    client = _client() if settings.EXPO_PUSH_ENABLED else None
    while claimed := _claim(
        now=timezone.now(), notification_ids=notification_ids, limit=BATCH_SIZE
    ):
        batch = _drop_unreachable(claimed, counts)
        if not batch:
            pass
        elif client is None:
            _log_instead(batch, counts)
        else:
            expo_messages = [
                _Message(
                    to=m.token,
                    title=m.notification.title,
                    body=m.notification.body,
                    data=m.notification.data,
                    category=m.notification.category or None,
                    sound="default",
                    priority="high",
                )
                for m in batch
            ]
            try:
                tickets = _publish_with_retries(client, expo_messages)
            except _Retryable as exc:
                logger.warning("push: Expo still answers %s; %d wait", exc.reason, len(batch))
                _release(batch, exc.reason, counts)
                _settle(m.notification_id for m in claimed)
                break  # Expo is unwell: the rest stays pending for the retry job
            except _Failed as exc:
                logger.error("push: sending failed (%s) for %d messages", exc.reason, len(batch))
                PushMessage.objects.filter(id__in=[m.id for m in batch]).update(
                    status=PushMessage.Status.ERROR, error=exc.reason[:100]
                )
                counts.failed += len(batch)
            else:
                _record_tickets(batch, tickets, counts)
        _settle(m.notification_id for m in claimed)
    return counts


def push_check_receipts() -> PushCounts:
    """Read the receipts of messages Expo accepted at least 15 minutes ago."""
    counts = PushCounts()
    now = timezone.now()
    due = list(
        PushMessage.objects.filter(
            status=PushMessage.Status.OK, receipt_status="", sent_at__lte=now - RECEIPT_DELAY
        )
        .exclude(ticket_id="")
        .order_by("sent_at")[: RECEIPT_BATCH_SIZE * 10]
    )
    if not due or not settings.EXPO_PUSH_ENABLED:
        return counts
    client = _client()
    for start in range(0, len(due), RECEIPT_BATCH_SIZE):
        chunk = due[start : start + RECEIPT_BATCH_SIZE]
        by_ticket = {m.ticket_id: m for m in chunk}
        try:
            receipts = _expo_call(
                lambda c=chunk: client.check_receipts_multiple(
                    [SimpleTicket(m.ticket_id) for m in c]
                )
            )
        except (_Retryable, _Failed) as exc:
            logger.warning("push: receipts unavailable (%s); next run tries again", exc.reason)
            break
        for receipt in receipts:
            message = by_ticket.pop(receipt.id, None)
            if message is None:
                continue
            error = (receipt.details or {}).get("error") or ""
            if receipt.is_success():
                message.receipt_status = "ok"
                counts.receipts_ok += 1
            else:
                message.receipt_status, message.error = "error", (error or "error")[:100]
                counts.receipts_error += 1
                if error == DEVICE_NOT_REGISTERED:
                    counts.devices_removed += remove_dead_device(
                        token=message.token, sent_at=message.sent_at
                    )
            message.save(update_fields=["receipt_status", "error", "updated_at"])
        for message in by_ticket.values():  # no receipt yet; after a day there will be none
            if message.sent_at <= now - RECEIPT_MAX_AGE:
                message.receipt_status = "expired"
                message.save(update_fields=["receipt_status", "updated_at"])
    return counts


@dataclass
class SimpleTicket:
    """What the SDK's receipt call reads from a ticket: its id."""

    id: str
