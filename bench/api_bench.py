"""HTTP benchmark of the API served by Daphne, as clients see it.

    .venv/bin/python bench/api_bench.py                  # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agente_bench .venv/bin/python bench/api_bench.py

Starts `daphne config.asgi:application` on a free loopback port, migrates, registers a user,
creates tasks, then sends a bounded number of requests per scenario from a few client threads
and prints throughput and latency percentiles. Only 127.0.0.1 is ever contacted.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port: int, token: str | None = None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = token

    def request(self, method: str, path: str, body: dict | None = None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = json.dumps(body) if body is not None else None
        self.conn.request(method, path, body=payload, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None)


def run_scenario(name, port, token, make_request, total, threads):
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_thread = total // threads

    def worker(index: int):
        nonlocal errors
        client = Client(port, token)
        for i in range(per_thread):
            method, path, body, expected = make_request(index, i)
            started = time.perf_counter()
            status, _ = client.request(method, path, body)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != expected:
                    errors += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{name:<28} {len(latencies):>5} req  {len(latencies) / wall:8.1f} req/s  "
        f"p50 {q[49] * 1000:6.1f} ms  p95 {q[94] * 1000:6.1f} ms  p99 {q[98] * 1000:6.1f} ms  "
        f"unexpected {errors}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--tasks", type=int, default=50)
    args = parser.parse_args()

    env = dict(os.environ, DJANGO_ENV="development", PYTHONPATH=str(ROOT))
    tmp = tempfile.mkdtemp(prefix="agente-bench-")
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    # Login throttles would dominate a benchmark of everything else.
    env.update(THROTTLE_REGISTER_IP="100000/min", THROTTLE_REGISTER_EMAIL="100000/min")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                if Client(port).request("GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        status, body = Client(port).request(
            "POST",
            "/api/v1/auth/register",
            {"email": f"bench-{time.time_ns()}@example.com", "password": "bench password 123"},
        )
        assert status == 201, body
        token = body["access"]
        client = Client(port, token)
        task_ids = []
        for n in range(args.tasks):
            status, task = client.request("POST", "/api/v1/tasks", {"title": f"Tarea {n}"})
            assert status == 201, task
            task_ids.append(task["id"])

        print(f"daphne, 1 process, {args.threads} client threads, DB {env['DATABASE_URL'][:11]}…")
        run_scenario(
            "GET /health",
            port,
            None,
            lambda t, i: ("GET", "/health", None, 200),
            args.requests,
            args.threads,
        )
        run_scenario(
            "GET /api/v1/auth/me",
            port,
            token,
            lambda t, i: ("GET", "/api/v1/auth/me", None, 200),
            args.requests,
            args.threads,
        )
        run_scenario(
            f"GET /api/v1/tasks ({min(args.tasks, 50)}/page)",
            port,
            token,
            lambda t, i: ("GET", "/api/v1/tasks?page_size=50", None, 200),
            args.requests,
            args.threads,
        )
        run_scenario(
            "POST /tasks/{id}/start",
            port,
            token,
            lambda t, i: (
                "POST",
                f"/api/v1/tasks/{task_ids[(t * 97 + i) % len(task_ids)]}/start",
                None,
                200,
            ),
            args.requests,
            args.threads,
        )
        today = time.strftime("%Y-%m-%d")
        run_scenario(
            "GET /api/v1/tasks/report",
            port,
            token,
            lambda t, i: ("GET", f"/api/v1/tasks/report?from={today}&to={today}", None, 200),
            args.requests // 2,
            args.threads,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
