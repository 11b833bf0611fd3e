"""Reading deploy/ without Docker: the stack file with its variables interpolated as
`docker stack deploy` does, and Traefik's router rules evaluated for a request (the subset of
the rule language the stack uses: Host, Path, PathPrefix, PathRegexp, &&, ||, ! and
parentheses), so tests can ask "which service gets GET /ws/chat/?" as Traefik would decide."""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml  # PyYAML, installed with yamllint (a dev dependency)

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
API_HOST = "api.example.org"
# The stack's required mail variables (`${NAME:?…}`), as an operator exports them.
MAIL = {
    "EMAIL_URL": "smtp+tls://apikey@smtp.example.org:587",
    "DEFAULT_FROM_EMAIL": "Agente <no-reply@example.org>",
    "PASSWORD_RESET_URL": "https://app.example.org/reset?uid={uid}&token={token}",
    "EMAIL_VERIFY_URL": "https://app.example.org/verify?uid={uid}&token={token}",
}
# Compose's interpolation, as `docker stack deploy` applies it: `$$` is a literal `$`, `${NAME}`
# and `$NAME` are variables, and any other `$` is an error ("invalid interpolation format"; a
# regular expression's `$` anchor must be written `$$`).
INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<name>\w+)(?:(?P<op>:-|:\?|-|\?)(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_]\w*)"
    r"|(?P<invalid>))"
)


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` (also for an empty value), `${NAME:?error}`,
    `$NAME` and `$$`; a `$` that is none of these raises ValueError, as Docker refuses it."""

    def replace(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        if match["invalid"] is not None:
            around = text[max(0, match.start() - 40) : match.end() + 20]
            raise ValueError(f"invalid interpolation format near {around!r}: write $$ for a $")
        if match["bare"]:
            return variables.get(match["bare"]) or ""
        name, op, arg = match["name"], match["op"], match["arg"]
        value = variables.get(name)
        if op in (":-", "-"):
            return value if value or (op == "-" and value is not None) else arg
        if op in (":?", "?") and not value:
            raise KeyError(f"{name}: {arg}")
        return value or ""

    return INTERPOLATION.sub(replace, text)


def load_stack(**variables: str) -> dict:
    values = {"API_HOST": API_HOST, **MAIL, **variables}
    return interpolate_values(yaml.safe_load((DEPLOY / "stack.yml").read_text()), values)


def interpolate_values(node, variables: dict[str, str]):
    """Interpolation applies to the parsed file's values (not its comments), as in Compose."""
    if isinstance(node, dict):
        return {key: interpolate_values(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_values(value, variables) for value in node]
    if isinstance(node, str):
        return interpolate(node, variables)
    return node


def load_yaml(relative: str) -> dict:
    return yaml.safe_load((DEPLOY / relative).read_text())


def entrypoint_roles() -> set[str]:
    """The roles docker-entrypoint.sh handles by name (its `case` labels)."""
    text = (DEPLOY / "docker-entrypoint.sh").read_text()
    body = text[text.index('case "$role" in') : text.rindex("esac")]
    return set(re.findall(r"^  ([a-z][a-z-]*)\)$", body, flags=re.MULTILINE))


# --- Traefik rules -----------------------------------------------------------------------------

TOKEN = re.compile(r"\s*(?:(&&|\|\||!|\(|\))|(\w+)\(((?:`[^`]*`\s*,?\s*)+)\))")


@dataclass(frozen=True)
class Request:
    host: str
    path: str


def _matcher(name: str, args: list[str], request: Request) -> bool:
    if name == "Host":
        return request.host.lower() in (arg.lower() for arg in args)
    if name == "Path":
        return request.path in args
    if name == "PathPrefix":
        return any(request.path.startswith(arg) for arg in args)
    if name == "PathRegexp":
        return any(re.search(arg, request.path) for arg in args)
    raise ValueError(f"matcher {name} is not understood by this test helper")


def rule_matches(rule: str, request: Request) -> bool:
    tokens = []
    position = 0
    rule = rule.strip()
    while position < len(rule):
        found = TOKEN.match(rule, position)
        if not found:
            raise ValueError(f"cannot parse rule at {rule[position:]!r}")
        operator, name, raw_args = found.groups()
        if operator:
            tokens.append(operator)
        else:
            tokens.append((name, re.findall(r"`([^`]*)`", raw_args)))
        position = found.end()
    value, rest = _or(tokens, request)
    if rest:
        raise ValueError(f"unexpected {rest[0]!r} in {rule!r}")
    return value


def _or(tokens, request):
    value, tokens = _and(tokens, request)
    while tokens and tokens[0] == "||":
        right, tokens = _and(tokens[1:], request)
        value = value or right
    return value, tokens


def _and(tokens, request):
    value, tokens = _not(tokens, request)
    while tokens and tokens[0] == "&&":
        right, tokens = _not(tokens[1:], request)
        value = value and right
    return value, tokens


def _not(tokens, request):
    if tokens[0] == "!":
        value, tokens = _not(tokens[1:], request)
        return not value, tokens
    if tokens[0] == "(":
        value, tokens = _or(tokens[1:], request)
        assert tokens[0] == ")", tokens
        return value, tokens[1:]
    name, args = tokens[0]
    return _matcher(name, args, request), tokens[1:]


@dataclass(frozen=True)
class Router:
    name: str
    stack_service: str  # the Swarm service whose labels define it
    rule: str
    priority: int
    target: str  # the Traefik service it sends to
    middlewares: tuple[str, ...]
    entrypoints: tuple[str, ...]
    tls: bool


ROUTER_PREFIX = "traefik.http.routers."


def _router_label(labels: dict, name: str, key: str, default=None):
    return labels.get(f"{ROUTER_PREFIX}{name}.{key}", default)


def routers(stack: dict) -> list[Router]:
    found = []
    for service_name, service in stack["services"].items():
        labels = service.get("deploy", {}).get("labels", {}) or {}
        names = {
            key[len(ROUTER_PREFIX) :].split(".")[0]
            for key in labels
            if key.startswith(ROUTER_PREFIX)
        }
        for name in sorted(names):
            middlewares = _router_label(labels, name, "middlewares", "")
            found.append(
                Router(
                    name=name,
                    stack_service=service_name,
                    rule=_router_label(labels, name, "rule"),
                    priority=int(_router_label(labels, name, "priority", "0")),
                    target=_router_label(labels, name, "service"),
                    middlewares=tuple(m.strip() for m in middlewares.split(",") if m.strip()),
                    entrypoints=tuple(_router_label(labels, name, "entrypoints", "").split(",")),
                    tls=_router_label(labels, name, "tls") == "true",
                )
            )
    return found


def route(stack: dict, request: Request) -> Router | None:
    """The router Traefik picks: the matching one with the highest priority (a tie between
    two matching routers would be decided by Traefik arbitrarily, so it fails here)."""
    matching = [r for r in routers(stack) if rule_matches(r.rule, request)]
    if not matching:
        return None
    matching.sort(key=lambda r: r.priority, reverse=True)
    if len(matching) > 1:
        assert matching[0].priority != matching[1].priority, (
            f"{request} matches {matching[0].name} and {matching[1].name} at one priority"
        )
    return matching[0]


def service_labels(stack: dict) -> dict[str, str]:
    merged = {}
    for service in stack["services"].values():
        merged.update(service.get("deploy", {}).get("labels", {}) or {})
    return merged
