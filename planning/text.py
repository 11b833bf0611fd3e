"""The words of a weekly review: a template in the person's language, or the model's prompt.

Both read only the stats dict (`planning.selectors.week_stats`), so a review can say nothing
the figures do not: the template by construction, the model because the prompt hands it the
figures alone and tells it to stick to them. Durations and the language fallback are the daily
summaries' (summaries/text.py), so a review and a summary write time the same way.
"""

import json
from datetime import date
from decimal import Decimal

from summaries.text import LANGUAGES, duration

_MONTHS = {
    "es": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
_WEEKDAYS = {
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}

_WORDS = {
    "es": {
        "week": "Tu semana del {first} al {last}:",
        "nothing": "no se registró actividad: ni tareas, ni tiempo, ni check-ins.",
        "time": "registraste {time} de trabajo",
        "time_vs": " (la semana anterior, {previous})",
        "time_by": ", sobre todo en {top} ({top_time})",
        "no_time": "no registraste tiempo en tareas",
        "busiest": "Tu día con más trabajo fue el {weekday} ({time}).",
        "tasks": "Completaste {completed} {tasks} ({previous} la semana anterior).",
        "task": ("tarea", "tareas"),
        "moved": "Avanzaste en {goals}.",
        "stalled": "Sin avances en {goals}.",
        "and": " y ",
        "checkins": "Ánimo medio {mood}/5 y energía {energy}/5",
        "checkins_vs": " (la semana anterior, {mood} y {energy})",
        "slower": "Tus tareas te llevan {ratio} veces lo que estimas (en {n} tareas).",
        "faster": "Terminas tus tareas en {ratio} veces lo que estimas (en {n} tareas).",
        "on_target": "Tus estimaciones aciertan (en {n} tareas).",
    },
    "en": {
        "week": "Your week from {first} to {last}:",
        "nothing": "no activity was recorded: no tasks, no time, no check-ins.",
        "time": "you tracked {time} of work",
        "time_vs": " (the week before, {previous})",
        "time_by": ", mostly on {top} ({top_time})",
        "no_time": "you tracked no time on tasks",
        "busiest": "Your busiest day was {weekday} ({time}).",
        "tasks": "You completed {completed} {tasks} ({previous} the week before).",
        "task": ("task", "tasks"),
        "moved": "You made progress on {goals}.",
        "stalled": "No progress on {goals}.",
        "and": " and ",
        "checkins": "Average mood {mood}/5 and energy {energy}/5",
        "checkins_vs": " (the week before, {mood} and {energy})",
        "slower": "Your tasks take {ratio} times what you estimate (over {n} tasks).",
        "faster": "You finish your tasks in {ratio} times what you estimate (over {n} tasks).",
        "on_target": "Your estimates hold (over {n} tasks).",
    },
}
# Within this much of 1, an estimate factor says "your estimates hold".
ON_TARGET = Decimal("0.10")


def _language(language: str) -> str:
    return language if language in _WORDS else LANGUAGES[0]


def _number(value, language: str) -> str:
    """2.50 -> "2.5" ("2,5" in Spanish), 3.00 -> "3"."""
    text = f"{Decimal(str(value)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if language == "es" else text


def _day(value: str, language: str) -> str:
    day = date.fromisoformat(value)
    month = _MONTHS[language][day.month - 1]
    return f"{day.day} {month}" if language == "es" else f"{month} {day.day}"


def _amount(goal: dict, language: str) -> str:
    return " ".join(part for part in (_number(goal["total"], language), goal["unit"]) if part)


def _listing(items: list[str], language: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + _WORDS[language]["and"] + items[-1]


def template_text(stats: dict, language: str) -> str:
    """A short plain review of `stats` in `language` ("es" or "en"; others get Spanish)."""
    language = _language(language)
    words = _WORDS[language]
    tracked, tasks = stats["tracked_seconds"], stats["tasks"]
    goals, checkins = stats["goals"], stats["check_ins"]
    head = words["week"].format(
        first=_day(stats["from"], language), last=_day(stats["to"], language)
    )
    if (
        not (tracked["total"] or tasks["completed"] or tasks["created"] or checkins["count"])
        and not goals["moved"]
    ):
        return f"{head} {words['nothing']}"
    if tracked["total"]:
        line = words["time"].format(time=duration(tracked["total"]))
        if tracked["previous_total"]:
            line += words["time_vs"].format(previous=duration(tracked["previous_total"]))
        top = tracked["by_category"][0] if tracked["by_category"] else None
        if top and top["name"]:
            line += words["time_by"].format(top=top["name"], top_time=duration(top["seconds"]))
    else:
        line = words["no_time"]
    lines = [f"{head} {line}."]
    busiest = tracked["busiest_day"]
    if busiest and stats["days"] > 1:
        weekday = _WEEKDAYS[language][busiest["weekday"] - 1]
        lines.append(words["busiest"].format(weekday=weekday, time=duration(busiest["seconds"])))
    lines.append(
        words["tasks"].format(
            completed=tasks["completed"],
            tasks=words["task"][0 if tasks["completed"] == 1 else 1],
            previous=tasks["previous_completed"],
        )
    )
    if goals["moved"]:
        moved = [f"{goal['title']} (+{_amount(goal, language)})" for goal in goals["moved"]]
        lines.append(words["moved"].format(goals=_listing(moved, language)))
    if goals["stalled"]:
        stalled = [goal["title"] for goal in goals["stalled"]]
        lines.append(words["stalled"].format(goals=_listing(stalled, language)))
    if checkins["count"]:
        line = words["checkins"].format(
            mood=_number(checkins["mood_avg"], language),
            energy=_number(checkins["energy_avg"], language),
        )
        previous = checkins["previous"]
        if previous["count"]:
            line += words["checkins_vs"].format(
                mood=_number(previous["mood_avg"], language),
                energy=_number(previous["energy_avg"], language),
            )
        lines.append(line + ".")
    estimates = stats["estimates"]
    if estimates["enough"]:
        ratio = Decimal(estimates["ratio"])
        key = "on_target" if abs(ratio - 1) <= ON_TARGET else "slower" if ratio > 1 else "faster"
        lines.append(words[key].format(ratio=_number(ratio, language), n=estimates["sample"]))
    return " ".join(lines)


_SYSTEM = {
    "es": (
        "Escribes el repaso semanal de una persona en una app de seguimiento personal. "
        "Responde en español, en segunda persona, con 3 a 5 frases cálidas y concretas. "
        "Usa solo las cifras del JSON que te dan; no inventes tareas, nombres, causas ni datos "
        "que no estén ahí. Di qué avanzó y qué se quedó parado, compara con la semana anterior "
        "y destaca una cosa que la persona quizá no sabía (su día más intenso, cómo se comparan "
        "sus estimaciones con el tiempo real si hay muestra suficiente, su ánimo). Los segundos "
        "conviértelos a horas y minutos. Sin listas, sin títulos, sin emojis."
    ),
    "en": (
        "You write a person's weekly review in a personal follow-up app. Answer in English, in "
        "the second person, with 3 to 5 warm, concrete sentences. Use only the figures in the "
        "JSON you are given; do not invent tasks, names, causes or any fact not in it. Say what "
        "moved and what stalled, compare with the week before, and point out one thing the "
        "person may not know (their busiest day, how their estimates compare with the time "
        "really spent when the sample is enough, their mood). Turn seconds into hours and "
        "minutes. No lists, no headings, no emojis."
    ),
}


def model_messages(stats: dict, language: str, name: str = "") -> list[dict]:
    """The chat messages asking the model for the review's text, grounded in `stats` only."""
    language = _language(language)
    figures = json.dumps(stats, ensure_ascii=False, sort_keys=True)
    who = f"Name: {name}\n" if name else ""
    return [
        {"role": "system", "content": _SYSTEM[language]},
        {"role": "user", "content": f"{who}Week's figures (JSON):\n{figures}"},
    ]
