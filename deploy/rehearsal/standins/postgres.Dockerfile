# Stand-in for postgres:16: Debian trixie's PostgreSQL 17 (server and the client tools backup.sh
# and restore.sh use, from one release), with an entry point that does what the official image's
# does with POSTGRES_USER, POSTGRES_DB and POSTGRES_PASSWORD_FILE on an empty data directory.
FROM rehearsal/debian:trixie
# Whatever the release's mirror has today: a stand-in follows Debian, nothing pins it.
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-17 \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
ENV PATH=/usr/lib/postgresql/17/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
