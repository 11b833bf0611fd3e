"""The `ws` role's process (bin/ws-server): Daphne's own command line, started without
Twisted's TLS support.

Daphne depends on `twisted[tls]`, so pyOpenSSL is installed, and Twisted imports it (with
its TLS layer and what pyOpenSSL loads) at start-up whenever it can, for TLS endpoints and
`startTLS`. This process only ever listens on plain TCP (Daphne's `tcp:` endpoint): Traefik
terminates TLS in front of it. Those modules were about 4.7 MiB of every Daphne process, a
tenth of what 1,000 idle sockets cost (bench/RESULTS.md). Twisted supports running without
pyOpenSSL (twisted/internet/tcp.py falls back to transports without `startTLS` when the import
fails), and a failed import is what this arranges. Nothing else this process runs uses
pyOpenSSL: the outbound clients (OpenAI, Deepgram, Redis, PostgreSQL) use the standard
library's `ssl` or libpq's own. One exception, which we do not use: a `REDIS_URL` asking
redis-py to validate OCSP stapling (`ssl_validate_ocsp_stapled`) needs pyOpenSSL and would
fail here.

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
