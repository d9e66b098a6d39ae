"""Who the client is: the peer address, or the address a trusted proxy forwarded.

`X-Forwarded-For` is read only when the peer is one of `GATEWAY_TRUSTED_PROXIES` (default:
none), from the right, skipping trusted hops: the first untrusted address is the client. A
client cannot then pick its own address (and so its own rate-limit budget) by sending the
header. uvicorn runs with `--no-proxy-headers` so that it does not rewrite the peer itself.
"""

from collections.abc import Iterable
from ipaddress import IPv4Network
from ipaddress import IPv6Network
from ipaddress import ip_address
from ipaddress import ip_network

from starlette.types import Scope

Networks = tuple[IPv4Network | IPv6Network, ...]


def parse_networks(entries: Iterable[str]) -> Networks:
    """Addresses or CIDR networks (`10.0.0.0/8`, `::1`); a bad entry fails at startup."""
    return tuple(ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _trusted(address: str, networks: Networks) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def forwarded_for(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    """Every hop of every X-Forwarded-For header, in order."""
    return [hop.strip() for name, value in headers if name == b"x-forwarded-for"
            for hop in value.decode("latin-1").split(",") if hop.strip()]


def client_address(peer: str | None, headers: Iterable[tuple[bytes, bytes]],
                   trusted: Networks) -> str | None:
    """The client's address (pure): the peer unless the peer is a trusted proxy."""
    if peer is None or not trusted or not _trusted(peer, trusted):
        return peer
    for hop in reversed(forwarded_for(headers)):
        if not _trusted(hop, trusted):
            try:
                return str(ip_address(hop))
            except ValueError:
                return peer  # garbage in the header: count it against the proxy
    return peer


def scope_client_address(scope: Scope, trusted: Networks) -> str | None:
    client = scope.get("client")
    return client_address(client[0] if client else None, scope.get("headers", []), trusted)
