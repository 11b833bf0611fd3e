# Entry points for developers and CI. `make run` serves on http://127.0.0.1:8000 through Daphne,
# `make serve` runs the production pair (granian on PORT, Daphne for /ws/ on WS_PORT),
# `make test` runs the suite. Both create .venv with Python >= 3.12 and install the project.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WS_PORT ?= 8001
PYTEST_ARGS ?=

# Python >= 3.12: a python3.13/python3.12 that really runs (pyenv shims may not), then the
# newest pyenv 3.13/3.12, then a plain python3 if it is new enough.
define find_python
for c in python3.13 python3.12; do \
  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys' >/dev/null 2>&1; then command -v $$c; exit 0; fi; \
done; \
root=$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv); \
for v in 3.13 3.12; do \
  p=$$(ls -d $$root/versions/$$v.*/bin/python3 2>/dev/null | sort -V | tail -n 1); \
  if [ -n "$$p" ] && $$p -c 'import sys' >/dev/null 2>&1; then echo $$p; exit 0; fi; \
done; \
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then command -v python3; exit 0; fi; \
echo "error: this project needs Python >= 3.12 (python3.13 or python3.12 on PATH, or in pyenv)" >&2; exit 1
endef

.PHONY: run serve test lint format migrate venv clean fuzz

$(VENV)/.installed: pyproject.toml
	@set -e; if [ ! -x $(PY) ]; then py=$$($(find_python)); echo "using $$py"; $$py -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

# The benchmarks' other servers (the `bench` extra: gunicorn, uvicorn) on top of the dev install;
# only the bench targets need them, so make test and make run never install them.
$(VENV)/.installed-bench: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $@

venv: $(VENV)/.installed

migrate: venv
	$(PY) manage.py migrate --noinput

run: migrate
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) config.asgi:application

# The production pair, with the commands the image runs (bin/http-server, bin/ws-server):
# http://$(HOST):$(PORT) by granian, ws://$(HOST):$(WS_PORT)/ws/ by Daphne. Ctrl-C stops both.
serve: migrate
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" HOST=$(HOST) PORT=$(PORT) WS_PORT=$(WS_PORT) bin/serve

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec deploy/stack.yml deploy/stack.monitoring.yml
	$(VENV)/bin/yamllint -c deploy/.yamllint deploy/
	$(VENV)/bin/hadolint --failure-threshold warning deploy/rehearsal/standins/*.Dockerfile
	$(VENV)/bin/shellcheck deploy/docker-entrypoint.sh deploy/backup.sh deploy/restore.sh .ci/run bin/serve bin/http-server bin/ws-server bin/drain \
	  deploy/rehearsal/standins/build.sh deploy/rehearsal/standins/postgres-entrypoint.sh deploy/rehearsal/standins/redis-entrypoint.sh
	$(VENV)/bin/hadolint --failure-threshold warning deploy/Dockerfile

# Every list's query string fuzzed from the OpenAPI document (schemathesis, tests/fuzz/): no
# 5xx. FUZZ_EXAMPLES generated per operation (default 100), new ones each run; the suite runs
# the same file with the same examples every time.
FUZZ_EXAMPLES ?= 100
fuzz: venv
	FUZZ_RANDOM=1 FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -m fuzz tests/fuzz -p no:cacheprovider $(PYTEST_ARGS)

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache

# Benchmarks (bench/README.md), never run in CI: PostgreSQL and Redis on 127.0.0.1, wrk; they
# install the `bench` extra first. BENCH_DATABASE (default agente_bench) names their databases.
# Options through BENCH_ARGS, e.g. make bench BENCH_ARGS="--variants daphne-1 --duration 5";
# the anchor's mixed workload alone: BENCH_ARGS="--variants production --scenarios mix";
# the daily summaries' part through SUMMARIES_BENCH_ARGS, e.g. "--users 300".
# The production rehearsal (deploy/README.md, "Rehearsal"): as root on a machine like ours, the
# Swarm stack deployed for real with stand-in images and exercised through Traefik on 443; a
# table of checks, non-zero when one fails. REHEARSAL_ARGS=--keep leaves it running.
.PHONY: rehearsal
rehearsal: venv
	$(PY) deploy/rehearsal/rehearse.py $(REHEARSAL_ARGS)

.PHONY: bench bench-smoke bench-ws bench-summaries bench-profile
bench: $(VENV)/.installed-bench
	$(PY) bench/http_bench.py $(BENCH_ARGS)
	$(PY) bench/summaries.py $(SUMMARIES_BENCH_ARGS)

bench-summaries: $(VENV)/.installed-bench
	$(PY) bench/summaries.py $(SUMMARIES_BENCH_ARGS)

bench-smoke: $(VENV)/.installed-bench
	$(PY) bench/http_bench.py --smoke $(BENCH_ARGS)

# Where each mix operation's CPU goes, in-process (bench/where_time_goes.py).
bench-profile: $(VENV)/.installed-bench
	$(PY) bench/where_time_goes.py $(BENCH_ARGS)

bench-ws: $(VENV)/.installed-bench
	$(PY) bench/ws_bench.py $(BENCH_ARGS)
