# Stand-in for redis:7: Debian bookworm's Redis 7.0, run as `redis` in /data like the official one.
FROM rehearsal/debian:bookworm
# Whatever the release's mirror has today: a stand-in follows Debian, nothing pins it.
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends redis-server redis-tools \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data && chown redis:redis /data
# The official image's entry point drops root to `redis`; this one already runs as redis.
COPY --chmod=0755 redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
WORKDIR /data
USER redis
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["redis-server"]
