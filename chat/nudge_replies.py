"""Reading a short answer to "did you stop at 18:10?" without a model.

When no model is configured, a reply in a forgotten-timer conversation is read with this small
grammar (docs/assistant.md, "Nudges"), in this order:

1. **A time** anywhere in the text: `18:10`, `18.10`, `18h10`, `6:10 pm`, `a las 18`, `at 6pm`,
   `a las 6 de la tarde`. It is the moment the timer really stopped. An hour from 1 to 12
   without `am`/`pm` or `de la mañana|tarde|noche` is whichever of its two readings (morning
   or evening) came last before now, so "a las 6" said at 20:00 is 18:00.
2. **Still working**: `sigo`, `sigue`, `todavía`, `aún`, `continúo`, `still`, or the phrases
   `no he parado`, `no paré`, `not yet`, `keep going`, `haven't stopped`.
3. **Yes** (and no "no"): `sí`, `si`, `yes`, `yep`, `yeah`, `ok`, `okay`, `vale`, `claro`,
   `correcto`, `exacto`, `eso`, `sure`, `right`, `correct`: it stopped at the time asked.
4. **No** alone (`no`, `nope`, `n`): the assistant asks whether they are still working or
   stopped at another time.
5. Anything else: the assistant says which answers it understands.

Case, accents and punctuation do not matter.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time

from config.localtime import latest_wall_clock_instant

YES, STILL, TIME, NO, UNCLEAR = "yes", "still", "time", "no", "unclear"

_YES = {"si", "yes", "yep", "yeah", "ok", "okay", "vale", "claro", "correcto"}
_YES |= {"exacto", "eso", "sure", "right", "correct"}
_NO = {"no", "nope", "n"}
_STILL = {"sigo", "sigue", "todavia", "aun", "continuo", "still"}
_STILL_PHRASES = ("no he parado", "no pare", "not yet", "keep going", "haven't stopped")
_STILL_PHRASES += ("have not stopped", "havent stopped")

_PART_OF_DAY = r"(?:\s*(am|pm|a\.\s?m\.|p\.\s?m\.)|\s+de\s+la\s+(manana|tarde|noche))?"
_CLOCK = re.compile(r"\b([01]?\d|2[0-3])\s*[:.h]\s*([0-5]\d)\b" + _PART_OF_DAY)
_HOUR = re.compile(
    r"\b(?:a\s+las?|at|sobre\s+las?|hacia\s+las?)\s+([01]?\d|2[0-3])(?:\s*h\b)?" + _PART_OF_DAY
)
_HOUR_MERIDIEM = re.compile(r"\b(1[0-2]|0?[1-9])\s*(am|pm)\b")


@dataclass(frozen=True)
class Reading:
    intent: str
    stopped_at: datetime | None = None  # for TIME


def normalized(text: str) -> str:
    """Lower case without accents: "Sí, SIGO" -> "si, sigo"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text))


def _hour(hour: int, meridiem: str | None, part: str | None) -> tuple[int, bool]:
    """The hour on a 24-hour clock, and whether it is still ambiguous (morning or evening)."""
    pm = (meridiem or "").startswith("p") or part in ("tarde", "noche")
    am = (meridiem or "").startswith("a") or part == "manana"
    if pm and hour < 12:
        return hour + 12, False
    if am and hour == 12:
        return 0, False
    return hour, not (pm or am) and 1 <= hour <= 12


def _time(text: str) -> tuple[int, int, bool] | None:
    match = _CLOCK.search(text)
    if match:
        hour, ambiguous = _hour(int(match[1]), match[3], match[4])
        return hour, int(match[2]), ambiguous
    match = _HOUR.search(text) or _HOUR_MERIDIEM.search(text)
    if match:
        groups = match.groups()
        meridiem = groups[1] if len(groups) > 1 else None
        part = groups[2] if len(groups) > 2 else None
        hour, ambiguous = _hour(int(groups[0]), meridiem, part)
        return hour, 0, ambiguous
    return None


def _moment(hour: int, minute: int, ambiguous: bool, *, tz, now: datetime) -> datetime:
    readings = [time(hour, minute)]
    if ambiguous:
        readings.append(time((hour + 12) % 24, minute))
    return max(latest_wall_clock_instant(at, tz, now) for at in readings)


def read_reply(text: str, *, tz, now: datetime) -> Reading:
    """What a short answer to a forgotten-timer question says (the grammar above)."""
    text = normalized(text)
    found = _time(text)
    if found is not None:
        return Reading(TIME, _moment(*found, tz=tz, now=now))
    words = _words(text)
    if words & _STILL or any(phrase in text for phrase in _STILL_PHRASES):
        return Reading(STILL)
    yes, no = bool(words & _YES), bool(words & _NO)
    if yes and not no:
        return Reading(YES)
    if no and not yes:
        return Reading(NO)
    return Reading(UNCLEAR)
