"""What the image holds, without Docker: the tree deploy/Dockerfile's COPY lines make of the
build context (honouring .dockerignore) must pass `check --deploy` and `collectstatic` with
production settings, as the build and the first start do. A forgotten `COPY` (the image once
left out `notifications/`, which INSTALLED_APPS loads) fails here, in CI, instead of at the
first build on the server. `make rehearsal` builds the real image; this is the cheap check.

The tree is imported with Python's site machinery off (`-S`) and only the tree and the
third-party packages on the path: the project's editable install would otherwise find a
package the tree lacks in the checkout and hide the fault.
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(settings.BASE_DIR)
DOCKERFILE = REPO / "deploy" / "Dockerfile"
WORKDIR = "/app"


def dockerignore_patterns() -> list[tuple[bool, str]]:
    """(negated, pattern) per line of .dockerignore, in order (the last match wins)."""
    rules = []
    for line in (REPO / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        rules.append((negated, line.lstrip("!").strip("/")))
    return rules


def _matches(pattern: str, path: str) -> bool:
    """Docker's rule: a pattern matches a path relative to the context (Go's filepath.Match,
    where `*` stays within one segment, plus `**` for any number of segments), or any of its
    parent directories."""
    regex = ""
    for part in re.split(r"(\*\*/?|\*|\?)", pattern):
        if part in ("**", "**/"):
            regex += ".*"
        elif part == "*":
            regex += "[^/]*"
        elif part == "?":
            regex += "[^/]"
        else:
            regex += re.escape(part)
    compiled = re.compile(regex + r"(/.*)?\Z")
    return bool(compiled.match(path))


def ignored(path: str, rules: list[tuple[bool, str]]) -> bool:
    excluded = False
    for negated, pattern in rules:
        if _matches(pattern, path):
            excluded = not negated
    return excluded


def copy_instructions() -> list[tuple[list[str], str]]:
    """(sources, destination) of every COPY from the build context (no --from), in order."""
    copies = []
    for line in DOCKERFILE.read_text().splitlines():
        words = line.split()
        if not words or words[0].upper() != "COPY":
            continue
        args = [w for w in words[1:] if not w.startswith("--")]
        assert not any(w.startswith("--from") for w in words), line
        copies.append((args[:-1], args[-1]))
    return copies


def build_tree(target: Path) -> Path:
    """The image's WORKDIR as the Dockerfile's COPY lines fill it; destinations outside it
    (the entry point in /usr/local/bin) are left out."""
    rules = dockerignore_patterns()
    for sources, destination in copy_instructions():
        if destination.startswith("/") and not destination.startswith(WORKDIR):
            continue
        dest = target / destination.removeprefix(WORKDIR).lstrip("/")
        for source in sources:
            origin = REPO / source
            assert origin.exists(), f"COPY {source}: not in the build context"
            assert not ignored(source, rules), f"COPY {source}: excluded by .dockerignore"
            if origin.is_dir():
                # `COPY dir ./dir` copies the directory's contents into ./dir.
                for path in origin.rglob("*"):
                    relative = path.relative_to(REPO).as_posix()
                    if path.is_file() and not ignored(relative, rules):
                        out = dest / path.relative_to(origin)
                        out.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(path, out)
            else:
                out = dest / origin.name if destination.endswith("/") else dest
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, out)
    return target


def run_in_tree(tree: Path, *args: str) -> subprocess.CompletedProcess:
    third_party = sysconfig.get_paths()["purelib"]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tree),
        "PYTHONPATH": os.pathsep.join([str(tree), third_party]),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "api.example.org",
        "EMAIL_URL": "smtp+tls://agente@smtp.example.org:587",
    }
    return subprocess.run(
        [sys.executable, "-S", "manage.py", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return build_tree(tmp_path_factory.mktemp("image") / "app")


def test_every_project_app_is_in_the_image(tree):
    for app in settings.INSTALLED_APPS:
        top = app.split(".")[0]
        if (REPO / top).is_dir() and (REPO / top / "__init__.py").exists():
            assert (tree / top / "__init__.py").is_file(), f"{top} is not copied into the image"


def test_the_image_tree_passes_check_deploy_in_production(tree):
    result = run_in_tree(tree, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr[-3000:]
    # The tree's own code ran, not the checkout's.
    probe = run_in_tree(tree, "shell", "-c", "import config; print(config.__file__)")
    assert probe.stdout.strip().splitlines()[-1].startswith(str(tree)), probe.stdout + probe.stderr


def test_the_image_tree_collects_its_static_files(tree):
    result = run_in_tree(tree, "collectstatic", "--noinput")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tree / "staticfiles" / "admin").is_dir()
    assert list((tree / "staticfiles").rglob("swagger-ui*"))


def test_the_check_fails_on_an_image_that_misses_an_app(tmp_path):
    """The check above can fail: the same tree without notifications/ (the fault the image had)."""
    broken = build_tree(tmp_path / "app")
    shutil.rmtree(broken / "notifications")
    result = run_in_tree(broken, "check", "--deploy")
    assert result.returncode != 0
    assert "No module named 'notifications'" in result.stderr


def test_dockerignore_rules_behave_like_dockers():
    rules = [
        (False, "**/__pycache__"),
        (False, "*.sqlite3"),
        (False, "tests"),
        (True, "tests/keep"),
    ]
    assert ignored("config/__pycache__/x.pyc", rules)
    assert ignored("__pycache__/x.pyc", rules)
    assert ignored("db.sqlite3", rules)
    assert not ignored("data/db.sqlite3", rules)  # `*` does not cross a directory
    assert ignored("tests/test_x.py", rules)
    assert not ignored("tests/keep", rules)
    assert not ignored("testsuite/x.py", rules)
