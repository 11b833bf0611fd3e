"""A person's data as a zip, written as it is read: `export_chunks(user=...)` yields the
archive's bytes a piece at a time.

Python's zipfile writes to a stream it cannot seek (each entry's sizes go in a data
descriptor after its data), so the archive goes into `_Pipe`, which only collects what was
written until the generator hands it on. Rows come from the database with `.iterator()` in
chunks of CHUNK_ROWS and are written one by one, so what is held at once is a chunk of rows
and up to FLUSH_BYTES of compressed output, whatever the size of the account (measured in
tests/privacy/test_export.py).

Files (docs/accounts.md): `export.json` (what this is), `profile.json`, one JSON array per
kind of row (privacy/selectors.py), `conversations.json` (each with its messages) and
`time_entries.csv`. Date-times are ISO 8601 in UTC ("Z"); dates are the user's local dates.
"""

import csv
import json
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from config.fields import iso_datetime
from privacy import selectors

CHUNK_ROWS = 200
FLUSH_BYTES = 64 * 1024
FORMAT_VERSION = 1
TIME_ENTRY_COLUMNS = ("date", "task", "category", "start", "end", "seconds", "task_id")


class _Pipe:
    """A write-only, unseekable file: ZipFile writes into it, the generator empties it."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self.pending = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self.pending += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.pending = 0
        return data


def _plain(value):
    if isinstance(value, datetime):
        return iso_datetime(value, UTC)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):  # a day plan's working hours
        return value.isoformat(timespec="minutes")
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    raise TypeError(f"cannot export a {type(value).__name__}")


def _json(value) -> bytes:
    return json.dumps(value, default=_plain, ensure_ascii=False).encode()


def export_filename(user: User) -> str:
    return f"export-{user.pk}-{timezone.now():%Y%m%dT%H%M%SZ}.zip"


def export_chunks(*, user: User) -> Iterator[bytes]:
    """The zip of everything `user` has, in pieces of about FLUSH_BYTES."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        kinds = selectors.export_kinds(user=user)
        files = [
            "profile.json",
            *(f"{kind.file}.json" for kind in kinds),
            "conversations.json",
            "time_entries.csv",
        ]
        about = {
            "format": FORMAT_VERSION,
            "exported_at": timezone.now(),
            "user_id": user.pk,
            "files": files,
        }
        archive.writestr("export.json", _json(about))
        archive.writestr("profile.json", _json(selectors.profile(user=user)))
        for kind in kinds:
            yield from _json_array(archive, pipe, f"{kind.file}.json", kind.queryset)
        yield from _conversations(archive, pipe, user)
        yield from _time_entries(archive, pipe, user)
    yield pipe.take()


def _json_array(archive, pipe, name, rows) -> Iterator[bytes]:
    with archive.open(name, "w", force_zip64=True) as out:
        out.write(b"[")
        for n, row in enumerate(rows.iterator(chunk_size=CHUNK_ROWS)):
            out.write(b",\n" if n else b"\n")
            out.write(_json(row))
            if pipe.pending >= FLUSH_BYTES:
                yield pipe.take()
        out.write(b"\n]\n")


def _conversations(archive, pipe, user) -> Iterator[bytes]:
    """Each conversation with its messages: two reads in the same order (by conversation id),
    walked side by side."""
    messages = selectors.messages_by_conversation(user=user).iterator(chunk_size=CHUNK_ROWS)
    message = next(messages, None)
    with archive.open("conversations.json", "w", force_zip64=True) as out:
        out.write(b"[")
        conversations = selectors.conversations(user=user).iterator(chunk_size=CHUNK_ROWS)
        for n, conversation in enumerate(conversations):
            out.write(b",\n" if n else b"\n")
            out.write(_json(conversation)[:-1] + b', "messages": [')
            written = 0
            while message is not None and message["conversation_id"] <= conversation["id"]:
                if message["conversation_id"] == conversation["id"]:
                    out.write(b", " if written else b"")
                    out.write(_json(message))
                    written += 1
                message = next(messages, None)
                if pipe.pending >= FLUSH_BYTES:
                    yield pipe.take()
            out.write(b"]}")
        out.write(b"\n]\n")


class _Line:
    """csv.writer's target: one row at a time."""

    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


def _time_entries(archive, pipe, user) -> Iterator[bytes]:
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    tz = user.tz
    with archive.open("time_entries.csv", "w", force_zip64=True) as out:
        writer.writerow(TIME_ENTRY_COLUMNS)
        rows = selectors.time_entries(user=user).iterator(chunk_size=CHUNK_ROWS)
        for row in rows:
            writer.writerow(
                (
                    row["segment_start"].astimezone(tz).date().isoformat(),
                    row["task_title"],
                    row["category_name"] or "",
                    iso_datetime(row["segment_start"], UTC),
                    iso_datetime(row["segment_end"], UTC),
                    row["duration_seconds"],
                    str(row["task_id"]),
                )
            )
            out.write(line.text.encode())
            line.text = ""
            if pipe.pending >= FLUSH_BYTES:
                yield pipe.take()
        out.write(line.text.encode())  # the header, for an account with no entries
