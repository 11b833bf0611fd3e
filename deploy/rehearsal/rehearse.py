"""`make rehearsal`: deploy the production stack on this machine and use it as people would.

Runs as root on a machine like ours (Debian, no Docker Hub): installs docker.io and debootstrap
when missing, starts a Docker engine if none answers, joins a fresh single-node swarm if the
engine is in none, builds the stand-in images (standins/build.sh, cached) and the app image from
deploy/Dockerfile, creates the stack's secrets with random values and a self-signed certificate
for api.rehearsal.test, deploys deploy/stack.yml with the guide's commands (plus
stack.rehearsal.yml: the fake vendors, the legacy database and the stand-in Traefik's trusted
"Cloudflare" range), runs the guide's migrate job, then checks everything through Traefik on
443 (the CA trusted, the host resolved to 127.0.0.1 in this process only).

It prints one row per check with its result and time, exits 1 when one failed, and leaves the
machine as it found it: the stack, its volumes, secrets, configs and one-off services removed;
the swarm left and the engine stopped only if this run started them. Images stay as a cache
(REHEARSAL_KEEP_IMAGES=0 removes the app images too).

    sudo .venv/bin/python deploy/rehearsal/rehearse.py [--keep]   # --keep: leave it running
    sudo .venv/bin/python deploy/rehearsal/rehearse.py --clean    # remove what --keep left

deploy/README.md ("Rehearsal") says what the stand-ins differ in and how long it takes.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "deploy" / "rehearsal"
HOST = "api.rehearsal.test"
STACK = "agente"
# Cloudflare's role: the rehearsal's requests carry the visitor's address in X-Forwarded-For,
# from a peer the stand-in Traefik trusts as it trusts Cloudflare's ranges.
VISITOR = "198.51.100.7"
ADMIN_VISITOR = "198.51.100.200"
IMAGE = "agente-backend"
STANDINS = {
    "TRAEFIK_IMAGE": "rehearsal/traefik:v3.6",
    "POSTGRES_IMAGE": "rehearsal/postgres:17",
    "REDIS_IMAGE": "rehearsal/redis:7",
}
SECRET_NAMES = [
    "db_password",
    "redis_password",
    "email_password",
    "django_secret_key",
    "jwt_secret",
    "openai_api_key",
    "deepgram_api_key",
    "tls_cert",
    "tls_key",
    # The rehearsal's own: its CA (trusted by the app, for the fake mail provider's STARTTLS)
    # and the fake provider's certificate.
    "rehearsal_ca",
    "rehearsal_fakes_cert",
    "rehearsal_fakes_key",
]
APP_HOST = "app.rehearsal.test"
APP_SERVICES = ["http", "ws", "worker", "scheduler"]
ALL_SERVICES = [*APP_SERVICES, "traefik", "postgres", "redis", "backup", "fakes", "legacy"]
ONE_OFF = ["agente_migrate", "agente_import_legacy"]
LEGACY_FIXTURE = ROOT / "tests" / "accounts" / "fixtures" / "legacy_fastify.sql"
# Written by a --keep run, read (and removed) by --clean: what that run created.
KEPT_MARKER = Path("/var/tmp/agente-rehearsal-kept.json")


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def run(
    *args: str,
    check: bool = True,
    env: dict | None = None,
    input: bytes | None = None,
    timeout: float = 600,
    quiet: bool = False,
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        args,
        input=input,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
    if check and result.returncode != 0:
        out = (result.stdout + result.stderr).decode(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(args[:6])} … exited {result.returncode}:\n{out}")
    if not quiet and result.returncode != 0:
        log(f"({' '.join(args[:4])} … exited {result.returncode})")
    return result


def out(*args: str, **kwargs) -> str:
    return run(*args, **kwargs).stdout.decode().strip()


def wait_for(what: str, probe: Callable[[], bool], seconds: float, every: float = 1.0) -> None:
    """Until `probe()` is true; a probe that raises is not ready yet, and the last error is
    part of the time-out's message."""
    deadline = time.monotonic() + seconds
    last = ""
    while True:
        try:
            if probe():
                return
        except Exception as exc:
            last = f" (last: {type(exc).__name__}: {str(exc)[:300]})"
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {seconds:.0f} s{last}")
        time.sleep(every)


# --- Metrics: what each role's endpoint must show ----------------------------------------------

# Scraped once after the checks that make traffic (check_metrics): (service, port, series), where
# a series is `name` or `name{label="value",…}` and needs one sample with that name and at least
# those labels. Every task of the service is scraped (each http replica reports its own counts:
# Traefik's 2-second /health probes reach every one). deploy/README.md, "Observability: metrics".
METRICS_SCRAPES = [
    (
        "http",
        9100,
        [
            'agente_http_requests_total{route="health",method="GET",status="200"}',
            'agente_http_request_duration_seconds_bucket{route="health"}',
            'agente_http_request_db_queries_bucket{route="health"}',
            'agente_jobs{state="queued",queue="default"}',
            "agente_jobs_oldest_queued_age_seconds",
            'agente_heartbeat_age_seconds{role="worker"}',
            'agente_heartbeat_age_seconds{role="scheduler"}',
            "agente_push_receipts_pending",
            'agente_metrics_state_ok{source="jobs"}',
        ],
    ),
    (
        "ws",
        9100,
        [
            "agente_ws_connections_open",
            'agente_ws_frames_sent_total{type="ready"}',
            'agente_ws_frames_sent_total{type="task.updated"}',
            'agente_ws_frames_sent_total{type="assistant.delta"}',
            'agente_assistant_turns_total{source="text",outcome="complete"}',
            'agente_model_tokens_total{kind="prompt"}',
            'agente_http_requests_total{route="chat-voice",status="201"}',
            "process_resident_memory_bytes",
        ],
    ),
    (
        "worker",
        9100,
        [
            'agente_heartbeat_timestamp_seconds{role="worker"}',
            'agente_jobs_finished_total{status="SUCCESSFUL"}',
            "agente_job_duration_seconds_bucket",
            "process_resident_memory_bytes",
        ],
    ),
    (
        "scheduler",
        9100,
        ['agente_heartbeat_timestamp_seconds{role="scheduler"}', "process_resident_memory_bytes"],
    ),
]
# Traefik's own, on its `metrics` entry point, read from an http task (both are on `public`).
TRAEFIK_SERIES = [
    'traefik_entrypoint_requests_total{entrypoint="websecure"}',
    'traefik_service_requests_total{service="agente-http@swarm"}',
    'traefik_service_requests_total{service="agente-ws@swarm"}',
]
# Run inside an app task: print the body of a URL, whatever its status (a 503 has a body too).
FETCH = (
    "import sys, urllib.error, urllib.request\n"
    "try:\n"
    "    body = urllib.request.urlopen(sys.argv[1], timeout=10).read()\n"
    "except urllib.error.HTTPError as exc:\n"
    "    body = exc.read()\n"
    "sys.stdout.write(body.decode())\n"
)

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(.)")


def _labels(text: str) -> dict[str, str]:
    """`a="1",b="x\\"y"` -> {"a": "1", "b": 'x"y'} (the exposition's escapes: \\\\, \\", \\n)."""
    return {
        name: _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), value)
        for name, value in _LABEL.findall(text or "")
    }


def metric_samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    """The samples of a Prometheus text exposition: (name, labels, value); comments, blank
    and unreadable lines are skipped."""
    samples = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        found = _SAMPLE.match(line)
        if found is None:
            continue
        name, labels, value = found.groups()
        try:
            samples.append((name, _labels(labels), float(value)))
        except ValueError:
            continue
    return samples


def missing_series(text: str, wanted: list[str]) -> list[str]:
    """The entries of `wanted` (`name` or `name{label="value",…}`) with no sample in `text`
    that has that name and at least those labels."""
    samples = metric_samples(text)
    missing = []
    for series in wanted:
        found = _SAMPLE.match(f"{series} 0")
        if found is None:
            raise ValueError(f"not a series: {series!r}")
        name, labels = found.group(1), _labels(found.group(2))
        if not any(
            sample_name == name and labels.items() <= sample_labels.items()
            for sample_name, sample_labels, _value in samples
        ):
            missing.append(series)
    return missing


# --- HTTPS through Traefik ---------------------------------------------------------------------

_real_getaddrinfo = socket.getaddrinfo


def _resolve_rehearsal_host(host, *args, **kwargs):
    # The rehearsal's host name resolves to this machine, in this process only (no /etc/hosts).
    if host == HOST:
        host = "127.0.0.1"
    return _real_getaddrinfo(host, *args, **kwargs)


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class Client:
    def __init__(self, ca_file: Path) -> None:
        self.context = ssl.create_default_context(cafile=str(ca_file))

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict | bytes | None = None,
        token: str | None = None,
        headers: dict | None = None,
        visitor: str = VISITOR,
        tls: bool = True,
        timeout: float = 20,
    ) -> Response:
        if tls:
            conn = http.client.HTTPSConnection(HOST, 443, context=self.context, timeout=timeout)
        else:
            conn = http.client.HTTPConnection(HOST, 80, timeout=timeout)
        sent = {"X-Forwarded-For": visitor, **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        data = body
        if isinstance(body, dict):
            data = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            return Response(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            conn.close()


# --- The run -------------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    ok: bool
    seconds: float
    detail: str = ""


@dataclass
class State:
    started_engine: subprocess.Popen | None = None
    joined_swarm: bool = False
    labelled_node: str | None = None
    # True once the machine was found without any stack, secret, volume, network or config of
    # the stack's names: only then is everything of those names this run's to remove.
    owns_stack: bool = False
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rehearsal-")))
    secret_values: dict = field(default_factory=dict)
    accounts: dict = field(default_factory=dict)


class Rehearsal:
    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.state = State()
        self.checks: list[Check] = []
        self.client: Client | None = None
        self.stack_env: dict = {}

    # -- bookkeeping --

    @contextlib.contextmanager
    def check(self, name: str, *, fatal: bool = False):
        started = time.monotonic()
        log(f"… {name}")
        try:
            yield
        except Exception as exc:
            detail = f"{type(exc).__name__}: {exc}"
            self.checks.append(Check(name, False, time.monotonic() - started, detail))
            log(f"FAIL {name}: {detail}")
            if os.environ.get("REHEARSAL_DEBUG"):
                traceback.print_exc()
            if fatal:
                raise
        else:
            self.checks.append(Check(name, True, time.monotonic() - started))
            log(f"ok   {name} ({time.monotonic() - started:.1f} s)")

    def table(self) -> str:
        width = max(len(c.name) for c in self.checks)
        lines = [f"{'check'.ljust(width)}  result  seconds", f"{'-' * width}  ------  -------"]
        for c in self.checks:
            lines.append(f"{c.name.ljust(width)}  {'ok' if c.ok else 'FAIL':6}  {c.seconds:7.1f}")
            if not c.ok:
                lines.append(f"{'':{width}}    {c.detail[:400]}")
        failed = sum(not c.ok for c in self.checks)
        lines.append(f"{len(self.checks) - failed} passed, {failed} failed")
        return "\n".join(lines)

    # -- the machine --

    def prepare_machine(self) -> None:
        if os.geteuid() != 0:
            raise RuntimeError("the rehearsal runs as root (it drives the Docker engine)")
        missing = [
            pkg
            for tool, pkg in (("dockerd", "docker.io"), ("debootstrap", "debootstrap"))
            if shutil.which(tool) is None
        ]
        if missing:
            log(f"installing {' '.join(missing)} from Debian's packages")
            run("apt-get", "update", "-qq", timeout=300)
            run(
                "apt-get",
                "install",
                "-y",
                "-qq",
                *missing,
                timeout=900,
                env={"DEBIAN_FRONTEND": "noninteractive"},
            )
        if run("docker", "info", check=False, quiet=True).returncode != 0:
            log("starting a Docker engine (stopped again at the end)")
            engine_log = open(self.state.tmp / "dockerd.log", "wb")
            self.state.started_engine = subprocess.Popen(
                ["dockerd"], stdout=engine_log, stderr=subprocess.STDOUT
            )
            wait_for(
                "the Docker engine",
                lambda: run("docker", "info", check=False, quiet=True).returncode == 0,
                60,
            )
        swarm = out("docker", "info", "--format", "{{.Swarm.LocalNodeState}}")
        if swarm == "inactive":
            log("joining a fresh single-node swarm (left again at the end)")
            run("docker", "swarm", "init", "--advertise-addr", "127.0.0.1")
            self.state.joined_swarm = True
        elif swarm != "active":
            raise RuntimeError(f"the engine's swarm is {swarm!r}; leave it or fix it first")
        self.refuse_a_machine_with_a_stack()
        node = out("docker", "node", "ls", "-q", "--filter", "role=manager").split()[0]
        labels = out("docker", "node", "inspect", node, "--format", "{{json .Spec.Labels}}")
        if "agente.db" not in labels:
            run("docker", "node", "update", "--label-add", "agente.db=true", node)
            self.state.labelled_node = node

    def refuse_a_machine_with_a_stack(self) -> None:
        """The rehearsal deploys under the production names (stack.yml fixes some of them, such
        as the network agente_public), so it runs only where none of them exists, and only then
        removes them at the end: never on a server with a stack, a secret, a volume, a network
        or a config of those names (the seed's service is a stack `agente` too)."""
        found = []
        if STACK in out("docker", "stack", "ls", "--format", "{{.Name}}").split():
            found.append(f"stack {STACK}")
        found += [
            f"secret {name}"
            for name in SECRET_NAMES
            if run("docker", "secret", "inspect", name, check=False, quiet=True).returncode == 0
        ]
        for kind, listing in (
            ("volume", ("docker", "volume", "ls", "--format", "{{.Name}}")),
            ("network", ("docker", "network", "ls", "--format", "{{.Name}}")),
            ("config", ("docker", "config", "ls", "--format", "{{.Name}}")),
            ("service", ("docker", "service", "ls", "--format", "{{.Name}}")),
        ):
            found += [f"{kind} {n}" for n in out(*listing).split() if n.startswith(f"{STACK}_")]
        if found:
            raise RuntimeError(
                f"this machine has {', '.join(found[:6])}: the rehearsal runs only where none "
                "of the stack's names exists, and touches nothing it did not create"
            )
        self.state.owns_stack = True

    def build_images(self) -> None:
        run("sh", str(HERE / "standins" / "build.sh"), timeout=1800)
        for tag, label in (("rehearsal-1", "1"), ("rehearsal-2", "2")):
            # Two tags of the same code (a label apart) so the rolling update has a new image.
            run(
                "docker",
                "buildx",
                "build",
                "--load",
                "--quiet",
                "--build-arg",
                "PYTHON_IMAGE=rehearsal/python:3.13-slim",
                "--label",
                f"rehearsal.build={label}",
                "-f",
                "deploy/Dockerfile",
                "-t",
                f"{IMAGE}:{tag}",
                str(ROOT),
                timeout=1200,
            )

    # -- secrets, certificate, deploy --

    def create_secrets(self) -> None:
        tmp = self.state.tmp
        # A CA of the rehearsal's own and a certificate for HOST signed by it: Cloudflare's
        # origin certificate plays the same part in production.
        run(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=agente rehearsal CA",
            # Python 3.13 verifies strictly (VERIFY_X509_STRICT): a CA needs its key usage.
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            str(tmp / "ca.key"),
            "-out",
            str(tmp / "ca.pem"),
        )
        run(
            "openssl",
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            f"/CN={HOST}",
            "-keyout",
            str(tmp / "tls.key"),
            "-out",
            str(tmp / "tls.csr"),
        )
        (tmp / "san.ext").write_text(
            f"subjectAltName=DNS:{HOST}\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\n"
            "subjectKeyIdentifier=hash\n"
            "authorityKeyIdentifier=keyid,issuer\n"
        )
        run(
            "openssl",
            "x509",
            "-req",
            "-in",
            str(tmp / "tls.csr"),
            "-CA",
            str(tmp / "ca.pem"),
            "-CAkey",
            str(tmp / "ca.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            str(tmp / "san.ext"),
            "-out",
            str(tmp / "tls.pem"),
        )
        # The fake mail provider's certificate, for the name the app reaches it by.
        self.certificate(tmp, "fakes")
        values = {
            "db_password": secrets.token_hex(24),
            "email_password": secrets.token_urlsafe(24),
            "redis_password": secrets.token_hex(24),
            "django_secret_key": secrets.token_urlsafe(48),
            "jwt_secret": secrets.token_urlsafe(48),
            "openai_api_key": "sk-rehearsal-" + secrets.token_hex(16),
            "deepgram_api_key": "dg-rehearsal-" + secrets.token_hex(16),
        }
        for name, value in values.items():
            run("docker", "secret", "create", name, "-", input=value.encode())
        for name, path in (
            ("tls_cert", "tls.pem"),
            ("tls_key", "tls.key"),
            ("rehearsal_ca", "ca.pem"),
            ("rehearsal_fakes_cert", "fakes.pem"),
            ("rehearsal_fakes_key", "fakes.key"),
        ):
            run("docker", "secret", "create", name, str(tmp / path))
        self.state.secret_values = values
        self.client = Client(tmp / "ca.pem")

    @staticmethod
    def certificate(tmp: Path, name: str) -> None:
        """`name`.pem and .key, for DNS name `name`, signed by the rehearsal's CA."""
        run(
            *("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}"),
            *("-keyout", str(tmp / f"{name}.key"), "-out", str(tmp / f"{name}.csr")),
        )
        (tmp / f"{name}.ext").write_text(
            f"subjectAltName=DNS:{name}\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\n"
            "subjectKeyIdentifier=hash\n"
            "authorityKeyIdentifier=keyid,issuer\n"
        )
        run(
            *("openssl", "x509", "-req", "-in", str(tmp / f"{name}.csr")),
            *("-CA", str(tmp / "ca.pem"), "-CAkey", str(tmp / "ca.key"), "-CAcreateserial"),
            *("-days", "2", "-extfile", str(tmp / f"{name}.ext"), "-out", str(tmp / f"{name}.pem")),
        )

    def traefik_static(self) -> Path:
        """deploy/traefik/traefik.yml with the peer the rehearsal's requests arrive from added
        to the trusted ("Cloudflare") ranges: the docker_gwbridge network, through which the
        host's loopback reaches Traefik's host-mode ports."""
        subnet = out(
            "docker",
            "network",
            "inspect",
            "docker_gwbridge",
            "--format",
            "{{(index .IPAM.Config 0).Subnet}}",
        )
        text = (ROOT / "deploy" / "traefik" / "traefik.yml").read_text()
        marker = "      trustedIPs:\n"
        assert marker in text
        text = text.replace(marker, f"{marker}        - {subnet}  # the rehearsal's Cloudflare\n")
        path = self.state.tmp / "traefik.yml"
        path.write_text(text)
        return path

    def deploy(self, image_tag: str, **extra: str) -> None:
        self.stack_env = {
            "API_HOST": HOST,
            "BACKEND_IMAGE": f"{IMAGE}:{image_tag}",
            **STANDINS,
            "OPENAI_BASE_URL": "http://fakes:8080/v1",
            "DEEPGRAM_BASE_URL": "http://fakes:8080",
            # The fake mail provider: STARTTLS with a certificate of the rehearsal's CA, which
            # stack.rehearsal.yml makes the app trust (SSL_CERT_FILE).
            "EMAIL_URL": "smtp+tls://rehearsal@fakes:2525",
            "DEFAULT_FROM_EMAIL": "Agente (ensayo) <no-reply@rehearsal.test>",
            "PASSWORD_RESET_URL": f"https://{APP_HOST}/reset?uid={{uid}}&token={{token}}",
            "EMAIL_VERIFY_URL": f"https://{APP_HOST}/verify?uid={{uid}}&token={{token}}",
            "REHEARSAL_TRAEFIK_STATIC": str(self.traefik_static()),
            # The guide's defaults otherwise; the stack's own healthy-for is long for a rehearsal.
            **extra,
        }
        # The guide's command ("First deploy", step 5; "Updating", step 3), with the rehearsal's
        # additions in a second file.
        run(
            "docker",
            "stack",
            "deploy",
            "--resolve-image",
            "never",
            "-c",
            "deploy/stack.yml",
            "-c",
            "deploy/rehearsal/stack.rehearsal.yml",
            STACK,
            env=self.stack_env,
            timeout=300,
        )

    def job(self, name: str, *command: str, extra_secrets: tuple[str, ...] = ()) -> str:
        """A one-off Swarm job of the app image as the guide runs them ("Updating", step 2:
        a job can read the stack's secrets and join its internal network); its logs."""
        secrets_args = []
        for secret in ("db_password", "django_secret_key", "jwt_secret", *extra_secrets):
            secrets_args += ["--secret", secret]
        environment = [
            "DJANGO_ENV=production",
            f"DJANGO_ALLOWED_HOSTS={HOST}",
            "DATABASE_URL=postgres://agente@postgres:5432/agente",
            "TASKS_BACKEND=database",
        ]
        run(
            *("docker", "service", "create", "--detach", "--name", name),
            *("--mode", "replicated-job", "--restart-condition", "none", "--no-healthcheck"),
            *("--network", "agente_internal", *secrets_args),
            *[arg for variable in environment for arg in ("--env", variable)],
            self.stack_env["BACKEND_IMAGE"],
            *command,
        )
        return self.wait_job(name, 300)

    def migrate(self) -> None:
        # deploy/README.md, "Updating", step 2, but the image and the host.
        self.job("agente_migrate", "migrate")

    def wait_job(self, name: str, seconds: float) -> str:
        def done() -> bool:
            state = out("docker", "service", "ps", name, "--format", "{{.CurrentState}}")
            if state.startswith(("Failed", "Rejected")):
                raise RuntimeError(f"{name}: {state}\n{self.service_logs(name)[-2000:]}")
            return state.startswith("Complete")

        deadline = time.monotonic() + seconds
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not complete in {seconds:.0f} s")
            time.sleep(2)
        logs = self.service_logs(name)
        run("docker", "service", "rm", name)
        return logs

    def service_logs(self, service: str) -> str:
        """Every task's log of the service, the ones a rolling update or a kill replaced too.

        Read container by container (one node: every task's container is here, kept by the
        swarm's task history): `docker service logs` hung after the rolling update on this
        engine, printing the replaced tasks' lines and then waiting for good."""
        containers = out(
            *("docker", "ps", "--all", "--quiet"),
            *("--filter", f"label=com.docker.swarm.service.name={service}"),
        ).split()
        text = []
        for container in containers:
            result = run("docker", "logs", container, check=False, quiet=True, timeout=60)
            text.append((result.stdout + result.stderr).decode(errors="replace"))
        return "\n".join(text)

    def replicas(self) -> dict[str, tuple[int, int]]:
        rows = out("docker", "stack", "services", STACK, "--format", "{{.Name}} {{.Replicas}}")
        found = {}
        for row in rows.splitlines():
            name, replicas = row.split()[:2]
            running, wanted = replicas.split("/")[:2]
            found[name.removeprefix(f"{STACK}_")] = (int(running), int(wanted.split()[0]))
        return found

    def converged(self) -> bool:
        # The backup service counts as running only once its health check (every 5 minutes,
        # "a dump younger than 26 h") has passed; its container is up long before, and its own
        # check below uses it.
        replicas = {k: v for k, v in self.replicas().items() if k != "backup"}
        return bool(replicas) and all(r == w and w > 0 for r, w in replicas.values())

    def container(self, service: str) -> str:
        ids = out(
            "docker",
            "ps",
            "-q",
            "--filter",
            f"label=com.docker.swarm.service.name={STACK}_{service}",
        )
        if not ids:
            raise RuntimeError(f"no running container of {service}")
        return ids.split()[0]

    def containers(self, service: str) -> list[str]:
        ids = out(
            "docker",
            "ps",
            "-q",
            "--filter",
            f"label=com.docker.swarm.service.name={STACK}_{service}",
        ).split()
        if not ids:
            raise RuntimeError(f"no running container of {service}")
        return ids

    def fetch_inside(self, container: str, url: str) -> str:
        """A URL as seen from inside an app task (the metrics ports are published nowhere)."""
        return out("docker", "exec", container, "python", "-c", FETCH, url, timeout=60)

    # -- the checks --

    def api(self, *args, **kwargs) -> Response:
        assert self.client is not None
        return self.client.request(*args, **kwargs)

    def register(self, key: str, *, timezone: str = "Europe/Madrid", visitor: str = VISITOR):
        email = f"{key}-{uuid.uuid4().hex[:8]}@rehearsal.test"
        password = "Ensayo-" + secrets.token_urlsafe(12)
        r = self.api(
            "POST",
            "/api/v1/auth/register",
            visitor=visitor,
            body={
                "email": email,
                "password": password,
                "name": key.title(),
                "timezone": timezone,
            },
        )
        assert r.status == 201, (r.status, r.body[:300])
        r = self.api(
            "POST",
            "/api/v1/auth/login",
            visitor=visitor,
            body={"email": email, "password": password},
        )
        assert r.status == 200, (r.status, r.body[:300])
        account = {"email": email, "password": password, **r.json()}
        self.state.secret_values[f"password:{key}"] = password
        self.state.accounts[key] = account
        return account

    def check_networks(self) -> None:
        with self.check("every overlay network of the stack is encrypted"):
            names = [f"{STACK}_internal", f"{STACK}_egress", f"{STACK}_public"]
            options = out(
                "docker", "network", "inspect", *names, "--format", "{{.Options.encrypted}}"
            ).split()
            assert options == ["true"] * 3, dict(zip(names, options, strict=False))

    def check_edge(self) -> None:
        with self.check("GET /health through Traefik (TLS, trusted CA)"):
            r = self.api("GET", "/health")
            assert r.status == 200 and r.json()["status"] == "ok", (r.status, r.body[:200])
        with self.check("/health/ready is not reachable from outside (404)"):
            r = self.api("GET", "/health/ready")
            assert r.status == 404, r.status
        with self.check("port 80 redirects to HTTPS"):
            r = self.api("GET", "/api/v1/auth/me", tls=False)
            assert r.status in (301, 302, 307, 308), r.status
            assert r.headers["location"].startswith(f"https://{HOST}/"), r.headers
        with self.check("/admin/ closed without the allow-list (403)"):
            r = self.api("GET", "/admin/login/", visitor=ADMIN_VISITOR)
            assert r.status == 403, r.status

    def check_api(self) -> None:
        with self.check("register and log in"):
            ana = self.register("ana")
            r = self.api("GET", "/api/v1/auth/me", token=ana["access"])
            assert r.status == 200 and r.json()["email"] == ana["email"], r.status
            # Django saw HTTPS (Traefik's X-Forwarded-Proto): HSTS on every API answer.
            hsts = r.headers.get("strict-transport-security", "")
            assert "max-age=" in hsts, r.headers
        token = self.state.accounts["ana"]["access"]
        with self.check("tasks and a timer switch"):
            ids = []
            for title in ("Informe de ensayo", "Correo de ensayo"):
                r = self.api("POST", "/api/v1/tasks", token=token, body={"title": title})
                assert r.status == 201, (r.status, r.body[:200])
                ids.append(r.json()["id"])
            for task_id in ids:
                r = self.api("POST", f"/api/v1/tasks/{task_id}/start", token=token)
                assert r.status == 200, (r.status, r.body[:200])
            listed = {
                t["id"]: t["status"]
                for t in self.api("GET", "/api/v1/tasks", token=token).json()["results"]
            }
            assert listed == {ids[0]: "paused", ids[1]: "in_progress"}, listed
            self.state.accounts["ana"]["task_ids"] = ids
        with self.check("a goal with progress"):
            r = self.api(
                "POST",
                "/api/v1/goals",
                token=token,
                body={"title": "Leer", "target_value": "10", "unit": "páginas"},
            )
            assert r.status == 201, (r.status, r.body[:300])
            goal = r.json()
            r = self.api(
                "POST", f"/api/v1/goals/{goal['id']}/progress", token=token, body={"value": "2.50"}
            )
            assert r.status == 201, (r.status, r.body[:300])
            assert r.json()["goal"]["current_value"] in ("2.50", "2.5", 2.5), r.json()["goal"]
        with self.check("a check-in"):
            r = self.api("POST", "/api/v1/checkins", token=token, body={"mood": 4, "energy": 3})
            assert r.status == 201, (r.status, r.body[:300])
            assert self.api("GET", "/api/v1/checkins", token=token).json()["count"] == 1
        with self.check("the OpenAPI document"):
            r = self.api("GET", "/api/v1/schema", headers={"Accept": "application/json"})
            assert r.status == 200, r.status
            paths = json.loads(r.body)["paths"]
            assert "/api/v1/tasks" in paths or "/api/v1/tasks/" in paths, list(paths)[:5]
            # Swagger UI and its assets, collected at build time and served by WhiteNoise.
            page = self.api("GET", "/api/docs")
            assert page.status == 200, page.status
            asset = re.search(rb'src="(/static/[^"]+\.js)"', page.body)
            assert asset, page.body[:300]
            assert self.api("GET", asset.group(1).decode()).status == 200, asset.group(1)
        with self.check("a body over 1 MiB refused by Traefik (413)"):
            r = self.api(
                "POST",
                "/api/v1/tasks",
                token=token,
                body=b"{" + b" " * (1024 * 1024 + 10) + b"}",
                headers={"Content-Type": "application/json"},
            )
            assert r.status == 413, r.status
            # Traefik's plain text, not the app's envelope: the app never saw it.
            assert not r.body.startswith(b"{"), r.body[:100]

    def check_realtime(self) -> None:
        import websockets.sync.client as ws_client

        ana = self.state.accounts["ana"]
        assert self.client is not None
        with self.check("wss through Traefik: ready, a live update from the http role"):
            with ws_client.connect(
                f"wss://{HOST}/ws/chat/",
                ssl=self.client.context,
                additional_headers={"Authorization": f"Bearer {ana['access']}"},
                open_timeout=20,
            ) as sock:
                assert json.loads(sock.recv(timeout=20)) == {"type": "ready"}
                r = self.api(
                    "POST", "/api/v1/tasks", token=ana["access"], body={"title": "En vivo"}
                )
                assert r.status == 201, r.status
                frame = self._next_frame(sock, "task.updated", 20)
                assert frame["task"]["id"] == r.json()["id"], frame
        with self.check("an assistant turn streamed over wss (fake model)"):
            with ws_client.connect(
                f"wss://{HOST}/ws/chat/",
                ssl=self.client.context,
                additional_headers={"Authorization": f"Bearer {ana['access']}"},
                open_timeout=20,
            ) as sock:
                assert json.loads(sock.recv(timeout=20)) == {"type": "ready"}
                sock.send(
                    json.dumps({"type": "message", "content": "hola", "conversation_id": None})
                )
                deltas = []
                deadline = time.monotonic() + 60
                while True:
                    frame = json.loads(sock.recv(timeout=max(0.1, deadline - time.monotonic())))
                    if frame["type"] == "assistant.delta":
                        deltas.append(frame["delta"])
                    elif frame["type"] == "assistant.done":
                        break
                    elif frame["type"] == "error":
                        raise AssertionError(frame)
                text = frame["message"]["content"]
                assert len(deltas) >= 3 and "".join(deltas) == text, (deltas, text)
                assert "modelo del ensayo" in text, text
        with self.check("a voice note transcribed (fake Deepgram) and answered"):
            audio = io.BytesIO()
            with wave.open(audio, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(16000)
                w.writeframes(b"\x00\x00" * 16000)
            boundary = uuid.uuid4().hex
            body = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; '
                    f'filename="nota.wav"\r\nContent-Type: audio/wav\r\n\r\n'
                ).encode()
                + audio.getvalue()
                + f"\r\n--{boundary}--\r\n".encode()
            )
            r = self.api(
                "POST",
                "/api/v1/chat/voice",
                token=ana["access"],
                body=body,
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
                timeout=60,
            )
            assert r.status == 201, (r.status, r.body[:300])
            assert r.json()["transcript"]["text"] == "crea una tarea de ensayo", r.json()

    def websocket_reaches_daphne(self) -> bool:
        """A wss handshake through Traefik is accepted (by Daphne: no token yet, so the
        consumer waits for an `auth` frame; the socket is closed at once)."""
        import websockets.sync.client as ws_client

        assert self.client is not None
        with ws_client.connect(
            f"wss://{HOST}/ws/chat/", ssl=self.client.context, open_timeout=5
        ) as sock:
            sock.close()
        return True

    @staticmethod
    def _next_frame(sock, kind: str, seconds: float) -> dict:
        deadline = time.monotonic() + seconds
        while True:
            frame = json.loads(sock.recv(timeout=max(0.1, deadline - time.monotonic())))
            if frame["type"] == kind:
                return frame

    def check_jobs(self) -> None:
        ana = self.state.accounts["ana"]
        with self.check("the worker runs a queued job (summary generate -> 202)"):
            day = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
            r = self.api("POST", f"/api/v1/summaries/{day}/generate", token=ana["access"])
            assert r.status == 202, (r.status, r.body[:300])
            wait_for(
                "the summary",
                lambda: (
                    self.api("GET", f"/api/v1/summaries/{day}", token=ana["access"]).status == 200
                ),
                90,
            )

    def start_scheduler_probe(self) -> dict:
        """A user whose summary hour has passed: the scheduler alone must produce it."""
        account = self.register("sol", timezone="Etc/GMT-14", visitor="198.51.100.8")
        local_hour = time.gmtime(time.time() + 14 * 3600).tm_hour
        hour = max(0, local_hour - 1)
        r = self.api(
            "PATCH",
            "/api/v1/auth/me",
            token=account["access"],
            body={"preferences": {"summary_hour": hour}},
        )
        assert r.status == 200, (r.status, r.body[:300])
        return {
            "account": account,
            "day": time.strftime("%Y-%m-%d", time.gmtime(time.time() + 14 * 3600)),
        }

    def check_scheduler(self, probe: dict) -> None:
        with self.check("the scheduler fires a due summary on its own"):
            account = probe["account"]
            wait_for(
                "the scheduled summary",
                lambda: (
                    self.api(
                        "GET", f"/api/v1/summaries/{probe['day']}", token=account["access"]
                    ).status
                    == 200
                ),
                180,
                every=3,
            )

    def check_metrics(self) -> None:
        """Every role's endpoint, scraped once from inside its tasks, holds the series of what
        the checks before it did; none of it is reachable from outside."""
        with self.check("/metrics through Traefik is the app's 404; no metrics port on the host"):
            r = self.api("GET", "/metrics")
            # Outside /api/ the app's 404 is Django's HTML page; Traefik's own would be its
            # plain "404 page not found", and an exposed endpoint "# HELP" lines.
            app_404 = b"<title>Not Found</title>" in r.body and b"# HELP" not in r.body
            assert r.status == 404 and app_404, (r.status, r.body[:100])
            for port in (9100, 9101):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=2).close()
                except OSError:
                    continue
                raise AssertionError(f"something answers on the host's port {port}")
        for service, port, wanted in METRICS_SCRAPES:
            with self.check(f"{service}'s metrics on {port} hold its series"):
                for container in self.containers(service):
                    text = self.fetch_inside(container, f"http://127.0.0.1:{port}/metrics")
                    missing = missing_series(text, wanted)
                    assert not missing, (container[:12], missing)
        with self.check("Traefik's metrics on its metrics entry point hold its series"):
            text = self.fetch_inside(self.container("http"), "http://traefik:9100/metrics")
            missing = missing_series(text, TRAEFIK_SERIES)
            assert not missing, missing
        with self.check("worker and scheduler healthy on heartbeats; /health/ready sees both"):
            for service in ("worker", "scheduler"):
                status = out(
                    "docker",
                    "inspect",
                    "--format",
                    "{{.State.Health.Status}}",
                    self.container(service),
                )
                assert status == "healthy", (service, status)
            body = self.fetch_inside(self.container("http"), "http://127.0.0.1:8000/health/ready")
            checks = json.loads(body)["checks"]
            assert checks["worker"] == "ok" and checks["scheduler"] == "ok", checks

    def check_backup_restore(self) -> None:
        with self.check("backup.sh dumps inside the stack, restore.sh restores it"):
            backup = self.container("backup")
            printed = out("docker", "exec", backup, "sh", "/usr/local/bin/agente-backup")
            dump = printed.split("wrote ")[1].split(" ")[0]
            printed = out(
                "docker",
                "exec",
                backup,
                "sh",
                "/usr/local/bin/agente-restore",
                dump,
                "agente_rehearsal_restore",
            )
            assert "restored" in printed, printed
            postgres = self.container("postgres")
            email = self.state.accounts["ana"]["email"]
            count = out(
                "docker",
                "exec",
                postgres,
                "psql",
                "-U",
                "agente",
                "-d",
                "agente_rehearsal_restore",
                "-tAc",
                f"SELECT count(*) FROM tasks JOIN users ON users.id = tasks.user_id "
                f"WHERE users.email = '{email}'",
            )
            assert int(count) >= 3, count
            run(
                "docker",
                "exec",
                postgres,
                "psql",
                "-U",
                "agente",
                "-d",
                "postgres",
                "-c",
                "DROP DATABASE agente_rehearsal_restore",
            )

    def load(self, stop: threading.Event, failures: list, counts: list, token: str) -> None:
        """One client: its task list, about 12 times a second (the per-user rate, 1,200 a
        minute, is never reached: a 429 here would be a failure of the load, not the stack)."""
        while not stop.is_set():
            try:
                r = self.api("GET", "/api/v1/tasks", token=token, timeout=30)
                counts.append(r.status)
                if r.status != 200:
                    failures.append(f"{r.status} {r.body[:120]!r}")
            except Exception as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
                counts.append(0)
            stop.wait(0.08)

    @contextlib.contextmanager
    def under_load(self, clients: int = 4):
        """`clients` people, each with an account of their own, using the API at once."""
        tokens = [
            self.state.accounts.get(f"carga{n}")
            or self.register(f"carga{n}", visitor=f"198.51.100.{20 + n}")
            for n in range(clients)
        ]
        stop = threading.Event()
        failures: list = []
        counts: list = []
        threads = [
            threading.Thread(target=self.load, args=(stop, failures, counts, account["access"]))
            for account in tokens
        ]
        for t in threads:
            t.start()
        try:
            yield failures, counts
        finally:
            stop.set()
            for t in threads:
                t.join(60)

    def update_done(self, service: str) -> bool:
        state = out(
            "docker",
            "service",
            "inspect",
            f"{STACK}_{service}",
            "--format",
            "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}",
        )
        if state in ("rollback_completed", "paused", "rollback_paused"):
            raise RuntimeError(f"{service} update {state}")
        return state == "completed"

    def check_rolling_update(self) -> None:
        with self.check("rolling update of http and ws under load: zero failed requests"):
            with self.under_load() as (failures, counts):
                time.sleep(3)
                # "Updating", step 3: the new tag, and the admin opened for one address.
                self.deploy("rehearsal-2", ADMIN_ALLOWED_IPS=f"{ADMIN_VISITOR}/32")
                wait_for(
                    "the http and ws updates",
                    lambda: self.update_done("http") and self.update_done("ws"),
                    600,
                    3,
                )
                time.sleep(3)
            assert counts, "no request was made"
            assert not failures, f"{len(failures)} of {len(counts)} failed: {failures[:5]}"
            image = out(
                "docker",
                "service",
                "inspect",
                f"{STACK}_http",
                "--format",
                "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
            )
            assert image.startswith(f"{IMAGE}:rehearsal-2"), image
            log(f"    {len(counts)} requests during the update, none failed")
        with self.check("/admin/ open from the allow-list, closed to others"):
            wait_for(
                "the admin router",
                lambda: self.api("GET", "/admin/login/", visitor=ADMIN_VISITOR).status == 200,
                60,
            )
            assert self.api("GET", "/admin/login/", visitor=VISITOR).status == 403

    def check_kill(self) -> None:
        with self.check("docker kill of an http task: replaced, only in-flight requests lost"):
            with self.under_load(clients=4) as (failures, counts):
                time.sleep(3)
                victim = self.container("http")
                run("docker", "kill", victim)
                wait_for(
                    "a replacement http task",
                    lambda: (
                        self.replicas()["http"][0] == self.replicas()["http"][1]
                        and victim not in out("docker", "ps", "-q", "--no-trunc")
                    ),
                    120,
                    2,
                )
                time.sleep(5)
            assert counts, "no request was made"
            assert len(failures) <= 4, f"{len(failures)} of {len(counts)} failed: {failures[:6]}"
            log(f"    {len(counts)} requests, {len(failures)} failed (4 were in flight at most)")
        with self.check("the data is intact after update and kill"):
            ana = self.state.accounts["ana"]
            listed = {
                t["id"]: t["status"]
                for t in self.api("GET", "/api/v1/tasks", token=ana["access"]).json()["results"]
            }
            first, second = ana["task_ids"]
            assert listed[first] == "paused" and listed[second] == "in_progress", listed

    def check_cutover(self) -> None:
        with self.check("cutover: import_legacy from the old database, old password logs in"):
            if not LEGACY_FIXTURE.exists():
                raise FileNotFoundError(LEGACY_FIXTURE)
            legacy = self.container("legacy")
            wait_for(
                "the legacy database",
                lambda: (
                    run(
                        "docker",
                        "exec",
                        legacy,
                        "pg_isready",
                        "-U",
                        "legacy",
                        "-d",
                        "agente_legacy",
                        check=False,
                        quiet=True,
                    ).returncode
                    == 0
                ),
                60,
            )
            run(
                "docker",
                "exec",
                "-i",
                legacy,
                "psql",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-U",
                "legacy",
                "-d",
                "agente_legacy",
                input=LEGACY_FIXTURE.read_bytes(),
            )
            # deploy/README.md, "Cutover from the Fastify service": the import as a job on the
            # internal network; the old database's password comes from a secret file.
            # The runbook's order: a dry run, then the import.
            for dry_run in (("--dry-run",), ()):
                logs = self.job(
                    "agente_import_legacy",
                    *("manage", "import_legacy", *dry_run),
                    *("--database-url", "postgres://legacy@legacy:5432/agente_legacy"),
                    *("--database-password-file", "/run/secrets/legacy_db_password"),
                    extra_secrets=("source=db_password,target=legacy_db_password",),
                )
                for line in logs.strip().splitlines():
                    log(f"    import{' (dry run)' if dry_run else ''}: {line}")
            # The fixture's header lists its test-only passwords ("--   email  password").
            logins = re.findall(
                r"^--\s+(\S+@\S+)\s+(\S+)$", LEGACY_FIXTURE.read_text(), flags=re.MULTILINE
            )
            assert logins, "no login in the fixture's header"
            for email, password in logins:
                r = self.api(
                    "POST",
                    "/api/v1/auth/login",
                    visitor="198.51.100.9",
                    body={"email": email, "password": password},
                )
                assert r.status == 200, (email, r.status, r.body[:200])
            log(f"    {len(logins)} imported users logged in with their old passwords")

    def mails(self) -> list:
        """Every mail the fake provider accepted so far, parsed, oldest first."""
        import email
        from email import policy

        fakes = self.container("fakes")
        names = out("docker", "exec", fakes, "sh", "-c", "ls /srv/mail 2>/dev/null || true")
        found = []
        for name in sorted(names.split(), key=lambda n: int(n.split(".")[0])):
            raw = run("docker", "exec", fakes, "cat", f"/srv/mail/{name}").stdout
            found.append(email.message_from_bytes(raw, policy=policy.default))
        return found

    def link_in_mail(self, to: str, path: str) -> dict:
        """uid and token of the newest mail to `to` linking to APP_HOST/`path`."""
        pattern = re.compile(rf"https://{re.escape(APP_HOST)}/{path}\?uid=([\w-]+)&token=([\w-]+)")
        for message in reversed(self.mails()):
            if to not in str(message["To"]):
                continue
            body = message.get_body(preferencelist=("plain",)).get_content()
            if match := pattern.search(body):
                return {"uid": match.group(1), "token": match.group(2)}
        raise LookupError(f"no mail to {to} with a {path} link yet")

    def check_mail(self) -> None:
        ana = self.state.accounts["ana"]
        with self.check("the verification mail's link verifies the address (fake SMTP, TLS)"):
            link = None

            def arrived() -> bool:
                nonlocal link
                link = self.link_in_mail(ana["email"], "verify")
                return True

            wait_for("the verification mail", arrived, 60, 2)
            r = self.api("POST", "/api/v1/auth/email/verify", body=link)
            assert r.status in (200, 204), (r.status, r.body[:200])
            me = self.api("GET", "/api/v1/auth/me", token=ana["access"]).json()
            assert me["email_verified"] is True, me
        with self.check("a forgotten password: the mail alone gets the person back in"):
            r = self.api("POST", "/api/v1/auth/password/reset", body={"email": ana["email"]})
            assert r.status == 202, (r.status, r.body[:200])
            link = None

            def reset_mail() -> bool:
                nonlocal link
                link = self.link_in_mail(ana["email"], "reset")
                return True

            wait_for("the reset mail", reset_mail, 60, 2)
            new_password = "Nueva-" + secrets.token_urlsafe(12)
            self.state.secret_values["password:ana-new"] = new_password
            self.state.secret_values["reset-token"] = link["token"]
            r = self.api(
                "POST",
                "/api/v1/auth/password/reset/confirm",
                body={**link, "new_password": new_password},
            )
            assert r.status in (200, 204), (r.status, r.body[:200])
            again = self.api(
                "POST",
                "/api/v1/auth/password/reset/confirm",
                body={**link, "new_password": new_password + "x"},
            )
            assert again.status == 400, again.status  # the link works once
            old = self.api("POST", "/api/v1/auth/refresh", body={"refresh": ana["refresh"]})
            assert old.status == 401, old.status  # every session ended
            r = self.api(
                "POST",
                "/api/v1/auth/login",
                body={"email": ana["email"], "password": new_password},
            )
            assert r.status == 200, (r.status, r.body[:200])

    def check_logs(self) -> None:
        with self.check("no secret value and no traceback in any role's logs"):
            values = [v for v in self.state.secret_values.values() if len(v) >= 8]
            values += [a["access"] for a in self.state.accounts.values()]
            values += [a["refresh"] for a in self.state.accounts.values()]
            problems = []
            for service in ALL_SERVICES:
                text = self.service_logs(f"{STACK}_{service}")
                for value in values:
                    if value in text:
                        problems.append(f"{service}: a secret value")
                if "Traceback (most recent call last)" in text:
                    at = text.index("Traceback (most recent call last)")
                    problems.append(f"{service}: traceback: {text[at : at + 600]}")
            assert not problems, problems

    # -- cleanup --

    def cleanup(self) -> None:
        log("cleaning up")
        if self.state.owns_stack:
            self.remove_stack()
        if self.state.labelled_node and not self.state.joined_swarm:
            run(
                *("docker", "node", "update", "--label-rm", "agente.db"),
                self.state.labelled_node,
                check=False,
                quiet=True,
            )
        if self.state.joined_swarm:
            run("docker", "swarm", "leave", "--force", check=False, quiet=True)
        if self.state.started_engine is not None:
            self.state.started_engine.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.state.started_engine.wait(30)
        shutil.rmtree(self.state.tmp, ignore_errors=True)

    def remove_stack(self) -> None:
        """Everything of the stack's names: this run found none of them (owns_stack)."""
        for name in ONE_OFF:
            run("docker", "service", "rm", name, check=False, quiet=True)
        run("docker", "stack", "rm", STACK, check=False, quiet=True)
        with contextlib.suppress(TimeoutError):
            wait_for(
                "the stack's containers to go",
                lambda: (
                    not out(
                        "docker",
                        "ps",
                        "-aq",
                        "--filter",
                        f"label=com.docker.stack.namespace={STACK}",
                    )
                ),
                120,
                2,
            )
        with contextlib.suppress(TimeoutError):
            wait_for(
                "the stack's networks to go",
                lambda: (
                    not [
                        n
                        for n in out("docker", "network", "ls", "--format", "{{.Name}}").split()
                        if n.startswith(f"{STACK}_")
                    ]
                ),
                60,
                2,
            )
        volumes = [
            v for v in out("docker", "volume", "ls", "-q").split() if v.startswith(f"{STACK}_")
        ]
        if volumes:
            run("docker", "volume", "rm", "-f", *volumes, check=False, quiet=True)
        for name in SECRET_NAMES:
            run("docker", "secret", "rm", name, check=False, quiet=True)
        configs = [
            c
            for c in out("docker", "config", "ls", "--format", "{{.Name}}").split()
            if c.startswith(f"{STACK}_")
        ]
        if configs:
            run("docker", "config", "rm", *configs, check=False, quiet=True)
        if os.environ.get("REHEARSAL_KEEP_IMAGES", "1") == "0":
            run(
                "docker",
                "image",
                "rm",
                f"{IMAGE}:rehearsal-1",
                f"{IMAGE}:rehearsal-2",
                check=False,
                quiet=True,
            )

    def remember_for_clean(self) -> None:
        engine = self.state.started_engine
        KEPT_MARKER.write_text(
            json.dumps(
                {
                    "owns_stack": self.state.owns_stack,
                    "joined_swarm": self.state.joined_swarm,
                    "labelled_node": self.state.labelled_node,
                    "engine_pid": engine.pid if engine is not None else None,
                    "tmp": str(self.state.tmp),
                }
            )
        )

    def clean_kept(self) -> int:
        """--clean: what a --keep run created, as its marker says; nothing without one."""
        if not KEPT_MARKER.exists():
            log(f"no {KEPT_MARKER}: nothing was kept by a rehearsal, so nothing is removed")
            return 1
        kept = json.loads(KEPT_MARKER.read_text())
        self.state.owns_stack = kept["owns_stack"]
        self.state.joined_swarm = kept["joined_swarm"]
        self.state.labelled_node = kept["labelled_node"]
        shutil.rmtree(self.state.tmp, ignore_errors=True)
        self.state.tmp = Path(kept["tmp"])
        self.cleanup()
        if kept["engine_pid"]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(kept["engine_pid"], signal.SIGTERM)
        KEPT_MARKER.unlink()
        return 0

    # -- all of it --

    def run(self) -> int:
        started = time.monotonic()
        try:
            with self.check("machine: packages, engine, swarm", fatal=True):
                self.prepare_machine()
            with self.check(
                "images: stand-ins (cached) and the app from deploy/Dockerfile", fatal=True
            ):
                self.build_images()
            with self.check("secrets and the self-signed certificate", fatal=True):
                self.create_secrets()
            with self.check("docker stack deploy", fatal=True):
                self.deploy("rehearsal-1")
            with self.check("the guide's migrate job", fatal=True):
                wait_for("postgres", lambda: self.replicas().get("postgres") == (1, 1), 180, 2)
                self.migrate()
            with self.check("every service running its replicas", fatal=True):
                wait_for("the stack", self.converged, 300, 3)
                wait_for(
                    "Traefik's route", lambda: self.api("GET", "/health").status == 200, 120, 2
                )
                # Traefik adds each service's routers when it sees its tasks: the ws role's
                # may come a moment after http's (a websocket then met the http router).
                wait_for("Traefik's websocket route", self.websocket_reaches_daphne, 120, 2)
            self.check_networks()
            self.check_edge()
            self.check_api()
            if "ana" not in self.state.accounts:
                raise RuntimeError("no account: the remaining checks need one")
            probe = None
            with self.check("a user whose summary is due (for the scheduler)"):
                probe = self.start_scheduler_probe()
            self.check_realtime()
            self.check_jobs()
            # Before the rolling update and the kill replace tasks (and their counts).
            self.check_metrics()
            self.check_backup_restore()
            self.check_cutover()
            self.check_rolling_update()
            self.check_kill()
            if probe:
                self.check_scheduler(probe)
            self.check_mail()
            self.check_logs()
        except Exception as exc:
            log(f"stopped early: {type(exc).__name__}: {str(exc)[:500]}")
        finally:
            if self.keep:
                self.remember_for_clean()
                log(f"--keep: the stack stays; secrets and CA in {self.state.tmp}; --clean ends it")
            else:
                self.cleanup()
        print()
        print(self.table())
        print(f"rehearsal took {time.monotonic() - started:.0f} s")
        return 0 if self.checks and all(c.ok for c in self.checks) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    parser.add_argument(
        "--clean", action="store_true", help="only remove what a --keep run left (not the swarm)"
    )
    args = parser.parse_args()
    os.chdir(ROOT)
    socket.getaddrinfo = _resolve_rehearsal_host
    if args.clean:
        return Rehearsal(keep=False).clean_kept()
    return Rehearsal(keep=args.keep).run()


if __name__ == "__main__":
    sys.exit(main())
