"""The client's address, trusting forwarded headers only from the proxies we are told about.

Production runs Cloudflare -> Traefik -> Daphne. Traefik appends the address it saw to
X-Forwarded-For, so with TRUSTED_PROXY_COUNT=N the client is the N-th address from the right.
CF-Connecting-IP is honoured only when TRUST_CF_CONNECTING_IP is set, because any client that
reaches the app directly could send it. With neither set, REMOTE_ADDR is the answer.

Throttles count a *network*, not an address (`client_network`): an IPv6 client by its /64,
the prefix one subscriber line or host gets (one machine can use every address in it, so a
limit per address would be no limit), an IPv4 client by its one address (a /24 would put a
whole carrier-grade NAT or office behind one counter, and one IPv4 address costs an attacker
far more than a /64 does).
"""

import ipaddress

from django.conf import settings

# The prefix an IPv6 client is counted by: RFC 6177 / RIPE-690 give each subscriber a /64 or
# more, and SLAAC or privacy addresses rotate within it.
IPV6_PREFIX = 64


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


def address_network(address: str) -> str:
    """The network a throttle counts `address` in: an IPv6 address as its /64
    (`2001:db8:1:2::/64`), an IPv4 address (or an IPv4-mapped IPv6 one) as itself; anything
    unreadable as it came."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))


def client_network(meta) -> str:
    """`address_network(client_ip(meta))`: what the throttles count per client."""
    return address_network(client_ip(meta))
