"""Websocket benchmark: idle sockets and streamed chats through one Daphne process.

    make bench-ws                         # or: .venv/bin/python bench/ws_bench.py
    .venv/bin/python bench/ws_bench.py --sockets 200 --hold 10 --chats 10   # quicker
    make bench-ws BENCH_ARGS=--soak       # 1,000 sockets idle for 10 minutes, no chats

Resets its own PostgreSQL database (agente_bench_ws, or BENCH_DATABASE + _ws), creates users and
access tokens, starts `bin/ws-server` (one Daphne process as the production `ws` role runs it,
Redis channel layer) on a free loopback port and measures, with an asyncio `websockets` client in
this process:

(a) idle sockets: `--sockets` authenticated sockets on /ws/chat/ (Authorization header on the
    handshake, each waits for `{"type": "ready"}`), held `--hold` seconds; Daphne's RSS before
    and with them open, and every socket the server closed that we did not (goal: none). Then
    one live update per socket, published through the Redis channel layer as the app
    publishes: how many arrived. `--soak` is this phase alone, 1,000 sockets for 10 minutes
    (issue 14: idle sockets used to die).
(b) streamed chats: `--chats` users each send one message at the same moment; Daphne talks to
    bench/fake_llm.py (its own process), which streams `--deltas` fragments stamped with their
    send time (CLOCK_MONOTONIC, one clock per machine). Relay latency per fragment = receipt
    here - send time there; also time to first delta and to `assistant.done`.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import benchlib
from benchlib import BIN, Server

DATABASE = benchlib.database_name("_ws")
PREFIX = "bench-ws"
# The production `ws` role's own entry point (Daphne with its ping, timeout and thread
# settings); it execs Daphne, so the process measured is Daphne itself.
WS_SERVER = benchlib.ROOT / "bin" / "ws-server"
STAMP = re.compile(r"\[(\d+):(\d+)\]")


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q / 100 * len(values)) - 1))]


def cpu_seconds(pid: int | None = None) -> float | None:
    """User + system CPU time of a process (this one when `pid` is None), from /proc."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # Fields 14 and 15 of stat (utime, stime), counted after the ") " closing the name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


async def connect(uri: str, token: str):
    from websockets.asyncio.client import connect as ws_connect

    ws = await ws_connect(
        uri,
        additional_headers={"Authorization": f"Bearer {token}"},
        open_timeout=60,
        ping_interval=None,  # Daphne pings; the client answers
        close_timeout=5,
        max_size=2**22,
    )
    frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
    if frame.get("type") != "ready":
        await ws.close()
        raise RuntimeError(f"expected ready, got {frame}")
    return ws


# -- (a) idle sockets --------------------------------------------------------------------------
@dataclass
class IdleResult:
    opened: int = 0
    open_failures: list[str] = field(default_factory=list)
    open_seconds: float = 0.0
    unexpected: list[tuple[float, int | None, str]] = field(default_factory=list)
    frames: int = 0
    rss_before: int | None = None
    rss_open: int | None = None
    rss_end: int | None = None
    still_open: int = 0
    updates_sent: int = 0
    updates_received: int = 0


# The live update each idle socket should get after the hold (a frame type clients ignore).
UPDATE_TYPE = "bench.update"
UPDATE_WAIT_SECONDS = 30


async def idle_phase(
    uri: str, users: list[tuple[str, str]], hold: float, daphne: Server
) -> IdleResult:
    from websockets.exceptions import ConnectionClosed

    result = IdleResult(rss_before=daphne.rss_kib())
    sockets = []  # (user id, socket)
    gate = asyncio.Semaphore(50)
    started = time.monotonic()
    closing = False

    async def open_one(user_id: str, token: str):
        async with gate:
            try:
                sockets.append((user_id, await connect(uri, token)))
            except Exception as exc:
                result.open_failures.append(f"{type(exc).__name__}: {exc}"[:160])

    await asyncio.gather(*(open_one(u, t) for u, t in users))
    result.open_seconds = time.monotonic() - started
    result.opened = len(sockets)
    benchlib.log(f"  {len(sockets)} sockets open in {result.open_seconds:.1f} s")

    async def watch(ws):
        try:
            async for raw in ws:
                if json.loads(raw).get("type") == UPDATE_TYPE:
                    result.updates_received += 1
                else:
                    result.frames += 1
        except ConnectionClosed:
            pass
        if not closing:
            code, reason = ws.close_code, ws.close_reason or ""
            result.unexpected.append((time.monotonic() - started, code, reason[:80]))

    watchers = [asyncio.create_task(watch(ws)) for _, ws in sockets]
    await asyncio.sleep(2)
    result.rss_open = daphne.rss_kib()
    deadline = time.monotonic() + hold
    every = 5 if hold <= 120 else 30
    while time.monotonic() < deadline:
        await asyncio.sleep(min(every, deadline - time.monotonic()))
        alive = sum(1 for _, ws in sockets if ws.close_code is None)
        benchlib.log(f"  held {hold - (deadline - time.monotonic()):.0f} s: {alive} open")
    result.rss_end = daphne.rss_kib()
    result.still_open = sum(1 for _, ws in sockets if ws.close_code is None)
    await send_live_updates(result, [user_id for user_id, _ in sockets])
    closing = True
    await asyncio.gather(*(ws.close() for _, ws in sockets), return_exceptions=True)
    await asyncio.gather(*watchers, return_exceptions=True)
    return result


async def send_live_updates(result: IdleResult, user_ids: list[str]) -> None:
    """One event per socket's user through the app's channel layer (the group the consumer
    joined, the message type it forwards), then wait for them to arrive."""
    from channels.layers import get_channel_layer

    from config.realtime import MESSAGE_TYPE, user_group

    layer = get_channel_layer()
    for user_id in user_ids:
        event = {"type": UPDATE_TYPE, "user_id": user_id}
        await layer.group_send(user_group(user_id), {"type": MESSAGE_TYPE, "event": event})
        result.updates_sent += 1
    deadline = time.monotonic() + UPDATE_WAIT_SECONDS
    while result.updates_received < result.updates_sent and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    benchlib.log(f"  live updates: {result.updates_received} / {result.updates_sent} arrived")


# -- (b) streamed chats ------------------------------------------------------------------------
@dataclass
class ChatResult:
    accepted_ms: float | None = None
    first_delta_ms: float | None = None
    done_ms: float | None = None
    first_relay_ms: float | None = None
    relay_ms: list[float] = field(default_factory=list)
    fragments: int = 0
    frames: int = 0
    out_of_order: int = 0
    error: str | None = None


async def one_chat(
    uri: str, token: str, go: asyncio.Event, ready: asyncio.Semaphore, timeout: float
) -> ChatResult:
    result = ChatResult()
    try:
        ws = await connect(uri, token)
    except Exception as exc:
        result.error = f"connect: {type(exc).__name__}: {exc}"[:160]
        return result
    finally:
        ready.release()
    try:
        await go.wait()
        sent = time.monotonic_ns()
        await ws.send(json.dumps({"type": "message", "content": "hola", "conversation_id": None}))
        expected = 0
        async with asyncio.timeout(timeout):
            while True:
                raw = await ws.recv()
                now = time.monotonic_ns()
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "message.accepted":
                    result.accepted_ms = (now - sent) / 1e6
                elif kind == "assistant.delta":
                    stamps = STAMP.findall(frame.get("delta", ""))
                    if not stamps:
                        continue
                    result.frames += 1
                    if result.first_delta_ms is None:
                        result.first_delta_ms = (now - sent) / 1e6
                        result.first_relay_ms = (now - int(stamps[0][1])) / 1e6
                    for n, stamp in stamps:
                        if int(n) != expected:
                            result.out_of_order += 1
                        expected = int(n) + 1
                        result.fragments += 1
                        result.relay_ms.append((now - int(stamp)) / 1e6)
                elif kind == "assistant.done":
                    result.done_ms = (now - sent) / 1e6
                    break
                elif kind == "error":
                    result.error = f"{frame.get('code')}: {frame.get('message')}"[:160]
                    break
    except TimeoutError:
        result.error = f"no assistant.done within {timeout:.0f} s"
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"[:160]
    finally:
        await ws.close()
    return result


async def chat_phase(uris: list[str], tokens: list[str], timeout: float) -> list[ChatResult]:
    """Every socket open and ready first, then all the messages at once. With several Daphne
    processes the sockets go to them in turn, as Traefik's round robin spreads new sockets over
    the `ws` replicas."""
    go, ready = asyncio.Event(), asyncio.Semaphore(0)
    tasks = [
        asyncio.create_task(one_chat(uris[i % len(uris)], t, go, ready, timeout))
        for i, t in enumerate(tokens)
    ]
    for _ in tokens:
        await ready.acquire()
    go.set()
    return await asyncio.gather(*tasks)


# -- main --------------------------------------------------------------------------------------
def seed_users(count: int) -> list[tuple[str, str]]:
    """(user id, access token) per user."""
    from django.contrib.auth import get_user_model

    User = get_user_model()

    def make_user(i: int):
        user = User(email=f"ws{i}@bench.example", name=f"Bench {i}")
        user.set_unusable_password()
        return user

    users = User.objects.bulk_create([make_user(i) for i in range(count)], batch_size=1000)
    return [(str(u.id), benchlib.access_token(u)) for u in users]


def raise_fd_limit(needed: int) -> str:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        new = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        soft = new
    return f"fd limit {soft}"


def kib(value: int | None) -> str:
    return "-" if value is None else f"{value / 1024:.1f} MiB"


async def run(
    args, users: list[tuple[str, str]], daphnes: list[Server], fake: Server, tmp: Path
) -> str:
    tokens = [token for _, token in users]
    uris = [f"ws://127.0.0.1:{d.port}/ws/chat/" for d in daphnes]
    daphne = daphnes[0]  # the idle sockets' process
    uri = uris[0]
    report = []
    table = benchlib.markdown_table
    if args.sockets:
        benchlib.log(f"(a) {args.sockets} idle sockets, held {args.hold:g} s")
        idle = await idle_phase(uri, users[: args.sockets], args.hold, daphne)
        per_socket = (
            (idle.rss_open - idle.rss_before) / max(1, idle.opened)
            if idle.rss_open and idle.rss_before
            else None
        )
        closes: dict[tuple, int] = {}
        for _, code, reason in idle.unexpected:
            closes[(code, reason)] = closes.get((code, reason), 0) + 1
        report.append(f"\n## (a) {args.sockets} idle authenticated sockets, one Daphne process\n")
        report.append(
            table(
                ["measure", "value"],
                [
                    ["opened (got `ready`)", f"{idle.opened} / {args.sockets}"],
                    ["time to open all (50 handshakes at a time)", f"{idle.open_seconds:.1f} s"],
                    ["Daphne RSS before", kib(idle.rss_before)],
                    ["Daphne RSS with sockets open", kib(idle.rss_open)],
                    [f"Daphne RSS after {args.hold:g} s", kib(idle.rss_end)],
                    ["RSS per socket", "-" if per_socket is None else f"{per_socket:.1f} KiB"],
                    ["frames received while idle", str(idle.frames)],
                    [f"still open after {args.hold:g} s", f"{idle.still_open} / {idle.opened}"],
                    ["closed by the server (unexpected; goal 0)", str(len(idle.unexpected))],
                    [
                        f"live update after {args.hold:g} s, arrived",
                        f"{idle.updates_received} / {idle.updates_sent}",
                    ],
                ],
            )
        )
        if idle.unexpected:
            first = min(t for t, _, _ in idle.unexpected)
            report.append(
                f"\nUnexpected closes, first after {first:.1f} s: "
                + "; ".join(f"{n}x code {c} {r!r}" for (c, r), n in closes.items())
            )
        if idle.open_failures:
            distinct = sorted(set(idle.open_failures))
            report.append(
                f"\nFailed to open: {len(idle.open_failures)}: " + "; ".join(distinct[:5])
            )
    if args.chats:
        benchlib.log(f"(b) {args.chats} concurrent chats x {args.deltas} deltas")
        # A first turn warms the model client, the prompt code and the connection.
        # (One per process: each has its own client and code to warm.)
        for warm_uri in uris:
            warm = await chat_phase([warm_uri], tokens[-1:], args.chat_timeout)
            if warm[0].error:
                benchlib.log(f"  warm-up chat failed: {warm[0].error}")
        pids = {"fake model": [fake.proc.pid], "client": [None]}
        pids = {"Daphne": [d.proc.pid for d in daphnes], **pids}

        def cpu_now() -> dict[str, float]:
            return {
                name: sum(cpu_seconds(pid) or 0.0 for pid in group) for name, group in pids.items()
            }

        cpu_before = cpu_now()
        wall = time.monotonic()
        results = await chat_phase(uris, tokens[-1 - args.chats : -1], args.chat_timeout)
        wall = time.monotonic() - wall
        cpu_used = {name: sec - cpu_before[name] for name, sec in cpu_now().items()}
        relay = [v for r in results for v in r.relay_ms]
        done = [r for r in results if r.done_ms is not None]
        errors: dict[str, int] = {}
        for r in results:
            if r.error:
                errors[r.error] = errors.get(r.error, 0) + 1

        def spread(values):
            values = [v for v in values if v is not None]
            return (
                f"{ms(pct(values, 50))} / {ms(pct(values, 99))} / {ms(max(values, default=None))}"
            )

        nproc = os.cpu_count()
        frames = sum(r.frames for r in results)
        fragments = sum(r.fragments for r in results)
        stream_ms = (args.deltas - 1) * args.interval_ms
        processes = (
            "one Daphne process"
            if len(daphnes) == 1
            else f"{len(daphnes)} Daphne processes, sockets spread in turn"
        )
        report.append(
            f"\n## (b) {args.chats} concurrent chats, fake model streaming {args.deltas} deltas "
            f"{args.interval_ms:g} ms apart (~{stream_ms / 1000:.1f} s per reply), "
            f"{processes}\n"
        )
        report.append(
            table(
                ["measure", "p50 / p99 / max (ms)"],
                [
                    ["relay latency per delta (fake send -> client receipt)", spread(relay)],
                    [
                        "relay latency of the first delta",
                        spread([r.first_relay_ms for r in results]),
                    ],
                    ["time to message.accepted", spread([r.accepted_ms for r in results])],
                    [
                        "time to first delta (message sent -> first delta)",
                        spread([r.first_delta_ms for r in results]),
                    ],
                    ["time to assistant.done", spread([r.done_ms for r in results])],
                ],
            )
        )
        report.append(
            "\n"
            + table(
                ["measure", "value"],
                [
                    ["chats completed (assistant.done)", f"{len(done)} / {args.chats}"],
                    ["deltas received", f"{fragments} / {args.chats * args.deltas}"],
                    [
                        "delta frames (fragments per frame)",
                        f"{frames} ({fragments / max(1, frames):.2f})",
                    ],
                    ["fragments out of order", str(sum(r.out_of_order for r in results))],
                    [
                        "CPU during the chats (wall time "
                        f"{wall:.1f} s, {nproc} cores shared with everything else)",
                        ", ".join(f"{name} {sec:.1f} s" for name, sec in cpu_used.items()),
                    ],
                    [
                        "Daphne CPU per delta relayed",
                        f"{cpu_used['Daphne'] / max(1, fragments) * 1e6:.0f} µs "
                        "(the whole turn's work, divided by deltas)",
                    ],
                    [
                        "Daphne RSS after the chats",
                        ", ".join(kib(d.rss_kib()) for d in daphnes),
                    ],
                ],
            )
        )
        if errors:
            report.append("\nChat errors: " + "; ".join(f"{n}x {e}" for e, n in errors.items()))
    return "\n".join(report)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--hold", type=float, help="seconds to hold idle sockets (30; soak 600)")
    parser.add_argument("--chats", type=int, help="concurrent chats (50; soak 0)")
    parser.add_argument(
        "--soak",
        action="store_true",
        help="idle sockets only, held 10 minutes: unexpected closes counted (goal 0)",
    )
    parser.add_argument("--deltas", type=int, default=200)
    # 20 ms is a fast model: 50 chunks/s per chat, about one token each (bench/README.md).
    parser.add_argument("--interval-ms", type=float, default=20.0, help="between deltas")
    parser.add_argument("--chat-timeout", type=float, default=120.0)
    parser.add_argument(
        "--ws-processes",
        type=int,
        default=1,
        help="Daphne processes for the chats, sockets spread in turn (the idle sockets: the first)",
    )
    args = parser.parse_args()
    if args.hold is None:
        args.hold = 600.0 if args.soak else 30.0
    if args.chats is None:
        args.chats = 0 if args.soak else 50

    fd_note = raise_fd_limit(args.sockets + args.chats + 512)
    tmp = Path(tempfile.mkdtemp(prefix="agente-bench-ws-"))
    fake_port = benchlib.free_port()
    env = benchlib.base_env(
        DATABASE,
        PREFIX,
        OPENAI_API_KEY="sk-fake",
        OPENAI_BASE_URL=f"http://127.0.0.1:{fake_port}/v1",
        OPENAI_MODEL="fake-model",
        OPENAI_MAX_RETRIES="0",
        THROTTLE_CHAT_USER="100000/min",
    )
    started = time.monotonic()
    benchlib.log(f"database {DATABASE}: reset, migrate, {args.sockets + args.chats + 1} users")
    benchlib.reset_database(DATABASE)
    benchlib.setup_django(env)
    users = seed_users(max(args.sockets, args.chats + 1))

    fake = Server(
        "fake-llm",
        [
            sys.executable,
            str(Path(__file__).with_name("fake_llm.py")),
            "--port",
            str(fake_port),
            "--deltas",
            str(args.deltas),
            "--interval-ms",
            str(args.interval_ms),
        ],
        env,
        fake_port,
        tmp,
    )
    daphnes = []
    for n in range(max(1, args.ws_processes)):
        port = benchlib.free_port()
        daphnes.append(
            Server(
                "daphne" if n == 0 else f"daphne-{n + 1}",
                [str(WS_SERVER)],
                {
                    **env,
                    "HOST": "127.0.0.1",
                    "PORT": str(port),
                    "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
                },
                port,
                tmp,
            )
        )
    fake.start()
    try:
        started_daphnes = []
        try:
            for daphne in daphnes:
                daphne.start()
                started_daphnes.append(daphne)
            body = asyncio.run(run(args, users, daphnes, fake, tmp))
        finally:
            for daphne in started_daphnes:
                daphne.stop()
    finally:
        fake.stop()
    problems = [p for daphne in daphnes for p in daphne.log_problems()]
    header = (
        f"# make bench-ws{' --soak' if args.soak else ''}, "
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n\n"
        f"nproc {os.cpu_count()}, load average at the end {benchlib.load_average()}, {fd_note}; "
        f"`bin/ws-server` (Daphne as the production `ws` role runs it), Redis channel layer, "
        f"PostgreSQL {DATABASE}; client: asyncio + websockets in one process, the fake model in "
        f"another. Wall time {(time.monotonic() - started) / 60:.1f} min."
    )
    text = header + "\n" + body + "\n"
    if problems:
        text += "\n## Daphne logged\n\n" + "\n".join(f"- {p}" for p in problems[:20]) + "\n"
    benchlib.write_report("agente-bench-ws", text, logs=tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
