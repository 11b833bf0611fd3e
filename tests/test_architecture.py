"""The layering of docs/architecture.md, checked on every import of every application module.

Each module under the project's apps is parsed with `ast` (nothing is imported or run), and
every `import`/`from … import`, at module level or inside a function or an `if TYPE_CHECKING:`
block, plus every literal `import_module("…")`/`import_string("…")`, is checked twice:

- between apps, against `APP_EDGES` (the app graph, one way: chat and notifications on top,
  then summaries, then tasks/goals/checkins, then accounts, then config);
- between layers, against `MAY_NOT_IMPORT`: a module's layer is its first name inside its app
  (`tasks.services` and a future `tasks.services.timer` are both `services`), and the rule holds
  across apps too (goals' services may not import tasks' serializers either).

When this fails, move the code to the layer it belongs to (docs/architecture.md says where);
do not add an edge here without writing the reason next to it and in the doc.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]

# Each app and the apps it may import (besides itself). Adding an edge must keep the graph
# acyclic (test_the_app_graph_has_no_cycle).
APP_EDGES: dict[str, set[str]] = {
    "config": set(),
    "accounts": {"config"},
    "tasks": {"accounts", "config"},
    # A goal may carry a category, and categories belong to tasks.
    "goals": {"tasks", "accounts", "config"},
    "checkins": {"accounts", "config"},
    # What the assistant remembers about the person (issue 24): their own rows, nothing else.
    "memories": {"accounts", "config"},
    # Figures read across tasks, goals and check-ins (issue 24); no rows of its own.
    "insights": {"tasks", "goals", "checkins", "accounts", "config"},
    "summaries": {"tasks", "goals", "checkins", "accounts", "config"},
    # The day plan and the weekly review (issue 24) read tasks, goals and check-ins, write
    # their text with summaries' helpers (language, durations), and take the estimate accuracy
    # their factor is built on from insights (STYLE.md 14: one computation of the figure).
    "planning": {"summaries", "insights", "tasks", "goals", "checkins", "accounts", "config"},
    # At the top, above chat: it reads tasks and goals, listens to summaries' and planning's
    # signals, and its nudges open a conversation in which the assistant has asked (issue 24),
    # written by chat.
    "notifications": {
        "chat",
        "planning",
        "summaries",
        "tasks",
        "goals",
        "checkins",
        "accounts",
        "config",
    },
    "chat": {
        "planning",
        "summaries",
        "insights",
        "memories",
        "tasks",
        "goals",
        "checkins",
        "accounts",
        "config",
    },
    # The data export (issue 23) reads every app's rows, so it sits above them all.
    "privacy": {
        "chat",
        "notifications",
        "planning",
        "summaries",
        "insights",
        "memories",
        "tasks",
        "goals",
        "checkins",
        "accounts",
        "config",
    },
}

# The project's wiring names every app (URL map, ASGI and WSGI entry points, settings): the
# only modules exempt from both rules.
COMPOSITION_ROOT = {"config.settings", "config.urls", "config.asgi", "config.wsgi"}

# Entry points: only the wiring (and `urls`/`routing` for their own views/consumers) imports
# them. Receivers are connected by their app's `apps.py`, never imported by other code.
_ENTRY = {"views", "consumers", "urls", "routing", "admin", "management", "receivers"}
_BELOW_SERVICES = {"services", "serializers", "realtime", "tools", "tasks"}

# What a layer may not import (in its own app or any other). A module whose layer is not
# listed (a helper such as accounts.push, goals.periods, chat.agent) may import any layer but
# an entry point.
MAY_NOT_IMPORT: dict[str, set[str]] = {
    "models": _ENTRY | _BELOW_SERVICES | {"selectors"},
    "errors": _ENTRY | _BELOW_SERVICES | {"selectors"},
    "signals": _ENTRY | _BELOW_SERVICES | {"selectors"},
    "selectors": _ENTRY | _BELOW_SERVICES,
    # A serializer renders with its app's payload builders (realtime.py), so that a REST
    # response and a live update of the same object cannot drift apart.
    "serializers": _ENTRY | {"services", "tools", "tasks"},
    "services": _ENTRY | {"serializers", "tools"},
    # Payloads are built from models and selectors, never through a serializer (issue 13).
    "realtime": _ENTRY | {"services", "serializers", "tools", "tasks"},
    "tasks": _ENTRY | {"serializers", "tools"},
    "receivers": _ENTRY - {"receivers"} | {"serializers", "tools"},
    "tools": _ENTRY,
    "views": _ENTRY - {"views"} | {"tools"},
    "consumers": _ENTRY - {"consumers"} | {"tools"},
    "admin": _ENTRY - {"admin"} | {"tools"},
    "management": _ENTRY - {"management"},
    "urls": _ENTRY - {"views", "urls"} | {"tools"},
    "routing": _ENTRY - {"consumers", "routing"} | {"tools"},
    "apps": _ENTRY - {"receivers"},
}
DEFAULT_MAY_NOT_IMPORT = _ENTRY

# Known violations, to be emptied, not extended. None since issue 13 moved the live-update
# payloads out of the services (each app's realtime.py).
ALLOWED: set[tuple[str, str]] = set()

# STYLE.md: a module past ~400 lines becomes a package. Known exceptions, to be emptied: the
# settings are one flat list of declarations, past the limit since the push and summaries work.
MAX_LINES = 400
ALLOWED_LONGER: set[str] = {"config.settings"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. "tasks.services"
    line: int
    target: str  # the imported module, e.g. "tasks.serializers"


def app_of(module: str) -> str:
    return module.split(".")[0]


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def application_modules() -> dict[str, Path]:
    modules = {}
    for app in APP_EDGES:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).with_suffix("")
            if "migrations" in relative.parts:
                continue
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            modules[".".join(parts)] = path
    return modules


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, known: set[str]) -> list[Import]:
    """Every project module `module` imports; `from a import b` counts as `a.b` when that is
    a module, else as `a`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, path, node)
            targets = [
                f"{source}.{a.name}" if f"{source}.{a.name}" in known else source
                for a in node.names
            ]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None))
            in ("import_module", "import_string")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            targets = [node.args[0].value]
        for target in targets:
            while target and target not in known and "." in target:
                target = target.rsplit(".", 1)[0]  # an attribute of a module: the module
            if app_of(target) in APP_EDGES:
                found.append(Import(module, node.lineno, target))
    return found


def violations(imports: list[Import]) -> list[str]:
    problems = []
    for imp in imports:
        if imp.module in COMPOSITION_ROOT or (imp.module, imp.target) in ALLOWED:
            continue
        source, target = app_of(imp.module), app_of(imp.target)
        where = f"{imp.module} (line {imp.line}) imports {imp.target}"
        if source != target and target not in APP_EDGES[source]:
            problems.append(f"{where}: the {source} app may not import the {target} app")
            continue
        layer, target_layer = layer_of(imp.module), layer_of(imp.target)
        if target_layer in MAY_NOT_IMPORT.get(layer, DEFAULT_MAY_NOT_IMPORT):
            problems.append(f"{where}: {layer} may not import {target_layer}")
    return problems


@pytest.fixture(scope="module")
def all_imports() -> list[Import]:
    modules = application_modules()
    known = set(modules)
    return [imp for name, path in modules.items() for imp in imports_of(name, path, known)]


def test_every_import_follows_the_layering(all_imports):
    problems = violations(all_imports)
    assert not problems, "wrong-way imports (docs/architecture.md):\n" + "\n".join(problems)


def test_the_allowed_exceptions_still_exist(all_imports):
    # An exception nobody needs any more is removed, so it cannot hide a new import later.
    used = {(imp.module, imp.target) for imp in all_imports}
    assert ALLOWED - used == set()


def test_no_application_module_is_longer_than_a_screen_of_outline():
    lengths = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in application_modules().items()
    }
    longer = {name for name, lines in lengths.items() if lines > MAX_LINES}
    assert longer - ALLOWED_LONGER == set(), {name: lengths[name] for name in longer}
    # An exception no longer needed is removed, so the module cannot grow back unnoticed.
    assert ALLOWED_LONGER - longer == set()


def test_every_project_app_is_in_the_layering():
    # A new app, or a shared package that is not an app, must be placed before it is used.
    local = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()}
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}
    assert local | packages == set(APP_EDGES)


def test_the_app_graph_has_no_cycle():
    order: list[str] = []
    remaining = {app: set(edges) for app, edges in APP_EDGES.items()}
    while remaining:
        ready = sorted(app for app, edges in remaining.items() if edges <= set(order))
        assert ready, f"a cycle among {sorted(remaining)}"
        order += ready
        for app in ready:
            del remaining[app]


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("tasks.models", "from chat.models import Message\n", "the tasks app may not import"),
        ("summaries.tasks", "from notifications.tasks import x\n", "may not import the notif"),
        ("goals.services", "def f():\n    from tasks.serializers import S\n", "services may not"),
        ("tasks.selectors", "from . import services\n", "selectors may not import services"),
        ("chat.services", "import chat.views\n", "services may not import views"),
        ("goals.periods", "from goals import admin\n", "periods may not import admin"),
        ("checkins.models", "x = import_string('checkins.services.f')\n", "models may not"),
    ],
)
def test_a_wrong_way_import_is_reported(tmp_path, module, source, expected):
    path = tmp_path / "module.py"
    path.write_text(source)
    known = set(application_modules())
    [problem] = violations(imports_of(module, path, known))
    assert expected in problem


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("chat.tools", "from tasks import tools as task_tools\n"),
        ("summaries.selectors", "from goals.selectors import goal_total\n"),
        ("goals.serializers", "from tasks.models import Category\n"),
        ("tasks.services", "def f():\n    from config import realtime\n"),
        ("notifications.apps", "def ready():\n    from summaries.signals import summary_ready\n"),
        ("config.urls", "from chat.views import ChatMessageView\n"),
    ],
)
def test_a_right_way_import_passes(tmp_path, module, source):
    path = tmp_path / "module.py"
    path.write_text(source)
    assert violations(imports_of(module, path, set(application_modules()))) == []
