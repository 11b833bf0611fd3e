"""Requests by route, method and status, their latency and their database queries
(config/metrics/middleware.py), through the whole middleware stack."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from prometheus_client import REGISTRY

from tests.metrics.helpers import Delta, value

pytestmark = pytest.mark.django_db


def labels_of(name: str) -> list[dict]:
    return [
        sample.labels
        for family in REGISTRY.collect()
        for sample in family.samples
        if sample.name == name
    ]


def test_a_request_is_counted_by_its_route_name_never_its_path(api_client, user):
    task = api_client.post("/api/v1/tasks", {"title": "Informe"}, format="json").json()
    with Delta("agente_http_requests_total", route="task-detail", method="GET", status="200") as d:
        response = api_client.get(f"/api/v1/tasks/{task['id']}")

    assert response.status_code == 200
    assert d.value == 1
    every_label = {v for labels in labels_of("agente_http_requests_total") for v in labels.values()}
    assert not any(task["id"] in label for label in every_label)


def test_latency_is_observed_per_route_and_method(api_client):
    with Delta("agente_http_request_duration_seconds_count", route="task-list", method="GET") as d:
        api_client.get("/api/v1/tasks")
    assert d.value == 1
    assert value("agente_http_request_duration_seconds_sum", route="task-list", method="GET") > 0


def test_the_queries_a_request_ran_are_observed(api_client):
    api_client.get("/api/v1/tasks")  # first request: whatever is loaded once per process
    before = value("agente_http_request_db_queries_sum", route="task-list")
    with (
        CaptureQueriesContext(connection) as queries,
        Delta("agente_http_request_db_queries_count", route="task-list") as d,
    ):
        api_client.get("/api/v1/tasks")

    assert d.value == 1
    ran = value("agente_http_request_db_queries_sum", route="task-list") - before
    assert ran == len(queries) > 0
    assert value("agente_http_request_db_seconds_count", route="task-list") >= 1


def test_a_path_that_matches_no_route_is_unmatched(client):
    with Delta("agente_http_requests_total", route="unmatched", method="GET", status="404") as d:
        assert client.get("/no/such/thing/12345").status_code == 404
    assert d.value == 1


def test_a_made_up_method_does_not_make_a_series_of_its_own(client):
    with Delta("agente_http_requests_total", route="health", method="other", status="405") as d:
        response = client.generic("BREW", "/health")
    assert response.status_code == 405
    assert d.value == 1
    methods = {labels["method"] for labels in labels_of("agente_http_requests_total")}
    assert "BREW" not in methods


def test_answers_before_url_resolution_are_counted_under_their_route(client):
    with Delta("agente_http_requests_total", route="health", method="GET", status="200") as d:
        client.get("/health", HTTP_HOST="10.0.0.7:8000")  # a probe, not an allowed host
    assert d.value == 1

    with Delta("agente_http_requests_total", route="task-list", method="POST", status="413") as d:
        response = client.post(
            "/api/v1/tasks", data=b"{}", content_type="application/json", CONTENT_LENGTH="9999999"
        )
    assert response.status_code == 413
    assert d.value == 1
