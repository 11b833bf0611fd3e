"""Figures read at scrape time from state every role shares: the jobs table, the heartbeats in
the cache, and gauges the apps register (the push backlog, accounts/apps.py).

Only the http role's endpoint reports them (config/metrics/exporter.py): one copy per http
task, all equal, so a dashboard takes `max()` over them. Read by the endpoint's own thread, which
closes its database connection after each scrape (one connection per scrape, not one more
persistent connection per task). A part that fails (the database away) is left out of that
scrape and says so in `agente_metrics_state_ok{source}`, instead of failing the whole scrape.
"""

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.models import Case, Count, F, Min, Q, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from config.metrics import heartbeat

logger = logging.getLogger(__name__)

JOB_STATES = ("queued", "scheduled", "running", "failed")


@dataclass(frozen=True)
class _Gauge:
    name: str
    documentation: str
    read: Callable[[], float]


_gauges: dict[str, _Gauge] = {}


def register_gauge(name: str, documentation: str, read: Callable[[], float]) -> None:
    """A gauge whose value `read()` returns at each scrape (a count query, say). Registered by
    an app's `ready()`, so this module never imports an app."""
    _gauges[name] = _Gauge(name, documentation, read)


def _jobs() -> list[GaugeMetricFamily]:
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    now, never = timezone.now(), get_date_max()
    ready = TaskResultStatus.READY
    state = Case(
        When(Q(status=ready, run_after__gt=now) & ~Q(run_after=never), then=Value("scheduled")),
        When(status=ready, then=Value("queued")),
        When(status=TaskResultStatus.RUNNING, then=Value("running")),
        default=Value("failed"),
    )
    counts = (
        DBTaskResult.objects.filter(
            status__in=[ready, TaskResultStatus.RUNNING, TaskResultStatus.FAILED]
        )
        .annotate(state=state)
        .values("queue_name", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    # Waiting since it was queued, or since its run_after for a job queued to run later.
    waiting_since = Case(
        When(run_after=never, then=F("enqueued_at")), default=Greatest("enqueued_at", "run_after")
    )
    oldest = (
        DBTaskResult.objects.ready()
        .values("queue_name")
        .annotate(since=Min(waiting_since))
        .order_by()
    )
    table: dict[str, dict[str, int]] = {"default": {}}
    for row in counts:
        table.setdefault(row["queue_name"], {})[row["state"]] = row["n"]
    ages = {row["queue_name"]: (now - row["since"]).total_seconds() for row in oldest}
    jobs = GaugeMetricFamily(
        "agente_jobs",
        "Jobs in the table by state (queued: due now; scheduled: due later) and queue.",
        labels=["state", "queue"],
    )
    age = GaugeMetricFamily(
        "agente_jobs_oldest_queued_age_seconds",
        "How long the oldest job due now has waited for a worker, by queue (0: none waits).",
        labels=["queue"],
    )
    for queue in sorted(table.keys() | ages.keys()):
        for name in JOB_STATES:
            jobs.add_metric([name, queue], table.get(queue, {}).get(name, 0))
        age.add_metric([queue], max(0.0, ages.get(queue, 0.0)))
    return [jobs, age]


def _heartbeats() -> list[GaugeMetricFamily]:
    family = GaugeMetricFamily(
        "agente_heartbeat_age_seconds",
        "Seconds since any task of the role last beat (+Inf: never, or over a day ago).",
        labels=["role"],
    )
    for role, age in heartbeat.ages(settings.HEARTBEAT_ROLES).items():
        family.add_metric([role], math.inf if age is None else age)
    return [family]


def _registered() -> list[GaugeMetricFamily]:
    families = []
    for gauge in _gauges.values():
        family = GaugeMetricFamily(gauge.name, gauge.documentation)
        family.add_metric([], float(gauge.read()))
        families.append(family)
    return families


SOURCES: dict[str, Callable[[], list[GaugeMetricFamily]]] = {
    "jobs": _jobs,
    "heartbeats": _heartbeats,
    "apps": _registered,
}


class SharedState(Collector):
    def __init__(self, sources=tuple(SOURCES)):
        self.sources = {name: SOURCES[name] for name in sources}

    def collect(self):
        ok = GaugeMetricFamily(
            "agente_metrics_state_ok",
            "1 when this scrape could read the source (jobs, heartbeats, apps), else 0.",
            labels=["source"],
        )
        try:
            for source, read in self.sources.items():
                try:
                    families = read()
                except Exception as exc:
                    logger.warning("metrics: %s unreadable (%s)", source, type(exc).__name__)
                    ok.add_metric([source], 0)
                    continue
                ok.add_metric([source], 1)
                yield from families
        finally:
            # This thread's own connection (the endpoint's); one inside a transaction is a
            # caller's (a test's) and stays.
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:
                    connection.close()
        yield ok

    def describe(self):
        # Nothing up front: registering must not run the queries.
        return []
