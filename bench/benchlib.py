"""What both benchmarks share: the environment servers get, a fresh PostgreSQL database, Django
set up in the benchmark's own process (to seed data and mint tokens), and starting/stopping a
server on a free loopback port. Only 127.0.0.1 is ever contacted."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


# Redis db 0 unless BENCH_REDIS_URL says otherwise: on a shared machine, other people's test
# runs flush db 0 (cache.clear()), which silently drops the websocket benchmark's group members.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/")
# Every server and the benchmark process sign and check tokens with this key.
JWT_SIGNING_KEY = "bench-jwt-signing-key-0123456789-abcdefghijklmnop"
SECRET_KEY = "bench-secret-key-not-for-production-0123456789-abcdefghijklmnopqrstuv"


_T0 = time.monotonic()


def log(message: str) -> None:
    """A progress line with the minutes and seconds since the benchmark started."""
    elapsed = int(time.monotonic() - _T0)
    print(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(database: str, prefix: str, **extra: str) -> dict[str, str]:
    """The environment every server variant gets (and the benchmark process itself)."""
    env = dict(os.environ)
    for name in ("DJANGO_DEBUG", "DATABASE_PASSWORD", "DATABASE_PASSWORD_FILE"):
        env.pop(name, None)
    env.update(
        DJANGO_ENV="development",
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=SECRET_KEY,
        JWT_SIGNING_KEY=JWT_SIGNING_KEY,
        # Tokens are minted once, before a run that can last longer than 15 minutes.
        JWT_ACCESS_MINUTES="240",
        DATABASE_URL=database_url(database),
        REDIS_URL=REDIS_URL,
        # Live updates really go through Redis, under keys no other process uses.
        CHANNELS_PREFIX=prefix,
        CACHE_PREFIX=prefix,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        LOG_LEVEL="WARNING",
        # One user makes every request: the per-user rate (1200/min by default) would answer 429
        # within a second. Raised, not turned off, so its Redis round trip is still measured.
        THROTTLE_USER="100000000/min",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def database_name(suffix: str = "") -> str:
    """BENCH_DATABASE (default agente_bench) plus `suffix` (`_ws`, `_summaries`). The benchmarks
    drop and recreate their databases: two people running them on one machine at once each set
    their own. Only names starting with agente_bench, so no other database is ever dropped."""
    base = os.environ.get("BENCH_DATABASE") or "agente_bench"
    if not re.fullmatch(r"agente_bench\w*", base):
        sys.exit(f"BENCH_DATABASE={base!r}: must start with agente_bench (letters, digits, _)")
    return base + suffix


def reset_database(name: str) -> None:
    """Drop and create `name` (the benchmark's own database, never another)."""
    import psycopg

    assert name.startswith("agente_bench"), name
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(env: dict[str, str]) -> None:
    """Django in this process, on the benchmark database, migrated."""
    os.environ.update(env)
    # The repository before bench/ (the script's folder, first on sys.path): bench/summaries.py
    # would otherwise shadow the summaries app whenever PYTHONPATH already names the repository.
    if sys.path[:1] != [str(ROOT)]:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def access_token(user) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    return str(AccessToken.for_user(user))


def wsgi_target(tmp: Path) -> tuple[str, str | None]:
    """`config.wsgi:application`, or a stand-in module in `tmp` (outside the repository) while
    the project has no config/wsgi.py yet. Returns (target, note)."""
    if (ROOT / "config" / "wsgi.py").exists():
        return "config.wsgi:application", None
    (tmp / "bench_wsgi.py").write_text(
        "import os\n\n"
        "from django.core.wsgi import get_wsgi_application\n\n"
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")\n'
        "application = get_wsgi_application()\n"
    )
    return "bench_wsgi:application", "config/wsgi.py is missing: WSGI variants use a stand-in"


def get(port: int, path: str, token: str | None = None, method: str = "GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Server:
    """One server process (and its children) in its own session, logging to a file."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], port: int, logdir: Path):
        self.name, self.cmd, self.env, self.port = name, cmd, env, port
        self.log_path = logdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            try:
                if get(self.port, "/health")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer /health in {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass

    def rss_kib(self) -> int | None:
        """VmRSS of the server's own process (Daphne is a single process)."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except (OSError, AttributeError):
            return None
        return None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_problems(self) -> list[str]:
        """Distinct error lines the server logged (tracebacks' last lines, ERROR/CRITICAL)."""
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
        seen: dict[str, int] = {}
        for i, line in enumerate(text):
            key = None
            if " ERROR " in line or " CRITICAL " in line:
                key = line.split(" ", 2)[-1][:160]
            elif line.startswith("Traceback") or line.startswith("Exception"):
                # The exception line closes the traceback: the next unindented line.
                for follow in text[i + 1 :]:
                    if follow and not follow.startswith((" ", "Traceback")):
                        key = follow[:160]
                        break
            if key:
                seen[key] = seen.get(key, 0) + 1
        return [f"{count}x {key}" for key, count in seen.items()]


def logdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def write_report(name: str, text: str, *, logs: Path) -> Path:
    """Print the markdown report and keep it as /tmp/<name>-<date>.md."""
    out = Path(tempfile.gettempdir()) / f"{name}-{dt.datetime.now():%Y%m%d-%H%M%S}.md"
    out.write_text(text)
    print("\n" + text, flush=True)
    log(f"written to {out}; logs in {logs}")
    return out
