"""The client's address, trusting forwarded headers only from the proxies we are told about.

Production runs Cloudflare -> Traefik -> Daphne. Traefik appends the address it saw to
X-Forwarded-For, so with TRUSTED_PROXY_COUNT=N the client is the N-th address from the right.
CF-Connecting-IP is honoured only when TRUST_CF_CONNECTING_IP is set, because any client that
reaches the app directly could send it. With neither set, REMOTE_ADDR is the answer.
"""

from django.conf import settings


def client_ip(meta) -> str:
    if settings.TRUST_CF_CONNECTING_IP and meta.get("HTTP_CF_CONNECTING_IP"):
        return meta["HTTP_CF_CONNECTING_IP"].strip()
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(count, len(hops))]
    return meta.get("REMOTE_ADDR", "") or "unknown"
