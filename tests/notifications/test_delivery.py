"""accounts/push.py against the fake Expo server: batches, tickets, receipts, retries."""

import logging
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Device, Notification, PushMessage
from accounts.notifications import notification_create, send_test_push
from accounts.push import push_check_receipts, push_send_pending
from notifications.tasks import check_push_receipts, retry_pending_pushes
from tests.notifications.conftest import push_lines

pytestmark = pytest.mark.django_db


def queue(user, key="k1", kind="summary_ready"):
    outcome, notification = notification_create(
        user=user,
        kind=kind,
        dedupe_key=key,
        title="Tu resumen está listo",
        body="Mira cómo te fue el día.",
        data={"type": "summary_ready", "screen": "summary", "date": "2026-12-01"},
    )
    assert outcome == "queued"
    return notification


def test_a_notification_reaches_every_device_with_its_data(fake_expo, user, add_device):
    phone, tablet = add_device(user), add_device(user, platform="android")
    notification = queue(user)

    counts = push_send_pending()

    assert counts.sent == 2
    assert sorted(m["to"] for m in fake_expo.delivered) == sorted(
        [phone.expo_push_token, tablet.expo_push_token]
    )
    message = fake_expo.delivered[0]
    assert message["title"] == "Tu resumen está listo"
    assert message["data"] == {"type": "summary_ready", "screen": "summary", "date": "2026-12-01"}
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert all(m.ticket_id and m.status == "ok" for m in notification.messages.all())
    assert "authorization" not in fake_expo.sends()[0].headers


def test_messages_go_in_batches_of_at_most_100(fake_expo, user, add_device):
    for _ in range(150):
        add_device(user)
    queue(user)

    counts = push_send_pending()

    assert [len(r.body) for r in fake_expo.sends()] == [100, 50]
    assert counts.sent == 150
    assert len({m["to"] for m in fake_expo.delivered}) == 150


def test_device_not_registered_in_a_ticket_removes_the_device(fake_expo, user, add_device):
    dead, alive = add_device(user), add_device(user)
    fake_expo.unregistered.add(dead.expo_push_token)
    notification = queue(user)

    counts = push_send_pending()

    assert counts.devices_removed == 1
    assert counts.failed == 1 and counts.sent == 1
    assert list(Device.objects.all()) == [alive]
    dead_message = notification.messages.get(token=dead.expo_push_token)
    assert dead_message.error == "DeviceNotRegistered"
    assert dead_message.device is None  # the record of the attempt stays
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


def test_other_ticket_errors_fail_that_message_and_keep_the_device(fake_expo, user, add_device):
    device = add_device(user)
    fake_expo.ticket_errors[device.expo_push_token] = "MessageTooBig"
    notification = queue(user)

    counts = push_send_pending()

    assert counts.failed == 1 and counts.devices_removed == 0
    assert Device.objects.filter(pk=device.pk).exists()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED


def _age_tickets(minutes: int) -> None:
    """As if the messages went out `minutes` ago (and the devices registered before that)."""
    sent_at = timezone.now() - timedelta(minutes=minutes)
    PushMessage.objects.update(sent_at=sent_at)
    Device.objects.update(last_registered_at=sent_at - timedelta(minutes=1))


def test_device_not_registered_in_a_receipt_removes_the_device_later(
    fake_expo, user, add_device, caplog
):
    dead, alive = add_device(user), add_device(user)
    fake_expo.receipt_errors[dead.expo_push_token] = "DeviceNotRegistered"
    queue(user)
    push_send_pending()
    assert Device.objects.count() == 2  # tickets were ok: Expo only knows later

    assert push_check_receipts().receipts_ok == 0  # too early: receipts wait 15 minutes
    assert fake_expo.receipt_requests() == []

    _age_tickets(16)
    with caplog.at_level(logging.INFO, logger="accounts.push"):
        check_push_receipts.enqueue()

    assert list(Device.objects.all()) == [alive]
    statuses = dict(PushMessage.objects.values_list("token", "receipt_status"))
    assert statuses == {dead.expo_push_token: "error", alive.expo_push_token: "ok"}
    [line] = push_lines(caplog, "check_push_receipts")
    assert "devices_removed=1" in line and "receipts_ok=1" in line and "receipts_error=1" in line
    check_push_receipts.enqueue()
    assert len(fake_expo.receipt_requests()) == 1  # each receipt is read once


def test_a_device_registered_again_after_the_message_is_kept(fake_expo, user, add_device):
    device = add_device(user)
    fake_expo.receipt_errors[device.expo_push_token] = "DeviceNotRegistered"
    queue(user)
    push_send_pending()
    _age_tickets(30)
    Device.objects.filter(pk=device.pk).update(last_registered_at=timezone.now())

    push_check_receipts()

    assert Device.objects.filter(pk=device.pk).exists()


def test_receipts_unavailable_are_asked_again_next_run(fake_expo, user, add_device):
    add_device(user)
    queue(user)
    push_send_pending()
    _age_tickets(20)
    fake_expo.fail_next_receipts(503)

    assert push_check_receipts().receipts_ok == 0
    assert push_check_receipts().receipts_ok == 1


def test_expo_429_is_retried_with_backoff_and_delivered_once(
    fake_expo, settings, user, add_device, caplog
):
    settings.PUSH_RETRY_DELAYS = [0.05, 0.1]
    device = add_device(user)
    fake_expo.fail_next(429, times=2)
    queue(user)

    counts = push_send_pending()

    sends = fake_expo.sends()
    assert len(sends) == 3
    assert sends[1].at - sends[0].at >= 0.05
    assert sends[2].at - sends[1].at >= 0.1
    assert counts.sent == 1
    assert [m["to"] for m in fake_expo.delivered] == [device.expo_push_token]
    with caplog.at_level(logging.INFO, logger="accounts.push"):
        retry_pending_pushes.enqueue()
    assert len(fake_expo.sends()) == 3  # nothing left to send: never twice
    [line] = push_lines(caplog, "retry_pending_pushes")
    assert "sent=0" in line


def test_retry_after_is_honoured(fake_expo, user, add_device):
    add_device(user)
    fake_expo.fail_next(429, retry_after=1)
    queue(user)

    push_send_pending()

    first, second = fake_expo.sends()
    assert second.at - first.at >= 1.0
    assert len(fake_expo.delivered) == 1


@pytest.mark.parametrize("json_body", [True, False], ids=["json-errors", "html"])
def test_expo_5xx_beyond_the_retries_waits_for_the_retry_job_then_sends_once(
    fake_expo, user, add_device, caplog, json_body
):
    device = add_device(user)
    fake_expo.fail_next(503, times=3, json_body=json_body)  # the first try and both retries
    notification = queue(user)

    counts = push_send_pending()

    assert counts.sent == 0 and counts.retrying == 1
    assert fake_expo.delivered == []
    message = notification.messages.get()
    assert message.status == "pending" and message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING  # not lost

    push_send_pending()
    assert len(fake_expo.sends()) == 3  # not due yet

    PushMessage.objects.update(next_attempt_at=timezone.now())
    with caplog.at_level(logging.INFO, logger="accounts.push"):
        retry_pending_pushes.enqueue()
        retry_pending_pushes.enqueue()

    assert [m["to"] for m in fake_expo.delivered] == [device.expo_push_token]
    assert len(fake_expo.sends()) == 4
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    lines = push_lines(caplog, "retry_pending_pushes")
    assert "sent=1" in lines[0] and "sent=0" in lines[1]


def test_an_answer_that_never_comes_is_not_resent(fake_expo, settings, user, add_device):
    # Expo may well have taken the batch: sending it again could put it twice on the phone.
    settings.EXPO_TIMEOUT_SECONDS = 0.3
    add_device(user)
    fake_expo.delay_next_send = 2.0
    notification = queue(user)

    counts = push_send_pending()
    PushMessage.objects.update(next_attempt_at=timezone.now())
    push_send_pending()

    assert counts.failed == 1
    assert len(fake_expo.sends()) == 1
    assert notification.messages.get().error == "readtimeout"


def test_no_connection_is_retried_and_the_message_kept(fake_expo, settings, user, add_device):
    fake_expo.stop()
    settings.EXPO_BASE_URL = fake_expo.origin  # nothing listens there any more
    add_device(user)
    notification = queue(user)

    counts = push_send_pending()

    assert counts.retrying == 1
    message = notification.messages.get()
    assert message.status == "pending" and message.error == "connection_error"


def test_a_message_expo_keeps_refusing_fails_after_the_last_attempt(
    fake_expo, settings, user, add_device
):
    settings.PUSH_RETRY_DELAYS = []
    settings.PUSH_MAX_ATTEMPTS = 2
    add_device(user)
    fake_expo.fail_next(500, times=2)
    notification = queue(user)

    push_send_pending()
    PushMessage.objects.update(next_attempt_at=timezone.now())
    counts = push_send_pending()

    assert counts.failed == 1
    assert notification.messages.get().error == "gave_up_http_500"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED


def test_a_refused_access_token_fails_without_retrying(fake_expo, settings, user, add_device):
    fake_expo.access_token = "right-token"
    settings.EXPO_ACCESS_TOKEN = "wrong-token"
    add_device(user)
    notification = queue(user)

    counts = push_send_pending()

    assert counts.failed == 1
    assert len(fake_expo.sends()) == 1
    assert notification.messages.get().error == "UNAUTHORIZED_401"


def test_the_access_token_is_sent_as_bearer(fake_expo, settings, user, add_device):
    fake_expo.access_token = "expo-access-token"
    settings.EXPO_ACCESS_TOKEN = "expo-access-token"
    add_device(user)
    queue(user)

    assert push_send_pending().sent == 1
    assert fake_expo.sends()[0].headers["authorization"] == "Bearer expo-access-token"


def test_a_waiting_message_does_not_follow_a_removed_or_moved_device(
    fake_expo, user, other_user, add_device
):
    removed, moved = add_device(user), add_device(user)
    fake_expo.fail_next(503, times=3)
    notification = queue(user)
    push_send_pending()  # Expo is down: both wait
    removed.delete()  # the person logged out of that phone
    moved.user = other_user  # someone else logged in on this one
    moved.save()
    PushMessage.objects.update(next_attempt_at=timezone.now())

    counts = push_send_pending()

    assert fake_expo.delivered == []
    assert counts.failed == 2
    assert set(notification.messages.values_list("error", flat=True)) == {"device_removed"}
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED


def test_messages_left_mid_send_by_a_dead_worker_are_not_resent(fake_expo, user, add_device):
    add_device(user)
    notification = queue(user)
    PushMessage.objects.update(status="sending", updated_at=timezone.now() - timedelta(minutes=11))

    counts = push_send_pending()

    assert counts.failed == 1
    assert fake_expo.sends() == []
    assert notification.messages.get().error == "interrupted"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED


def test_without_configuration_notifications_are_logged_not_sent(
    settings, user, add_device, caplog
):
    settings.EXPO_PUSH_ENABLED = False
    settings.EXPO_BASE_URL = "http://127.0.0.1:9"  # nothing listens: a request would fail
    add_device(user)
    notification = queue(user)

    with caplog.at_level(logging.INFO, logger="accounts.push"):
        counts = push_send_pending()

    assert counts.logged == 1 and counts.sent == 0
    assert any("Tu resumen está listo" in r.getMessage() for r in caplog.records)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.LOGGED


def test_send_test_push_ignores_quiet_hours_and_the_cap(fake_expo, settings, user, add_device):
    settings.PUSH_MAX_PER_DAY = 0
    user.preferences = {"quiet_hours": {"start": "00:00", "end": "23:59"}}
    user.save()
    add_device(user)

    outcome, counts = send_test_push(user=user)

    assert outcome == "queued" and counts.sent == 1
    assert fake_expo.delivered[0]["title"] == "Notificación de prueba"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_never_send_a_message_twice(fake_expo, make_user, add_device):
    user = make_user(email="muchos@example.com")
    for _ in range(250):
        add_device(user)
    queue(user)
    barrier = threading.Barrier(3)
    results, errors = [], []

    def sender():
        try:
            barrier.wait()
            results.append(push_send_pending())
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    tokens = [m["to"] for m in fake_expo.delivered]
    assert len(tokens) == 250 == len(set(tokens))
    assert sum(r.sent for r in results) == 250
