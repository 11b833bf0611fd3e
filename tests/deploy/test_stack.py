"""deploy/stack.yml and Traefik's files, checked the way Swarm and Traefik would read them:
everything referenced is defined, each role's command exists, requests reach the right service,
and every service is bounded (resources, logs, update order). No Docker engine needed."""

import os
import re
from pathlib import Path

import pytest
from django.core.management import get_commands

from tests.deploy.stack import (
    API_HOST,
    DEPLOY,
    MAIL,
    Request,
    entrypoint_roles,
    load_stack,
    load_yaml,
    route,
    routers,
    rule_matches,
    service_labels,
)

STACK = load_stack()
SERVICES = STACK["services"]
APP_IMAGE = SERVICES["http"]["image"]
APP_SERVICES = [name for name, service in SERVICES.items() if service["image"] == APP_IMAGE]
REPO = DEPLOY.parent

# The node the stack is sized for (deploy/README.md, "Resource budget").
NODE_CPUS = 2.0
NODE_MEMORY_MIB = 8192
OS_HEADROOM_MIB = 1024  # kernel, dockerd, sshd, fail2ban, the page cache's floor


def _names(entries) -> list[str]:
    """Names in a service's secrets/configs/networks list (short or long syntax)."""
    if isinstance(entries, dict):
        return list(entries)
    return [entry["source"] if isinstance(entry, dict) else entry for entry in entries or []]


# --- everything referenced is defined --------------------------------------------------------


def test_the_stack_has_every_role_and_its_backing_services():
    assert set(SERVICES) == {
        "traefik",
        "http",
        "ws",
        "worker",
        "scheduler",
        "postgres",
        "redis",
        "backup",
    }
    assert SERVICES["traefik"]["image"] == "traefik:v3.6"
    assert SERVICES["postgres"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"
    # pg_dump of the server's own major version.
    assert SERVICES["backup"]["image"] == SERVICES["postgres"]["image"]


def test_every_secret_config_network_and_volume_a_service_uses_is_defined_and_used():
    used = {"secrets": set(), "configs": set(), "networks": set(), "volumes": set()}
    for service in SERVICES.values():
        for kind in ("secrets", "configs", "networks"):
            used[kind].update(_names(service.get(kind)))
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if not source.startswith(("/", ".")):  # a named volume, not a bind mount
                used["volumes"].add(source)
    for kind, names in used.items():
        defined = set(STACK.get(kind) or {})
        assert names <= defined, f"{kind} used but not defined: {names - defined}"
        assert defined <= names, f"{kind} defined but never used: {defined - names}"


def test_the_secrets_are_the_seeds_plus_the_new_ones_all_created_outside_the_stack():
    assert set(STACK["secrets"]) == {
        "jwt_secret",
        "db_password",
        "redis_password",
        "email_password",
        "openai_api_key",
        "django_secret_key",
        "deepgram_api_key",
        "tls_cert",
        "tls_key",
    }
    assert all(secret == {"external": True} for secret in STACK["secrets"].values())


def test_config_files_exist():
    for name, config in STACK["configs"].items():
        assert (DEPLOY / config["file"]).is_file(), name
        # Swarm configs are immutable: a versioned name lets a changed file be deployed.
        assert config["name"].endswith("_1"), config["name"]
    assert load_stack(CONFIG_VERSION="7")["configs"]["traefik_dynamic"]["name"].endswith("_7")


def test_every_secret_an_app_role_mounts_reaches_the_app_through_the_entrypoint():
    entrypoint = (DEPLOY / "docker-entrypoint.sh").read_text()
    mapped = dict(re.findall(r"^\s+(\w+):(\w+)(?: \\|; do)$", entrypoint, flags=re.MULTILINE))
    settings_source = (REPO / "config" / "settings.py").read_text()
    for name in APP_SERVICES:
        for secret in _names(SERVICES[name]["secrets"]):
            assert secret in mapped, f"{name} mounts {secret}, which the entrypoint ignores"
            assert f'secret("{mapped[secret]}"' in settings_source or (
                f'required_secret("{mapped[secret]}"' in settings_source
            ), f"config/settings.py does not read {mapped[secret]}"
        # Secret values never travel in the environment; file paths may, and must then be
        # the ones the entrypoint would derive.
        environment = SERVICES[name]["environment"]
        assert not {key for key in environment if key in mapped.values()}
        for secret, variable in mapped.items():
            if f"{variable}_FILE" in environment:
                assert environment[f"{variable}_FILE"] == f"/run/secrets/{secret}"
                assert secret in _names(SERVICES[name]["secrets"])


def test_traefik_mounts_the_certificate_its_file_provider_points_at():
    dynamic = load_yaml("traefik/dynamic.yml")
    (certificate,) = dynamic["tls"]["certificates"]
    mounted = {f"/run/secrets/{name}" for name in _names(SERVICES["traefik"]["secrets"])}
    assert {certificate["certFile"], certificate["keyFile"]} == mounted
    targets = {config["target"] for config in SERVICES["traefik"]["configs"]}
    static = load_yaml("traefik/traefik.yml")
    assert static["providers"]["file"]["filename"] in targets
    assert "--configFile=/etc/traefik/traefik.yml" in SERVICES["traefik"]["command"]
    assert "/etc/traefik/traefik.yml" in targets


# --- each role's command exists ---------------------------------------------------------------


def test_each_app_service_runs_a_role_the_entrypoint_knows():
    roles = entrypoint_roles()
    assert {"http", "ws", "worker", "scheduler", "migrate", "manage"} <= roles
    commands = {name: SERVICES[name]["command"][0] for name in APP_SERVICES}
    assert commands == {"http": "http", "ws": "ws", "worker": "worker", "scheduler": "scheduler"}


def test_the_server_roles_commands_exist():
    for script in ("bin/http-server", "bin/ws-server"):
        path = REPO / script
        assert path.is_file() and os.access(path, os.X_OK), script
        assert f"exec {script}" in (DEPLOY / "docker-entrypoint.sh").read_text()
    assert "migrate" in get_commands()


@pytest.mark.parametrize(("role", "command"), [("worker", "db_worker"), ("scheduler", "crontask")])
def test_the_background_roles_commands_exist(role, command):
    # Through config.metrics.role: the command with the role's metrics endpoint and heartbeat.
    entrypoint = (DEPLOY / "docker-entrypoint.sh").read_text()
    assert f"python -m config.metrics.role {role} {command}" in entrypoint
    if command not in get_commands():
        pytest.skip(
            f"manage.py {command} is not installed yet: the background-jobs work (issue 9) adds "
            "django-tasks-db and django-crontask"
        )


def test_the_backup_service_runs_the_backup_script_nightly():
    backup = SERVICES["backup"]
    scripts = {STACK["configs"][c["source"]]["file"]: c["target"] for c in backup["configs"]}
    assert set(scripts) == {"./backup.sh", "./restore.sh"}
    assert backup["entrypoint"] == ["/bin/sh", scripts["./backup.sh"], "--daily"]
    assert backup["environment"]["PGPASSWORD_FILE"] == "/run/secrets/db_password"
    assert "db_password" in _names(backup["secrets"])
    # On the node that holds the database volume, like the database.
    assert backup["deploy"]["placement"] == SERVICES["postgres"]["deploy"]["placement"]


# --- routing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "stack_service", "middlewares"),
    [
        ("/ws/chat/", "ws", ()),
        ("/ws/chat", "ws", ()),
        ("/api/v1/chat/message", "ws", ("agente-body-1m@file",)),
        ("/api/v1/chat/message/", "ws", ("agente-body-1m@file",)),
        ("/api/v1/chat/voice", "ws", ("agente-body-25m@file",)),
        ("/api/v1/chat/conversations", "http", ("agente-body-1m@file", "agente-retry@file")),
        ("/api/v1/tasks", "http", ("agente-body-1m@file", "agente-retry@file")),
        ("/api/v1/auth/login", "http", ("agente-body-1m@file", "agente-retry@file")),
        ("/health", "http", ("agente-body-1m@file", "agente-retry@file")),
        ("/api/docs/", "http", ("agente-body-1m@file", "agente-retry@file")),
        ("/static/admin/css/base.css", "http", ("agente-body-1m@file", "agente-retry@file")),
        ("/", "http", ("agente-body-1m@file", "agente-retry@file")),
    ],
)
def test_ws_gets_websockets_and_assistant_turns_and_http_gets_the_rest(
    path, stack_service, middlewares
):
    router = route(STACK, Request(API_HOST, path))

    assert router is not None, path
    assert router.stack_service == stack_service
    assert router.target == f"agente-{stack_service}"
    assert router.middlewares == middlewares
    assert router.entrypoints == ("websecure",) and router.tls


def test_ws_is_the_only_path_without_a_body_limit():
    """Websocket upgrades must not be buffered; every other router limits the body."""
    for router in routers(STACK):
        if router.name == "agente-ws":
            assert router.middlewares == ()
        else:
            assert any(m.startswith("agente-body-") for m in router.middlewares), router.name


@pytest.mark.parametrize("path", ["/health/ready", "/health/ready/"])
def test_readiness_is_not_public(path):
    assert route(STACK, Request(API_HOST, path)) is None


def test_other_hosts_reach_nothing():
    assert route(STACK, Request("evil.example.com", "/api/v1/tasks")) is None
    assert route(STACK, Request("evil.example.com", "/ws/chat/")) is None


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin"])
def test_the_admin_goes_through_the_allow_list(path):
    router = route(STACK, Request(API_HOST, path))

    assert router.name == "agente-admin"
    assert router.target == "agente-http"
    assert router.middlewares[0] == "agente-admin-allowlist"


def test_the_admin_allow_list_is_closed_when_the_variable_is_empty():
    prefix = "traefik.http.middlewares.agente-admin-allowlist.ipallowlist."
    for stack in (load_stack(), load_stack(ADMIN_ALLOWED_IPS="")):
        labels = service_labels(stack)
        assert labels[prefix + "sourcerange"] == "127.0.0.1/32"
        # The client address Cloudflare appended, not Cloudflare's own.
        assert labels[prefix + "ipstrategy.depth"] == "1"
    opened = service_labels(load_stack(ADMIN_ALLOWED_IPS="203.0.113.7/32,198.51.100.0/24"))
    assert opened[prefix + "sourcerange"] == "203.0.113.7/32,198.51.100.0/24"


def test_every_middleware_a_router_uses_is_defined():
    file_middlewares = load_yaml("traefik/dynamic.yml")["http"]["middlewares"]
    labels = service_labels(STACK)
    for router in routers(STACK):
        for middleware in router.middlewares:
            if middleware.endswith("@file"):
                assert middleware.removesuffix("@file") in file_middlewares, middleware
            else:
                assert any(
                    key.startswith(f"traefik.http.middlewares.{middleware}.") for key in labels
                ), middleware


def test_the_body_limits_are_1_mib_and_25_mib_on_the_voice_route():
    middlewares = load_yaml("traefik/dynamic.yml")["http"]["middlewares"]
    assert middlewares["agente-body-1m"]["buffering"]["maxRequestBodyBytes"] == 1024 * 1024
    assert middlewares["agente-body-25m"]["buffering"]["maxRequestBodyBytes"] == 25 * 1024 * 1024


def test_traefik_never_cuts_an_idle_websocket_that_pings():
    websecure = load_yaml("traefik/traefik.yml")["entryPoints"]["websecure"]
    timeouts = websecure["transport"]["respondingTimeouts"]
    # Read and write deadlines would cut every socket that long after it opened.
    assert timeouts["readTimeout"] == "0s"
    assert timeouts["writeTimeout"] == "0s"
    idle = int(timeouts["idleTimeout"].removesuffix("s"))
    ping_every = int(SERVICES["ws"]["environment"]["DAPHNE_PING_INTERVAL"])
    # Several pings fit in the idle timeout, so a late pong does not cut a live socket.
    assert idle >= 3 * ping_every


def test_the_rule_helper_understands_negation_and_precedence():
    request = Request("a.example", "/admin/x")
    assert rule_matches("Host(`a.example`) && !PathPrefix(`/ws/`)", request)
    assert not rule_matches("Host(`a.example`) && !PathPrefix(`/admin`)", request)
    assert rule_matches("Host(`b.example`) || PathPrefix(`/admin`)", request)
    assert not rule_matches("!(Host(`a.example`) || Path(`/x`))", request)


# --- bounded: ports, logs, updates, resources ---------------------------------------------------


def test_only_traefik_publishes_ports():
    publishing = {name for name, service in SERVICES.items() if service.get("ports")}
    assert publishing == {"traefik"}
    assert {port["published"] for port in SERVICES["traefik"]["ports"]} == {80, 443}


def test_every_service_rotates_its_logs():
    for name, service in SERVICES.items():
        logging = service.get("logging")
        assert logging, name
        assert logging["driver"] == "json-file"
        assert logging["options"]["max-size"] and int(logging["options"]["max-file"]) >= 1


def test_every_service_has_limits_and_reservations():
    for name, service in SERVICES.items():
        resources = service["deploy"]["resources"]
        for kind in ("limits", "reservations"):
            assert float(resources[kind]["cpus"]) > 0, (name, kind)
            assert _mib(resources[kind]["memory"]) > 0, (name, kind)
        assert _mib(resources["reservations"]["memory"]) <= _mib(resources["limits"]["memory"])


@pytest.mark.parametrize("name", ["http", "ws", "worker"])
def test_replaceable_roles_update_start_first_and_roll_back_on_failure(name):
    deploy = SERVICES[name]["deploy"]
    assert deploy["update_config"]["order"] == "start-first"
    assert deploy["update_config"]["failure_action"] == "rollback"
    assert deploy["rollback_config"]["order"] == "start-first"


@pytest.mark.parametrize("name", ["traefik", "scheduler", "postgres", "redis", "backup"])
def test_singletons_and_volume_owners_never_run_twice_during_an_update(name):
    deploy = SERVICES[name]["deploy"]
    assert deploy["update_config"]["order"] == "stop-first"
    assert deploy["rollback_config"]["order"] == "stop-first"
    assert deploy.get("replicas", 1) == 1


@pytest.mark.parametrize("name", ["http", "ws"])
def test_server_roles_are_health_checked_on_health(name):
    test = SERVICES[name]["healthcheck"]["test"]
    assert "http://127.0.0.1:8000/health'" in " ".join(test)
    assert SERVICES[name]["environment"]["PORT"] == "8000"


@pytest.mark.parametrize("name", ["worker", "scheduler"])
def test_roles_without_a_port_are_health_checked_on_their_own_heartbeat(name):
    """Not the image's HEALTHCHECK (GET :8000/health: nothing listens there, Swarm would replace
    them forever), but the heartbeat the role writes in its container while its loop runs
    (config/metrics/heartbeat.py), so `docker service ls` shows a stuck worker or scheduler."""
    assert "HEALTHCHECK" in (DEPLOY / "Dockerfile").read_text()
    check = SERVICES[name]["healthcheck"]
    assert check["test"] == ["CMD", "python", "-m", "config.metrics.heartbeat", name]
    # Beats come every 10 s and go stale after 60: a few missed checks, not one, turn it
    # unhealthy; start_period covers the wait for the migrate job (MIGRATIONS_WAIT_SECONDS).
    assert _seconds(check["interval"]) * check["retries"] <= 60
    assert _seconds(check["start_period"]) > 600


def _seconds(duration: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([sm])", duration).groups()
    return int(number) * (60 if unit == "m" else 1)


# --- metrics: a port of their own, never routed ---------------------------------------------------


def test_every_app_role_serves_metrics_on_a_port_traefik_never_routes_to():
    labels = service_labels(STACK)
    routed = {value for key, value in labels.items() if key.endswith(".loadbalancer.server.port")}
    assert routed == {"8000"}
    for name in APP_SERVICES:
        environment = SERVICES[name]["environment"]
        assert environment["METRICS_PORT"] == "9100", name
        # Reachable from the stack's networks (Prometheus), not only from inside the task.
        assert environment["METRICS_ADDRESS"] == "0.0.0.0", name
    # granian's own metrics stay off: with them a new worker sometimes hung (bin/http-server).
    assert "GRANIAN_METRICS_PORT" not in SERVICES["http"]["environment"]
    assert not routed & {"9100", "9101"}


def test_traefiks_metrics_have_an_entry_point_of_their_own_that_no_router_uses():
    static = load_yaml("traefik/traefik.yml")
    assert static["metrics"]["prometheus"]["entryPoint"] == "metrics"
    assert static["entryPoints"]["metrics"]["address"] == ":9100"
    assert all(router.entrypoints == ("websecure",) for router in routers(STACK))
    published = {port["target"] for port in SERVICES["traefik"]["ports"]}
    assert 9100 not in published


def test_metrics_through_traefik_reach_only_the_apps_catch_all_which_has_no_such_route():
    # The http router takes any path (the app answers 404: tests/metrics/test_endpoint.py).
    router = route(STACK, Request(API_HOST, "/metrics"))
    assert router.target == "agente-http"
    assert route(STACK, Request("evil.example.com", "/metrics")) is None


def test_no_app_role_migrates_on_start():
    for name in APP_SERVICES:
        assert "migrate" not in SERVICES[name]["command"]
        assert "MIGRATE_ON_START" not in SERVICES[name]["environment"]


def test_redis_keeps_an_append_only_file_on_a_volume():
    redis = SERVICES["redis"]
    script = redis["command"][-1]
    assert "--appendonly yes" in script
    assert "redisdata:/data" in redis["volumes"]


def test_redis_requires_the_password_secret_without_putting_it_on_a_command_line():
    redis = SERVICES["redis"]
    assert redis["command"][:2] == ["sh", "-c"]
    script = redis["command"][-1]
    # The password goes into a file only Redis reads, which redis-server is started with.
    assert "requirepass" in script and "/run/secrets/redis_password" in script
    assert "umask 077" in script
    assert "exec docker-entrypoint.sh redis-server /tmp/auth.conf" in script
    assert "--requirepass" not in script
    assert "redis_password" in _names(redis["secrets"])
    assert "REDISCLI_AUTH" in " ".join(redis["healthcheck"]["test"])
    for name in APP_SERVICES:
        assert SERVICES[name]["environment"]["REDIS_PASSWORD_FILE"] == (
            "/run/secrets/redis_password"
        )


def test_every_overlay_network_is_encrypted():
    for name, network in STACK["networks"].items():
        assert network["driver"] == "overlay", name
        assert network["driver_opts"]["encrypted"] == "true", name


def test_images_are_the_official_ones_unless_a_variable_says_otherwise():
    assert SERVICES["traefik"]["image"] == "traefik:v3.6"
    assert SERVICES["postgres"]["image"] == "postgres:16"
    assert SERVICES["backup"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"
    stand_ins = load_stack(TRAEFIK_IMAGE="t:1", POSTGRES_IMAGE="p:1", REDIS_IMAGE="r:1")["services"]
    assert [stand_ins[n]["image"] for n in ("traefik", "postgres", "backup", "redis")] == [
        "t:1",
        "p:1",
        "p:1",
        "r:1",
    ]


def test_the_worker_outlasts_a_model_calls_worst_case_when_stopped():
    """A summary job waits on the model for OPENAI_TIMEOUT_SECONDS x (1 + OPENAI_MAX_RETRIES)
    plus the SDK's back-off; the stop grace period must let it finish."""
    from django.conf import settings

    worst = settings.OPENAI_TIMEOUT_SECONDS * (1 + settings.OPENAI_MAX_RETRIES) + 10
    grace = SERVICES["worker"]["stop_grace_period"]
    assert grace.endswith("s") and int(grace[:-1]) >= worst, (grace, worst)


def test_background_roles_use_the_database_task_backend():
    for name in APP_SERVICES:
        assert SERVICES[name]["environment"]["TASKS_BACKEND"] == "database"


def _mib(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([MG])", value).groups()
    return int(number) * (1024 if unit == "G" else 1)


def _replicas(service: dict) -> int:
    return int(service["deploy"].get("replicas", 1))


def budget(stack: dict) -> dict[str, float]:
    """Reservations and limits of the stack as deployed, and at the peak of a rolling update
    (every start-first service running one extra task at once)."""
    totals = dict.fromkeys(
        ("cpu_res", "mem_res", "cpu_lim", "mem_lim", "cpu_res_peak", "mem_res_peak"), 0.0
    )
    totals["mem_lim_peak"] = 0.0
    for service in stack["services"].values():
        deploy = service["deploy"]
        res, lim = deploy["resources"]["reservations"], deploy["resources"]["limits"]
        extra = 1 if deploy["update_config"]["order"] == "start-first" else 0
        for tasks, suffix in ((_replicas(service), ""), (_replicas(service) + extra, "_peak")):
            totals["cpu_res" + suffix] += tasks * float(res["cpus"])
            totals["mem_res" + suffix] += tasks * _mib(res["memory"])
            if suffix == "":
                totals["cpu_lim"] += tasks * float(lim["cpus"])
            totals["mem_lim" + suffix] += tasks * _mib(lim["memory"])
    return totals


def test_the_reservations_fit_the_node_even_during_a_rolling_update():
    totals = budget(STACK)
    # Otherwise Swarm cannot place the extra start-first task and the update hangs pending.
    assert totals["cpu_res_peak"] <= NODE_CPUS
    assert totals["mem_res_peak"] <= NODE_MEMORY_MIB - OS_HEADROOM_MIB
    # Memory limits are what the node must be able to hold if every service used all of it.
    assert totals["mem_lim_peak"] <= NODE_MEMORY_MIB - OS_HEADROOM_MIB


def test_the_guide_states_the_budget_the_stack_has():
    totals = budget(STACK)
    guide = (DEPLOY / "README.md").read_text()
    stated = {
        "cpu_res": f"{totals['cpu_res']:.2f} CPU",
        "mem_res": f"{totals['mem_res']:.0f} MiB",
        "cpu_res_peak": f"{totals['cpu_res_peak']:.2f} CPU",
        "mem_res_peak": f"{totals['mem_res_peak']:.0f} MiB",
        "cpu_lim": f"{totals['cpu_lim']:.2f} CPU",
        "mem_lim": f"{totals['mem_lim']:.0f} MiB",
        "mem_lim_peak": f"{totals['mem_lim_peak']:.0f} MiB",
    }
    missing = {key: text for key, text in stated.items() if f"**{text}**" not in guide}
    assert not missing, f"deploy/README.md does not state {missing}"


def test_the_lint_target_checks_every_deploy_script():
    makefile = (REPO / "Makefile").read_text()
    for script in Path(DEPLOY).glob("*.sh"):
        assert f"deploy/{script.name}" in makefile, script.name


def test_the_guides_budget_table_matches_each_service():
    guide = (DEPLOY / "README.md").read_text()
    section = guide[guide.index("## Resource budget") :]
    section = section[: section.index("\n## ", 1)]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 6 and cells[0] in SERVICES:
            rows[cells[0]] = cells[1:]
    assert set(rows) == set(SERVICES)
    for name, (tasks, cpu_limit, mem_limit, cpu_res, mem_res) in rows.items():
        resources = SERVICES[name]["deploy"]["resources"]
        assert int(tasks.split(",")[0]) == _replicas(SERVICES[name]), name
        assert cpu_limit.split()[0] == resources["limits"]["cpus"], name
        assert int(mem_limit.split()[0]) == _mib(resources["limits"]["memory"]), name
        assert cpu_res.split()[0] == resources["reservations"]["cpus"], name
        assert int(mem_res.split()[0]) == _mib(resources["reservations"]["memory"]), name


def test_a_stopping_task_leaves_traefiks_rotation_before_it_stops_listening():
    """Rolling updates lose no request (the rehearsal measures it): the servers drain on
    SIGTERM (bin/drain: /health 503 for DRAIN_SECONDS), Traefik probes /health every 2 s, and
    the stop grace period covers the drain plus the server's own shutdown."""
    for name in ("http", "ws"):
        service = SERVICES[name]
        drain = int(service["environment"]["DRAIN_SECONDS"])
        labels = service["deploy"]["labels"]
        interval = labels[f"traefik.http.services.agente-{name}.loadbalancer.healthcheck.interval"]
        assert labels[f"traefik.http.services.agente-{name}.loadbalancer.healthcheck.path"] == (
            "/health"
        )
        assert interval.endswith("s") and drain >= 2 * int(interval[:-1]), (drain, interval)
        grace = int(service["stop_grace_period"].removesuffix("s"))
        # granian's --workers-kill-timeout (8 s, bin/http-server) after the drain.
        assert grace >= drain + 8 + 1, (name, grace)


def test_idempotent_requests_are_retried_on_another_task_when_the_connection_fails():
    retry = load_yaml("traefik/dynamic.yml")["http"]["middlewares"]["agente-retry"]["retry"]
    assert retry["attempts"] >= 2
    # Never a websocket upgrade (the socket would be hijacked by the middleware), never POSTs
    # (Traefik's default: retryNonIdempotentMethod off).
    assert "retryNonIdempotentMethod" not in retry
    for router in routers(STACK):
        if router.target == "agente-http":
            assert "agente-retry@file" in router.middlewares, router.name
        if router.name == "agente-ws":
            assert "agente-retry@file" not in router.middlewares


def test_a_dead_task_is_given_up_on_within_seconds_not_traefiks_default_30():
    static = load_yaml("traefik/traefik.yml")
    dial = static["serversTransport"]["forwardingTimeouts"]["dialTimeout"]
    assert dial.endswith("s") and 0 < int(dial[:-1]) <= 2, dial


def test_the_mail_variables_reach_every_app_role_as_exported():
    for name in APP_SERVICES:
        environment = SERVICES[name]["environment"]
        for variable, value in MAIL.items():
            assert environment[variable] == value, (name, variable)
        assert environment["EMAIL_PASSWORD_FILE"] == "/run/secrets/email_password"
    with pytest.raises(KeyError, match="EMAIL_URL"):
        load_stack(EMAIL_URL="")


def test_traefik_logs_json_and_keeps_no_header_but_the_request_id():
    # Headers are dropped (tokens); the request id joins Traefik's line to the app's lines.
    static = load_yaml("traefik/traefik.yml")
    assert static["log"]["format"] == "json"
    assert static["accessLog"]["format"] == "json"
    assert static["accessLog"]["fields"]["headers"] == {
        "defaultMode": "drop",
        "names": {"X-Request-Id": "keep"},
    }


def test_sentry_reaches_every_app_role_and_is_off_unless_set():
    dsn = "https://publickey@o1.ingest.example.org/2"
    on = load_stack(SENTRY_DSN=dsn)["services"]
    for name in APP_SERVICES:
        assert SERVICES[name]["environment"]["SENTRY_DSN"] == "", name
        assert on[name]["environment"]["SENTRY_DSN"] == dsn, name
