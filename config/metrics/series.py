"""Every series the app records. Names start with `agente_`; labels take values from a closed
set (a route's name, never a raw path with ids in it; a method from the standard ones), so a
client cannot create series by sending odd requests.

Under granian's several workers (the http role) prometheus-client's multiprocess mode keeps each
value in a file per process and the endpoint adds them up (config/metrics/exporter.py); gauges
say how (`livesum`: the sum over live processes). Elsewhere the values live in memory.
"""

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

# No `_created` sample beside every counter and histogram: twice the series for a start time
# Prometheus does not need (multiprocess mode never has them either).
disable_created_metrics()

# -- HTTP (every role that serves HTTP: http, and ws for the assistant's turns) ---------------
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
QUERY_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)
DB_SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)

HTTP_REQUESTS = Counter(
    "agente_http_requests",
    "HTTP requests answered, by route name, method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "agente_http_request_duration_seconds",
    "Time from the first middleware to the response, by route name and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
HTTP_DB_QUERIES = Histogram(
    "agente_http_request_db_queries",
    "Database queries one request ran on its own thread, by route name.",
    ["route"],
    buckets=QUERY_BUCKETS,
)
HTTP_DB_SECONDS = Histogram(
    "agente_http_request_db_seconds",
    "Time one request spent in those queries, by route name.",
    ["route"],
    buckets=DB_SECONDS_BUCKETS,
)

# -- websockets (ws) -----------------------------------------------------------------------------
WS_OPEN = Gauge("agente_ws_connections_open", "Websockets open now.", multiprocess_mode="livesum")
WS_OPENED = Counter("agente_ws_connections", "Websockets accepted.")
WS_FRAMES_RECEIVED = Counter("agente_ws_frames_received", "Frames from clients.")
WS_FRAMES_SENT = Counter(
    "agente_ws_frames_sent",
    "Frames sent to clients, by type: live updates relayed from the channel layer "
    "(task.updated, …), the assistant's frames and control frames (ready, pong, error).",
    ["type"],
)

# -- the assistant and the model (ws for turns, worker for summaries) ---------------------------
ASSISTANT_TURNS = Counter(
    "agente_assistant_turns",
    "Assistant turns that started, by source (text, voice) and outcome.",
    ["source", "outcome"],
)
MODEL_REQUESTS = Counter(
    "agente_model_requests",
    "Requests to the language model, by model and outcome (ok, timeout, error).",
    ["model", "outcome"],
)
MODEL_TOKENS = Counter(
    "agente_model_tokens",
    "Tokens the model reported, by model and kind (prompt, completion).",
    ["model", "kind"],
)
MODEL_COST = Counter(
    "agente_model_cost_usd",
    "What those tokens cost in US dollars at OPENAI_PRICE_*_PER_MILLION (0 when unset).",
    ["model"],
)

# -- background jobs (worker) --------------------------------------------------------------------
JOBS_FINISHED = Counter(
    "agente_jobs_finished",
    "Jobs this worker ran, by task and status (SUCCESSFUL, FAILED).",
    ["task", "status"],
)
JOB_DURATION = Histogram(
    "agente_job_duration_seconds",
    "How long a job ran on the worker, by task.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900),
)
HEARTBEAT = Gauge(
    "agente_heartbeat_timestamp_seconds",
    "When this process last beat (Unix time): its loop is alive.",
    ["role"],
    multiprocess_mode="max",
)

# -- push (worker) -------------------------------------------------------------------------------
PUSH_MESSAGES = Counter(
    "agente_push_messages",
    "Push messages by outcome: sent (accepted by Expo), failed, retrying, logged (push off), "
    "skipped_* (quiet hours, daily cap, notifications off).",
    ["outcome"],
)
PUSH_RECEIPTS = Counter(
    "agente_push_receipts", "Expo receipts read, by status (ok, error).", ["status"]
)
PUSH_DEVICES_REMOVED = Counter(
    "agente_push_devices_removed", "Devices removed because Expo said they are gone."
)

# -- throttles (every role) ----------------------------------------------------------------------
THROTTLE_REFUSALS = Counter(
    "agente_throttle_refusals",
    "Requests (or password attempts) refused by a throttle, by its scope (THROTTLE_RATES).",
    ["scope"],
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str | None) -> str:
    """The method, or `other` for anything a client made up."""
    return method if method in METHODS else "other"


def count_throttle_refusal(scope: str) -> None:
    THROTTLE_REFUSALS.labels(scope=scope or "unknown").inc()


def count_model_usage(
    *, model: str, prompt_tokens: int | None, completion_tokens: int | None, prices: tuple
) -> None:
    """Tokens of one model request and their cost; `prices` are US dollars per million prompt
    and completion tokens."""
    prompt, completion = prompt_tokens or 0, completion_tokens or 0
    if prompt:
        MODEL_TOKENS.labels(model=model, kind="prompt").inc(prompt)
    if completion:
        MODEL_TOKENS.labels(model=model, kind="completion").inc(completion)
    cost = (prompt * prices[0] + completion * prices[1]) / 1_000_000
    if cost > 0:
        MODEL_COST.labels(model=model).inc(cost)


def count_push(counts: dict[str, int]) -> None:
    """One push job run's counts (accounts.push.PushCounts), by what each field is."""
    for name, value in counts.items():
        if value <= 0:
            continue
        if name.startswith("receipts_"):
            PUSH_RECEIPTS.labels(status=name.removeprefix("receipts_")).inc(value)
        elif name == "devices_removed":
            PUSH_DEVICES_REMOVED.inc(value)
        else:
            PUSH_MESSAGES.labels(outcome=name).inc(value)
