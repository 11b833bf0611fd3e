"""The `ws` role's process (bin/ws-server): Daphne's own command line, started without
Twisted's TLS support.

Daphne depends on `twisted[tls]`, so pyOpenSSL is installed, and Twisted imports it (and
OpenSSL's bindings under it) at start-up whenever it can, for TLS endpoints and `startTLS`.
This process only ever listens on plain TCP: Traefik terminates TLS in front of it. Those
modules were about 5 MiB of every Daphne process, a tenth of what 1,000 idle sockets cost
(bench/RESULTS.md). Twisted supports running without pyOpenSSL (twisted/internet/tcp.py falls
back to transports without `startTLS` when the import fails), and a failed import is what this
arranges. Nothing else in the process uses pyOpenSSL: the outbound clients (OpenAI, Deepgram,
Redis, PostgreSQL) use the standard library's `ssl` or libpq's own.

`make run` (development) starts Daphne directly; it is the same server either way.
"""

import sys


def main() -> None:
    # A None entry makes `import OpenSSL` raise ImportError, as if it were not installed.
    sys.modules.setdefault("OpenSSL", None)
    from daphne.cli import CommandLineInterface

    CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()
