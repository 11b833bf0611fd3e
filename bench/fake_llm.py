"""A fast fake OpenAI-compatible model server for bench/ws_bench.py (its own process).

    .venv/bin/python bench/fake_llm.py --port 8765 --deltas 200 --interval-ms 10

Answers every `POST .../chat/completions` with a streamed text reply (SSE, the Chat Completions
chunk format, usage chunk when asked, `[DONE]`) of `--deltas` fragments, `--interval-ms` apart.
Each fragment is `[<n>:<send time>]`, the send time being `time.monotonic_ns()` taken just before
the write: CLOCK_MONOTONIC is one clock for every process of the machine, so a client on the same
machine can subtract it from its own receipt time. The project's test fake
(tests/fakes/openai_server.py) is scripted per request with fixed text, so it cannot stamp
fragments at send time; this one is also asyncio, so 50 streams cost little. Listens on
127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time


def _chunk(delta: dict | None, finish_reason=None, usage=None) -> bytes:
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "fake-model",
        "system_fingerprint": None,
        "choices": []
        if delta is None
        else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
    }
    if usage is not None:
        body["usage"] = usage
    return b"data: " + json.dumps(body).encode() + b"\n\n"


class FakeModel:
    def __init__(self, deltas: int, interval: float) -> None:
        self.deltas, self.interval = deltas, interval
        self.streams = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split(" ")[:2]
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            body = await reader.readexactly(length) if length else b""
            if method == "GET" and path == "/health":
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
                )
                await writer.drain()
                return
            if method != "POST" or not path.split("?")[0].rstrip("/").endswith("chat/completions"):
                data = b'{"error": {"message": "not found", "type": "invalid_request"}}'
                writer.write(
                    b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(data), data)
                )
                await writer.drain()
                return
            payload = json.loads(body or b"{}")
            self.streams += 1
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                b"Cache-Control: no-cache\r\nConnection: close\r\n\r\n"
            )
            writer.write(_chunk({"role": "assistant", "content": ""}))
            for n in range(self.deltas):
                if n and self.interval:
                    await asyncio.sleep(self.interval)
                writer.write(_chunk({"content": f"[{n}:{time.monotonic_ns()}]"}))
                await writer.drain()
            writer.write(_chunk({}, "stop"))
            if (payload.get("stream_options") or {}).get("include_usage"):
                usage = {"prompt_tokens": 50, "completion_tokens": self.deltas}
                usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
                writer.write(_chunk(None, usage=usage))
            writer.write(b"data: [DONE]\n\n")
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()


async def serve(port: int, deltas: int, interval: float) -> None:
    model = FakeModel(deltas, interval)
    server = await asyncio.start_server(model.handle, "127.0.0.1", port, backlog=512)
    print(f"fake model on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="fake streaming model for ws_bench")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--deltas", type=int, default=200)
    parser.add_argument("--interval-ms", type=float, default=10.0)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port, args.deltas, args.interval_ms / 1000))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
