"""The rehearsal (deploy/rehearsal/rehearse.py) deploys under the production names, so on a
machine that already has any of them it must refuse and remove nothing: on a server running the
seed's stack `agente`, a cleanup after the refusal would have removed the stack, its volumes
(the database) and its secrets. Driven here against a stand-in `docker` on PATH that records
every call, since CI has no Docker engine."""

import importlib.util
import os
import stat
import sys
from pathlib import Path

import pytest
from django.conf import settings

REHEARSE = Path(settings.BASE_DIR) / "deploy" / "rehearsal" / "rehearse.py"

FAKE_DOCKER = """#!/bin/sh
echo "$*" >> "$DOCKER_CALLS"
case "$1 $2" in
  "stack ls") printf '%s\\n' $FAKE_STACKS ;;
  "volume ls") printf '%s\\n' $FAKE_VOLUMES ;;
  "secret inspect") exit 1 ;;
esac
exit 0
"""


@pytest.fixture
def rehearse(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(docker.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DOCKER_CALLS", str(tmp_path / "calls"))
    spec = importlib.util.spec_from_file_location("rehearse_under_test", REHEARSE)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "KEPT_MARKER", tmp_path / "kept.json")
    return module, tmp_path / "calls"


def calls(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.parametrize(
    ("stacks", "volumes"), [("agente", ""), ("", "agente_pgdata"), ("other agente", "x")]
)
def test_a_machine_with_the_stacks_names_is_refused_and_nothing_is_removed(
    rehearse, monkeypatch, stacks, volumes
):
    module, log = rehearse
    monkeypatch.setenv("FAKE_STACKS", stacks)
    monkeypatch.setenv("FAKE_VOLUMES", volumes)
    rehearsal = module.Rehearsal(keep=False)

    with pytest.raises(RuntimeError, match="runs only where none"):
        rehearsal.refuse_a_machine_with_a_stack()
    rehearsal.cleanup()

    removals = [c for c in calls(log) if " rm" in f" {c}" or "leave" in c]
    assert removals == []


def test_a_clean_machine_is_the_rehearsals_to_clean_up(rehearse, monkeypatch):
    module, log = rehearse
    monkeypatch.setenv("FAKE_STACKS", "")
    monkeypatch.setenv("FAKE_VOLUMES", "")
    rehearsal = module.Rehearsal(keep=False)

    rehearsal.refuse_a_machine_with_a_stack()
    rehearsal.cleanup()

    assert "stack rm agente" in calls(log)


def test_clean_without_a_kept_run_removes_nothing(rehearse, monkeypatch):
    module, log = rehearse
    monkeypatch.setenv("FAKE_STACKS", "agente")
    monkeypatch.setenv("FAKE_VOLUMES", "agente_pgdata")

    assert module.Rehearsal(keep=False).clean_kept() == 1
    assert [c for c in calls(log) if " rm" in f" {c}"] == []
