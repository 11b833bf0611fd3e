"""The optional monitoring section (deploy/stack.monitoring.yml, deploy/monitoring/) and the
rehearsal's scrape of every role, read without Docker: Prometheus scrapes every role on the
ports the stack gives them, only over a network of its own; the dashboard and the rehearsal ask
for series the app really exposes; the rehearsal's parsing of an exposition is right."""

import importlib.util
import json
import re
import sys

import pytest
import yaml
from django.urls import resolve
from prometheus_client import REGISTRY, generate_latest

from config.metrics.exporter import registry_for
from config.metrics.state import SharedState
from tests.deploy.stack import (
    API_HOST,
    DEPLOY,
    MAIL,
    Request,
    interpolate_values,
    load_stack,
    load_yaml,
    route,
    routers,
)
from tests.deploy.test_stack import NODE_CPUS, NODE_MEMORY_MIB, OS_HEADROOM_MIB, budget

GRAFANA_HOST = "grafana.example.org"
ROLES = ["http", "ws", "worker", "scheduler"]


def load_monitoring(**variables: str) -> dict:
    values = {"API_HOST": API_HOST, "GRAFANA_HOST": GRAFANA_HOST, **MAIL, **variables}
    text = (DEPLOY / "stack.monitoring.yml").read_text()
    return interpolate_values(yaml.safe_load(text), values)


def merged(stack: dict, override: dict) -> dict:
    """`docker stack deploy -c stack.yml -c stack.monitoring.yml`: mappings merge, a service's
    networks are added to its own (docker/cli's loader merges them by name)."""
    result = dict(stack)
    for key in ("networks", "volumes", "configs", "secrets"):
        result[key] = {**(stack.get(key) or {}), **(override.get(key) or {})}
    services = {name: dict(service) for name, service in stack["services"].items()}
    for name, service in override["services"].items():
        if name not in services:
            services[name] = service
            continue
        base = services[name]
        for key, value in service.items():
            if key == "networks":
                base["networks"] = [*base.get("networks", []), *value]
            else:
                base[key] = value
    result["services"] = services
    return result


STACK = load_stack()
MONITORING = load_monitoring()
BOTH = merged(STACK, MONITORING)
PROMETHEUS = load_yaml("monitoring/prometheus.yml")
DASHBOARD = json.loads((DEPLOY / "monitoring" / "grafana-dashboard.json").read_text())


def exposed_names() -> set[str]:
    """Every sample name the app can expose: the series of config/metrics/series.py (also the
    ones nothing has recorded yet) and the shared state the http role reads at scrape time."""
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}
    names = set()
    families = [*REGISTRY.collect(), *SharedState().collect()]
    for family in families:
        for suffix in suffixes.get(family.type, [""]):
            names.add(family.name + suffix)
    return names


# --- the monitoring section ---------------------------------------------------------------------


def test_it_needs_the_grafana_host():
    with pytest.raises(KeyError, match="GRAFANA_HOST"):
        load_monitoring(GRAFANA_HOST="")


def test_it_only_adds_services_and_extends_the_ones_it_scrapes():
    added = set(MONITORING["services"]) - set(STACK["services"])
    assert added == {"prometheus", "grafana"}
    for name in set(MONITORING["services"]) & set(STACK["services"]):
        assert set(MONITORING["services"][name]) == {"networks"}, name


def test_prometheus_is_on_the_monitoring_network_alone_which_reaches_every_scraped_service():
    services = BOTH["services"]
    assert services["prometheus"]["networks"] == ["monitoring"]
    for name in [*ROLES, "traefik"]:
        assert "monitoring" in services[name]["networks"], name
    # Neither the database nor Redis is on it.
    assert "monitoring" not in services["postgres"]["networks"]
    assert "monitoring" not in services["redis"]["networks"]
    network = MONITORING["networks"]["monitoring"]
    assert network["internal"] is True and network["driver_opts"]["encrypted"] == "true"


def test_prometheus_scrapes_every_task_of_every_role_on_the_ports_the_stack_gives_them():
    environment = STACK["services"]["http"]["environment"]
    app_port = int(environment["METRICS_PORT"])
    traefik_port = int(load_yaml("traefik/traefik.yml")["entryPoints"]["metrics"]["address"][1:])
    expected = {
        **{role: (f"tasks.{role}", app_port) for role in ROLES},
        "traefik": ("tasks.traefik", traefik_port),
    }
    jobs = {}
    for job in PROMETHEUS["scrape_configs"]:
        for sd in job.get("dns_sd_configs", []):
            (name,) = sd["names"]
            jobs[job["job_name"]] = (name, sd["port"])
            assert sd["type"] == "A"  # one record per task: every task is a target
    assert jobs == expected
    for name, _port in jobs.values():
        assert name.removeprefix("tasks.") in STACK["services"]


def test_grafana_is_routed_on_its_own_host_through_the_admin_allow_list():
    both_routers = routers(BOTH)
    (grafana,) = [r for r in both_routers if r.stack_service == "grafana"]
    assert route(BOTH, Request(GRAFANA_HOST, "/")) == grafana
    assert grafana.target == "agente-grafana" and grafana.tls
    assert grafana.entrypoints == ("websecure",)
    assert grafana.middlewares[0] == "agente-grafana-allowlist"
    labels = BOTH["services"]["grafana"]["deploy"]["labels"]
    allow = "traefik.http.middlewares.agente-grafana-allowlist.ipallowlist."
    assert labels[allow + "sourcerange"] == "127.0.0.1/32"  # closed unless ADMIN_ALLOWED_IPS
    assert labels[allow + "ipstrategy.depth"] == "1"
    # The API's routing is unchanged, and nothing routes to Prometheus.
    assert route(BOTH, Request(API_HOST, "/")).target == "agente-http"
    assert not any("prometheus" in r.target for r in both_routers)
    assert not any(service.get("ports") for service in MONITORING["services"].values())


def test_everything_the_section_uses_is_defined_and_everything_it_defines_is_used():
    used = {"secrets": set(), "configs": set(), "networks": set(), "volumes": set()}
    for service in MONITORING["services"].values():
        for kind in ("secrets", "configs", "networks"):
            entries = service.get(kind) or []
            used[kind] |= {e["source"] if isinstance(e, dict) else e for e in entries}
        used["volumes"] |= {volume.split(":")[0] for volume in service.get("volumes", [])}
    for kind, names in used.items():
        defined = set(MONITORING.get(kind) or {})
        assert defined <= names, f"{kind} defined but never used: {defined - names}"
        assert names <= defined | set(STACK.get(kind) or {}), f"{kind} not defined: {names}"


def test_every_config_file_exists_and_the_datasource_is_the_dashboards():
    for name, config in MONITORING["configs"].items():
        assert (DEPLOY / config["file"]).is_file(), name
        assert config["name"].endswith("_1"), config["name"]
    datasource = load_yaml("monitoring/grafana-datasource.yml")["datasources"][0]
    assert datasource["url"] == "http://prometheus:9090"
    uids = {
        target["datasource"]["uid"]
        for panel in DASHBOARD["panels"]
        for target in panel.get("targets", [])
    }
    assert uids == {datasource["uid"]}
    assert set(MONITORING["secrets"]) == {"grafana_admin_password"}


def test_the_reservations_still_fit_the_node_with_monitoring_and_the_guide_says_what_it_costs():
    totals = budget(BOTH)
    assert totals["cpu_res_peak"] <= NODE_CPUS
    assert totals["mem_res_peak"] <= NODE_MEMORY_MIB - OS_HEADROOM_MIB
    guide = (DEPLOY / "README.md").read_text()
    assert f"**{totals['mem_lim_peak']:.0f} MiB**" in guide


# --- the dashboard ------------------------------------------------------------------------------

# Metrics that are not the app's: Prometheus' own, granian's and Traefik's.
FOREIGN = re.compile(r"^(up|granian_\w+|traefik_\w+)$")
FUNCTIONS = {
    "sum", "rate", "increase", "histogram_quantile", "topk", "max", "min", "count", "by",
    "clamp_min", "vector", "le", "or",
}  # fmt: skip


def expressions() -> list[str]:
    return [target["expr"] for panel in DASHBOARD["panels"] for target in panel.get("targets", [])]


@pytest.mark.django_db
def test_every_series_the_dashboard_asks_for_is_one_the_app_exposes():
    known = exposed_names()
    used = set()
    for expr in expressions():
        # Label matchers, ranges, strings and numbers (1e-9) are not names.
        without_labels = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\"[^\"]*\"|\b\d[\d.]*(e-?\d+)?", "", expr)
        used |= set(re.findall(r"[a-z_][a-z0-9_]*", without_labels)) - FUNCTIONS
    used -= {"job", "status", "route", "instance", "type", "kind", "outcome", "state", "queue"}
    used -= {"task", "role", "scope", "service", "code"}
    unknown = {name for name in used if name not in known and not FOREIGN.match(name)}
    assert not unknown


def test_the_route_names_the_dashboard_filters_on_are_routes_of_the_app():
    names = set()
    for expr in expressions():
        names |= set(re.findall(r'route!?=~?"([^"]+)"', expr))
    for name in {part for found in names for part in found.split("|")}:
        paths = {
            "health": "/health",
            "health-ready": "/health/ready",
            "chat-message": "/api/v1/chat/message",
            "chat-voice": "/api/v1/chat/voice",
        }
        assert resolve(paths[name]).view_name == name


def test_the_dashboard_covers_requests_latency_errors_sockets_jobs_and_tokens():
    text = " ".join(expressions())
    for series in (
        "agente_http_requests_total",
        "agente_http_request_duration_seconds_bucket",
        'status=~"5.."',
        "agente_ws_connections_open",
        "agente_jobs",
        "agente_model_tokens_total",
        "agente_heartbeat_age_seconds",
    ):
        assert series in text, series
    ids = [panel["id"] for panel in DASHBOARD["panels"]]
    assert len(ids) == len(set(ids))


# --- the rehearsal's scrape ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def rehearse():
    path = DEPLOY / "rehearsal" / "rehearse.py"
    spec = importlib.util.spec_from_file_location("rehearse_metrics_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


EXPOSITION = """\
# HELP agente_http_requests_total HTTP requests answered.
# TYPE agente_http_requests_total counter
agente_http_requests_total{method="GET",route="health",status="200"} 12.0
agente_http_requests_total{method="POST",route="task-list",status="201"} 3.0
agente_heartbeat_age_seconds{role="worker"} +Inf
agente_ws_frames_sent_total{type="say \\"hi\\"\\\\now"} 1
granian_workers_spawns 2

not a sample line {
agente_push_pending NaN
"""


def test_the_rehearsal_reads_samples_with_their_labels_and_special_values(rehearse):
    samples = rehearse.metric_samples(EXPOSITION)

    assert ("granian_workers_spawns", {}, 2.0) in samples
    assert (
        "agente_http_requests_total",
        {"method": "GET", "route": "health", "status": "200"},
        12.0,
    ) in samples
    (worker,) = [s for s in samples if s[0] == "agente_heartbeat_age_seconds"]
    assert worker[2] == float("inf")
    (frames,) = [s for s in samples if s[0] == "agente_ws_frames_sent_total"]
    assert frames[1] == {"type": 'say "hi"\\now'}
    assert len(samples) == 6


def test_the_rehearsal_finds_a_series_by_name_and_a_subset_of_its_labels(rehearse):
    assert (
        rehearse.missing_series(
            EXPOSITION,
            [
                "granian_workers_spawns",
                'agente_http_requests_total{route="health"}',
                'agente_http_requests_total{route="task-list",method="POST"}',
                'agente_heartbeat_age_seconds{role="worker"}',
            ],
        )
        == []
    )
    assert rehearse.missing_series(
        EXPOSITION,
        [
            'agente_http_requests_total{route="health",method="POST"}',  # no such pair
            'agente_heartbeat_age_seconds{role="scheduler"}',
            "agente_jobs",
            "agente_http_requests",  # a family's name is not a sample's
        ],
    ) == [
        'agente_http_requests_total{route="health",method="POST"}',
        'agente_heartbeat_age_seconds{role="scheduler"}',
        "agente_jobs",
        "agente_http_requests",
    ]
    with pytest.raises(ValueError):
        rehearse.missing_series(EXPOSITION, ["{not a series}"])


def test_the_rehearsal_reads_what_prometheus_client_writes(rehearse, client):
    client.get("/health")
    text = generate_latest(registry_for("ws")).decode()
    assert (
        rehearse.missing_series(
            text, ['agente_http_requests_total{route="health",method="GET",status="200"}']
        )
        == []
    )
    sample_names = {name for name, _labels, _value in rehearse.metric_samples(text)}
    assert "process_resident_memory_bytes" in sample_names


@pytest.mark.django_db
def test_the_rehearsal_asks_for_series_the_app_exposes_on_the_ports_the_stack_gives(rehearse):
    known = exposed_names()
    environment = STACK["services"]["http"]["environment"]
    ports = {int(environment["METRICS_PORT"])}
    assert {service for service, _port, _wanted in rehearse.METRICS_SCRAPES} == set(ROLES)
    for _service, port, wanted in rehearse.METRICS_SCRAPES:
        assert port in ports
        for series in wanted:
            name = series.split("{")[0]
            assert name in known or FOREIGN.match(name) or name.startswith("process_"), series
    assert all(series.startswith("traefik_") for series in rehearse.TRAEFIK_SERIES)
