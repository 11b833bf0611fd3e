"""The metrics endpoint: a port of its own (config/metrics/exporter.py), never a route of the
public app; under granian the one endpoint adds up every worker's counts."""

import math
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from config.metrics import exporter
from tests.resilience.servers import Server, free_port


def scrape(port: int) -> dict[str, list]:
    """Family name -> its samples, as Prometheus would read the port."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as reply:
        assert reply.status == 200
        text = reply.read().decode()
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


@pytest.fixture
def endpoint():
    servers = []

    def start(role: str) -> int:
        server = exporter.start(role, port=0, address="127.0.0.1")
        servers.append(server)
        return server.server_port

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["/metrics", "/metrics/", "/api/v1/metrics"])
def test_metrics_is_not_a_route_of_the_public_app(client, path):
    assert client.get(path).status_code == 404


def test_the_metrics_port_answers_with_the_apps_series(endpoint, client):
    client.get("/health")
    families = scrape(endpoint("ws"))

    assert families["agente_http_requests"]
    assert "agente_ws_connections_open" in families
    assert "agente_throttle_refusals" in families
    assert "process_resident_memory_bytes" in families  # the process's own
    # The shared figures are the http role's alone.
    assert "agente_jobs" not in families


@pytest.mark.django_db(transaction=True)
def test_the_http_roles_endpoint_reports_the_shared_state(endpoint, settings):
    settings.HEARTBEAT_ROLES = ["worker", "scheduler"]
    families = scrape(endpoint("http"))

    jobs = {(s.labels["state"], s.labels["queue"]): s.value for s in families["agente_jobs"]}
    assert jobs == {
        ("queued", "default"): 0,
        ("scheduled", "default"): 0,
        ("running", "default"): 0,
        ("failed", "default"): 0,
    }
    assert [s.value for s in families["agente_jobs_oldest_queued_age_seconds"]] == [0]
    assert {s.labels["role"]: s.value for s in families["agente_heartbeat_age_seconds"]} == {
        "worker": math.inf,
        "scheduler": math.inf,
    }
    assert [s.value for s in families["agente_push_receipts_pending"]] == [0]
    assert [s.value for s in families["agente_push_pending"]] == [0]
    assert {s.labels["source"]: s.value for s in families["agente_metrics_state_ok"]} == {
        "jobs": 1,
        "heartbeats": 1,
        "apps": 1,
    }


def test_no_endpoint_without_a_metrics_port(settings):
    settings.METRICS_PORT = 0
    assert exporter.start_from_settings("ws") is None


def test_a_taken_port_is_an_error_for_the_caller(endpoint):
    port = endpoint("ws")
    with pytest.raises(OSError):
        exporter.start("ws", port=port, address="127.0.0.1")


def test_granian_workers_report_through_one_endpoint_and_granian_through_its_own(tmp_path):
    """bin/http-server as production runs it, two workers: one endpoint reports the requests
    of both, granian's own metrics are on the next port, and the app still has no /metrics
    route."""
    metrics_port = free_port()
    granian_port = free_port()
    server = Server(
        "http",
        "http-server",
        tmp_path / "http.log",
        {
            "WEB_CONCURRENCY": "2",
            "METRICS_PORT": str(metrics_port),
            "GRANIAN_METRICS_PORT": str(granian_port),
            "GRANIAN_METRICS_SCRAPE_INTERVAL": "1",
            "TMPDIR": str(tmp_path),
        },
    )
    try:
        server.wait_until_healthy()
        for _ in range(19):
            with urllib.request.urlopen(f"{server.url}/health", timeout=30):
                pass
        with pytest.raises(urllib.error.HTTPError) as public:
            urllib.request.urlopen(f"{server.url}/metrics", timeout=30)
        families = scrape(metrics_port)
        # granian gathers its workers' figures every GRANIAN_METRICS_SCRAPE_INTERVAL seconds.
        deadline = time.monotonic() + 15
        while True:
            handled = {
                s.labels["worker"]: s.value
                for s in scrape(granian_port)["granian_requests_handled"]
            }
            if sum(handled.values()) >= 21 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        server.stop()

    assert public.value.code == 404
    health = [
        s.value
        for s in families["agente_http_requests"]
        if s.labels == {"route": "health", "method": "GET", "status": "200"}
    ]
    assert health == [20]  # wait_until_healthy's probe and 19 more, whichever worker took them
    # Every request any worker handled, the /metrics 404 included, is in the one endpoint
    # (which worker takes a connection is the kernel's choice, so not asserted).
    assert sum(s.value for s in families["agente_http_requests"]) == sum(handled.values()) == 21
    # Both workers keep their values in the directory bin/http-server made for them.
    files = (tmp_path / "agente-metrics-http").glob("counter_*.db")
    assert len({path.stem.rsplit("_", 1)[1] for path in files}) == 2
