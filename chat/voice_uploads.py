"""How many voice messages one user may have in flight at once.

A voice upload may be 25 MiB (VOICE_MAX_BODY_BYTES); a user sending twenty at once, each
within the daily allowance, made the `ws` container hold them all. `voice_upload_slot` is
taken before the body is read (chat/views.py) and held until the answer is sent: at most
VOICE_MAX_CONCURRENT_UPLOADS per user, across every process, else 429
`voice_uploads_in_progress`.

The slots are cache keys (`add` is atomic in Redis and in the local-memory cache), one per
slot, expiring after the longest a voice request can take in case a process dies holding
one. With the cache (Redis) away, uploads are not counted: like the throttles, the limit
fails open rather than refusing every voice message (config/outage.py).
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

from chat.errors import VoiceUploadsInProgress
from config.throttle_counters import fail_open

_UNCOUNTED = object()
# Beyond the transcription and the turn's own limits: the upload itself, and the database.
_SLACK_SECONDS = 60


def _slot_seconds() -> int:
    transcription = settings.DEEPGRAM_TIMEOUT_SECONDS * (settings.DEEPGRAM_MAX_RETRIES + 1)
    return int(transcription + settings.ASSISTANT_TURN_TIMEOUT_SECONDS + _SLACK_SECONDS)


def _claim(user_id, limit: int, seconds: int, holder: str) -> str | None:
    for index in range(limit):
        key = f"voice-upload:{user_id}:{index}"
        if cache.add(key, holder, seconds):
            return key
    return None


def _release(key: str, holder: str) -> None:
    # Only a slot this request still holds: one that outlived its expiry may have been claimed
    # by another upload since, whose slot deleting it would free.
    if cache.get(key) == holder:
        cache.delete(key)


@contextmanager
def voice_upload_slot(*, user) -> Iterator[None]:
    """Hold one of the user's voice upload slots for the block; raises VoiceUploadsInProgress
    when all are taken. VOICE_MAX_CONCURRENT_UPLOADS=0 turns the limit off."""
    limit = settings.VOICE_MAX_CONCURRENT_UPLOADS
    if limit <= 0:
        yield
        return
    holder = uuid.uuid4().hex
    key = fail_open.run(_claim, user.pk, limit, _slot_seconds(), holder, default=_UNCOUNTED)
    if key is None:
        raise VoiceUploadsInProgress()
    try:
        yield
    finally:
        if key is not _UNCOUNTED:
            fail_open.run(_release, key, holder)
