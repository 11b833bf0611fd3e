"""The words of a daily summary: a template in the user's language, or the model's prompt.

Both read only the stats dict (`summaries.selectors.day_stats`), so a summary can say nothing
the figures do not: the template by construction, the model because the prompt hands it the
figures alone and tells it to stick to them.
"""

import json
import logging

from asgiref.sync import async_to_sync

from config import llm

logger = logging.getLogger(__name__)

LANGUAGES = ("es", "en")

_WORDS = {
    "es": {
        "nothing": "Ese día no se registró actividad: ni tareas, ni tiempo, ni check-ins.",
        "tasks": "Completaste {completed} {completed_tasks} y creaste {created} {created_tasks}.",
        "task": ("tarea", "tareas"),
        "no_tasks": "No completaste ni creaste tareas.",
        "time": "Registraste {time} de trabajo",
        "time_by": ", sobre todo en {top} ({top_time})",
        "no_time": "No registraste tiempo en tareas.",
        "vs": "Tu media de los 7 días anteriores es {avg}.",
        "goals": "Avanzaste en {goals}.",
        "checkins": "Ánimo medio {mood}/5 y energía media {energy}/5 en {n} {checkins}.",
        "checkin": ("check-in", "check-ins"),
        "running": "El temporizador de «{title}» sigue en marcha.",
    },
    "en": {
        "nothing": "No activity was recorded that day: no tasks, no time, no check-ins.",
        "tasks": "You completed {completed} {completed_tasks} and created {created} "
        "{created_tasks}.",
        "task": ("task", "tasks"),
        "no_tasks": "You completed and created no tasks.",
        "time": "You tracked {time} of work",
        "time_by": ", mostly on {top} ({top_time})",
        "no_time": "You tracked no time on tasks.",
        "vs": "Your average over the previous 7 days is {avg}.",
        "goals": "You made progress on {goals}.",
        "checkins": "Average mood {mood}/5 and energy {energy}/5 over {n} {checkins}.",
        "checkin": ("check-in", "check-ins"),
        "running": "The timer on “{title}” is still running.",
    },
}


def language_of(user) -> str:
    return user.language if user.language in LANGUAGES else LANGUAGES[0]


def duration(seconds: int) -> str:
    """3h 05m, 45m, 0m: the same in both languages."""
    hours, minutes = divmod(int(seconds) // 60, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def _plural(count: int, forms: tuple[str, str]) -> str:
    return forms[0] if count == 1 else forms[1]


def _number(value: str) -> str:
    """A decimal as a person writes it: "2.50" -> "2.5", "3.00" -> "3"."""
    text = value.rstrip("0").rstrip(".") if "." in value else value
    return text or "0"


def _amount(goal: dict) -> str:
    return " ".join(part for part in (_number(goal["total"]), goal["unit"]) if part)


def template_text(stats: dict, language: str) -> str:
    """A short plain summary of `stats` in `language` ("es" or "en")."""
    words = _WORDS[language if language in _WORDS else LANGUAGES[0]]
    tasks, tracked = stats["tasks"], stats["tracked_seconds"]
    checkins, goals = stats["check_ins"], stats["goal_progress"]
    if not (
        tasks["created"]
        or tasks["completed"]
        or tracked["total"]
        or checkins["count"]
        or goals
        or stats.get("running_timer")
    ):
        return words["nothing"]
    if tasks["created"] or tasks["completed"]:
        lines = [
            words["tasks"].format(
                completed=tasks["completed"],
                completed_tasks=_plural(tasks["completed"], words["task"]),
                created=tasks["created"],
                created_tasks=_plural(tasks["created"], words["task"]),
            )
        ]
    else:
        lines = [words["no_tasks"]]
    if tracked["total"]:
        line = words["time"].format(time=duration(tracked["total"]))
        top = tracked["by_category"][0] if tracked["by_category"] else None
        if top and top["name"]:
            line += words["time_by"].format(top=top["name"], top_time=duration(top["seconds"]))
        lines.append(line + ".")
    else:
        lines.append(words["no_time"])
    baseline = stats.get("baseline")
    if baseline and baseline["tracked_seconds_avg"]:
        lines.append(words["vs"].format(avg=duration(baseline["tracked_seconds_avg"])))
    if goals:
        lines.append(
            words["goals"].format(
                goals=", ".join(f"{goal['title']} (+{_amount(goal)})" for goal in goals)
            )
        )
    if checkins["count"]:
        lines.append(
            words["checkins"].format(
                mood=checkins["mood_avg"],
                energy=checkins["energy_avg"],
                n=checkins["count"],
                checkins=_plural(checkins["count"], words["checkin"]),
            )
        )
    if stats.get("running_timer"):
        lines.append(words["running"].format(title=stats["running_timer"]["title"]))
    return " ".join(lines)


_SYSTEM = {
    "es": (
        "Escribes el resumen diario de una persona en una app de seguimiento personal. "
        "Responde en español, en segunda persona, con 2 a 4 frases cálidas y concretas. "
        "Usa solo las cifras del JSON que te dan; no inventes tareas, nombres, causas ni "
        "datos que no estén ahí. Si el día está vacío, dilo con amabilidad. Los segundos "
        "conviértelos a horas y minutos. Sin listas, sin títulos, sin emojis."
    ),
    "en": (
        "You write a person's daily summary in a personal follow-up app. Answer in English, "
        "in the second person, with 2 to 4 warm, concrete sentences. Use only the figures in "
        "the JSON you are given; do not invent tasks, names, causes or any fact not in it. If "
        "the day is empty, say so kindly. Turn seconds into hours and minutes. No lists, no "
        "headings, no emojis."
    ),
}


def model_messages(stats: dict, language: str, name: str = "") -> list[dict]:
    """The chat messages asking the model for the summary's text, grounded in `stats` only.
    `baseline` holds the 7 days before, for comparison."""
    language = language if language in _SYSTEM else LANGUAGES[0]
    figures = json.dumps(stats, ensure_ascii=False, sort_keys=True)
    who = f"Name: {name}\n" if name else ""
    return [
        {"role": "system", "content": _SYSTEM[language]},
        {"role": "user", "content": f"{who}Day's figures (JSON):\n{figures}"},
    ]


def model_or_template(*, template: str, messages: list[dict], user_id, what: str) -> dict:
    """A text and where it came from: the model's answer to `messages`, or `template` when no
    model is configured or it fails or answers nothing (the fields of DailySummary and
    WeeklyReview: text, model, prompt_tokens, completion_tokens, llm_error). `what` names the
    text in the log line, which holds the user id, never the email, and the upstream's message,
    never the key."""
    fields = {
        "text": template,
        "model": None,
        "prompt_tokens": None,
        "completion_tokens": None,
        "llm_error": "",
    }
    if not llm.is_configured():
        return fields
    try:
        completion = async_to_sync(llm.complete_text)(messages=messages)
    except llm.LLMError as exc:
        logger.warning("%s for user %s fell back to the template: %s", what, user_id, exc)
        fields["llm_error"] = "llm_timeout" if isinstance(exc, llm.LLMTimeout) else "llm_error"
        return fields
    text = completion.text.strip()
    if not text:
        logger.warning("%s for user %s: the model answered nothing", what, user_id)
        fields["llm_error"] = "llm_empty"
        return fields
    return {
        "text": text,
        "model": completion.model or llm.model_name(),
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "llm_error": "",
    }
