"""Prometheus metrics and role heartbeats (issue 25; deploy/README.md, "Observability: metrics").

- `series`: every series the app records, in one place; the apps import what they count from it
  (it sits in `config`, below every app, so any app may count without an edge in the layering).
- `middleware`: requests by route, method and status, their latency, and their database queries
  and time; its first construction in a server process also starts that process's endpoint.
- `exporter`: the endpoint itself, `prometheus_client`'s own small HTTP server on METRICS_PORT,
  never a route of the public URLconf, so Traefik has nothing to route to it.
- `state`: figures read at scrape time from shared state (the jobs table, the push backlog, the
  heartbeats), reported by the http role.
- `heartbeat`: the worker's and scheduler's sign of life (a file in the container for Docker's
  health check, a key in the cache for /health/ready and the metric), and its `python -m`
  check.
- `role`: `python -m config.metrics.role ROLE COMMAND…`, how the image runs the background
  roles: their manage.py command with an endpoint and a heartbeat.

Hand-written glue over prometheus-client rather than django-prometheus: that package adds a
middleware pair, wraps every database backend and model, and labels by view function, while
what we need is one middleware, route names, and a multiprocess-safe endpoint off the public
app.
"""
