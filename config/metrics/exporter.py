"""A process's metrics endpoint: prometheus-client's own HTTP server on METRICS_ADDRESS:
METRICS_PORT (off when METRICS_PORT is 0, the default outside the stack). It is a port of its
own, not a route of the app: the public URLconf has no /metrics, and Traefik routes only to
port 8000, so nothing outside the stack's networks reaches it (deploy/README.md).

One endpoint per container, whatever the role:

- http: granian runs WEB_CONCURRENCY worker processes, each with its own counters. bin/
  http-server sets PROMETHEUS_MULTIPROC_DIR (emptied at each start), so every worker writes its
  values to files there, and the first worker to bind the port serves the sum over all of them
  (prometheus-client's multiprocess mode); the others find the port taken and carry on. If
  that worker dies, granian's replacement binds the port again; the counts of a dead worker
  stay in its files. Chosen over a port per worker (Prometheus would need every worker as a
  target, and a respawned worker's counts would restart from zero) and over a separate
  exporter process (one more Django in a 384 MiB task). The http endpoint also reports the
  shared state (config/metrics/state.py).
- ws (one Daphne process), worker and scheduler: one process, values in memory, plus the
  process's own CPU, memory and open files (prometheus-client's default collectors).
"""

import logging
import os
import threading

from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_started = False


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class _ThisProcess(Collector):
    """The process's default registry (every series of config/metrics/series.py and the
    process collectors), read through a registry of the endpoint's own."""

    def collect(self):
        yield from REGISTRY.collect()

    def describe(self):
        return []


def registry_for(role: str) -> CollectorRegistry:
    from config.metrics.state import SharedState

    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    if role == "http":
        registry.register(SharedState())
    return registry


def start(role: str, *, port: int, address: str):
    """Serve `role`'s metrics on address:port (0: any free port); the server, whose
    `server_port` is the port bound. OSError when the port is taken."""
    server, _thread = start_http_server(port, addr=address, registry=registry_for(role))
    return server


def start_from_settings(role: str | None = None):
    """The endpoint of this process as the settings ask (once per process; None when off or
    when another worker of the same server holds the port)."""
    global _started
    port = int(settings.METRICS_PORT or 0)
    if port <= 0:
        return None
    role = role or settings.APP_ROLE or "app"
    with _lock:
        if _started:
            return None
        _started = True
    try:
        server = start(role, port=port, address=settings.METRICS_ADDRESS)
    except OSError as exc:
        # Expected under granian: another worker of this server serves the port.
        logger.info("metrics port %s not bound by this process (%s)", port, exc.strerror)
        return None
    logger.info("metrics of the %s role on %s:%s", role, settings.METRICS_ADDRESS, port)
    return server
