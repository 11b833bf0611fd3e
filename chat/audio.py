"""Is this upload a recording at all? Its first bytes answer, before it is paid for.

A voice upload is sent to a paid transcription service, so bytes that are not in a known
audio container are refused (400 `invalid_audio`) without asking it. The check reads the
container's signature (magic numbers), not the file name or the client's Content-Type, which
anyone can set. It does not decode the audio: a file with a valid header and garbage after it
still goes to Deepgram, which answers `invalid_audio` itself.

Recognised (what phones and browsers record, and what Deepgram decodes):

| container | signature |
|---|---|
| WAV | `RIFF` (or `RF64`) ... `WAVE` at byte 8 |
| MP3 | an `ID3` v2 tag followed by a frame, or an MPEG audio frame header (11 sync bits, |
|     | a valid version, layer, bit rate and sample rate) |
| AAC (ADTS) | the same sync with layer 00, as Android's AAC_ADTS recorder writes |
| Ogg (Opus, Vorbis, FLAC in Ogg) | `OggS` |
| WebM / Matroska | the EBML magic `1A 45 DF A3` |
| MP4 / M4A / 3GP / MOV | a `ftyp` box at byte 4 |
| FLAC | `fLaC` (an ID3 tag before it is tolerated, as for MP3) |
"""

from __future__ import annotations

from typing import BinaryIO

# Enough for every signature below (and an ID3 header).
HEADER_BYTES = 16
# How far past an ID3 tag the first frame is looked for (encoders pad tags with zeros).
ID3_TAIL_BYTES = 4096


def _mpeg_frame(head: bytes) -> str | None:
    """'mp3' or 'aac' when `head` starts with a plausible MPEG audio / ADTS frame header."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    version = (head[1] >> 3) & 0b11
    layer = (head[1] >> 1) & 0b11
    if layer == 0b00:
        # ADTS (AAC): MPEG-4/2 id bit, layer 00, a sampling index below 13.
        return "aac" if head[1] & 0xF6 == 0xF0 and (head[2] >> 2) & 0x0F < 13 else None
    bitrate = head[2] >> 4
    sample_rate = (head[2] >> 2) & 0b11
    if version == 0b01 or bitrate in (0b0000, 0b1111) or sample_rate == 0b11:
        return None  # reserved version, free/bad bit rate, reserved sample rate
    return "mp3"


def _id3_size(head: bytes) -> int | None:
    """The length of a leading ID3v2 tag (header included), or None when there is none."""
    if len(head) < 10 or head[:3] != b"ID3" or head[3] == 0xFF or head[4] == 0xFF:
        return None
    size_bytes = head[6:10]
    if any(b & 0x80 for b in size_bytes):  # "syncsafe" integers never set the top bit
        return None
    size = 0
    for b in size_bytes:
        size = (size << 7) | b
    footer = 10 if head[5] & 0x10 else 0
    return 10 + size + footer


def container(data: bytes) -> str | None:
    """The audio container `data` starts with ('wav', 'mp3', 'aac', 'ogg', 'webm', 'mp4',
    'flac'), or None when it is none of them."""
    head = data[:HEADER_BYTES]
    tag = _id3_size(head)
    return _container(head, data[tag : tag + ID3_TAIL_BYTES] if tag is not None else b"")


def file_container(file: BinaryIO) -> str | None:
    """`container()` of an uploaded file, reading only the bytes the signatures need (at most
    HEADER_BYTES, and ID3_TAIL_BYTES after an ID3 tag), not the whole recording."""
    file.seek(0)
    head = file.read(HEADER_BYTES)
    tag = _id3_size(head)
    after = b""
    if tag is not None:
        file.seek(tag)
        after = file.read(ID3_TAIL_BYTES)
    file.seek(0)
    return _container(head, after)


def _container(head: bytes, after_tag: bytes) -> str | None:
    """The container from the first HEADER_BYTES, and the bytes after an ID3 tag when `head`
    starts with one."""
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"fLaC":
        return "flac"
    if _id3_size(head) is not None:
        # A tag is metadata, not sound: what follows it must be audio (an empty MP3 with
        # only a tag, or a tag in front of a text file, is refused). A tag may also precede
        # FLAC.
        # Encoders may pad the tag with zero bytes before the first frame.
        after = after_tag.lstrip(b"\x00")[:HEADER_BYTES]
        if after[:4] == b"fLaC":
            return "flac"
        return "mp3" if _mpeg_frame(after) else None
    return _mpeg_frame(head)


def is_audio_file(file: BinaryIO) -> bool:
    return file_container(file) is not None
