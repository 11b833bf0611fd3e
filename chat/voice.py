"""The one seam to speech-to-text: the only module that imports `deepgram`.

`transcribe()` sends the recorded audio to Deepgram's prerecorded API
(`listen.v1.media.transcribe_file`, model `DEEPGRAM_MODEL`, the user's language, smart
formatting) and returns the transcript, or raises one of the voice errors in `chat.errors`.
`DEEPGRAM_BASE_URL` points it at another host (a proxy, or the tests' fake server).

The audio is an uploaded file (a temporary file on disk past FILE_UPLOAD_MAX_MEMORY_SIZE) and
is streamed to Deepgram in AUDIO_CHUNK_BYTES pieces, with its length declared
(`Content-Length`, not a chunked body): a 25 MiB recording is never held whole in memory. The
stream starts over from the first byte when the SDK retries.

The SDK (and httpx, its HTTP client) is imported at the first transcription, not with this
module: every web process imports the URLconf (and so the voice view), and the ones that never
transcribe should not carry them.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings

from chat.errors import InvalidAudio, VoiceTimeout, VoiceUnavailable, VoiceUpstreamError

if TYPE_CHECKING:
    from deepgram import DeepgramClientEnvironment

logger = logging.getLogger(__name__)

# The piece of the recording read and sent at a time.
AUDIO_CHUNK_BYTES = 256 * 1024


@dataclass(frozen=True)
class Transcript:
    text: str
    confidence: float | None
    duration: float | None

    def as_dict(self) -> dict:
        return {"text": self.text, "confidence": self.confidence, "duration": self.duration}


def is_configured() -> bool:
    return bool(settings.DEEPGRAM_API_KEY)


def _environment() -> DeepgramClientEnvironment:
    from deepgram import DeepgramClientEnvironment

    base = (settings.DEEPGRAM_BASE_URL or "").rstrip("/")
    if not base:
        return DeepgramClientEnvironment.PRODUCTION
    websocket = "ws" + base.removeprefix("http")  # http->ws, https->wss
    return DeepgramClientEnvironment(
        base=base, production=websocket, agent=websocket, agent_rest=base
    )


class AudioStream:
    """The request body for Deepgram: `file` from its first byte, piece by piece.

    An async iterable, not an iterator: the SDK sends the same `request` object again when it
    retries, and each `async for` starts over. The reads run in a worker thread: on Daphne this
    coroutine runs on the event loop that serves every socket, and a temporary file read is
    blocking I/O.
    """

    def __init__(self, file: BinaryIO):
        self.file = file
        self.size = file.seek(0, os.SEEK_END)
        file.seek(0)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        await asyncio.to_thread(self.file.seek, 0)
        while chunk := await asyncio.to_thread(self.file.read, AUDIO_CHUNK_BYTES):
            yield chunk


async def transcribe(*, audio: BinaryIO, language: str) -> Transcript:
    """The transcript of the recording in `audio` (a file, read from its start)."""
    if not is_configured():
        raise VoiceUnavailable()
    import httpx
    from deepgram import AsyncDeepgramClient
    from deepgram.core.api_error import ApiError

    timeout = settings.DEEPGRAM_TIMEOUT_SECONDS
    retries = settings.DEEPGRAM_MAX_RETRIES
    async with httpx.AsyncClient(timeout=timeout) as http:
        client = AsyncDeepgramClient(
            api_key=settings.DEEPGRAM_API_KEY,
            environment=_environment(),
            httpx_client=http,
            max_retries=retries,
        )
        try:
            body = AudioStream(audio)
            response = await client.listen.v1.media.transcribe_file(
                request=body,
                model=settings.DEEPGRAM_MODEL,
                language=language,
                smart_format=True,
                # Declared, so httpx sends the stream with a length instead of chunked.
                request_options={"additional_headers": {"Content-Length": str(body.size)}},
            )
        except httpx.TimeoutException as exc:
            logger.warning("deepgram timeout: %s", exc)
            raise VoiceTimeout() from None
        except ApiError as exc:
            logger.warning("deepgram error %s: %s", exc.status_code, exc.body)
            if exc.status_code == 400:
                raise InvalidAudio() from None
            raise VoiceUpstreamError() from None
        except httpx.HTTPError as exc:
            logger.warning("deepgram connection error: %s", exc)
            raise VoiceUpstreamError() from None
    results = getattr(response, "results", None)
    if results is None:
        # A callback-style "accepted" answer: we never ask for one.
        raise VoiceUpstreamError()
    alternatives = results.channels[0].alternatives if results.channels else []
    best = alternatives[0] if alternatives else None
    return Transcript(
        text=(best.transcript or "").strip() if best else "",
        confidence=best.confidence if best else None,
        duration=response.metadata.duration if response.metadata else None,
    )
