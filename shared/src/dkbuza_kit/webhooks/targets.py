"""Where a webhook may be sent: public HTTPS hosts only (no server-side request forgery).

A target is refused when it is not `https` or when its host is, or resolves to, an address
that is not globally routable: private, loopback, link-local (cloud metadata 169.254.169.254),
unique-local (fd00:ec2::254), multicast, reserved, shared or unspecified. The check runs at
registration and again at every delivery (DNS may change in between), and the delivery then
connects to the very address that was checked (no second lookup to rebind).

`allow_loopback_http` (a development setting, off by default; `dkbuza run` turns it on) lets
a developer's receiver on 127.0.0.1/::1/localhost be reached, over http too.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

RESOLVE_TIMEOUT_S = 5.0
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
# Named although `is_global` already refuses them: the addresses an SSRF goes for first.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"))


class TargetRefused(Exception):
    """A webhook target that must not be called; `code` is the stable problem code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def invalid_host() -> TargetRefused:
    return TargetRefused("WEBHOOK_TARGET_INVALID", "the webhook target's host name is not valid")


def parse(raw_url: str) -> httpx.URL:
    try:
        return httpx.URL(raw_url)
    except httpx.InvalidURL:
        raise invalid_host() from None


class Unresolvable(Exception):
    """The host has no address (yet)."""


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise Unresolvable(host) from exc
    except (UnicodeError, ValueError) as exc:  # e.g. a label over 63 characters
        raise invalid_host() from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _normalise(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return address


def is_public(address: IPAddress) -> bool:
    address = _normalise(address)
    return (address.is_global and not address.is_multicast and not address.is_reserved
            and address not in METADATA_ADDRESSES)


def is_loopback(address: IPAddress) -> bool:
    return _normalise(address).is_loopback


@dataclass(frozen=True)
class PinnedTarget:
    """The request to make: the checked address in the URL, the name in Host and TLS SNI."""

    url: httpx.URL
    headers: dict[str, str]
    extensions: dict[str, str]


@dataclass(frozen=True)
class TargetPolicy:
    allow_loopback_http: bool = False
    resolver: Resolver = field(default=system_resolver)

    def _check_scheme(self, url: httpx.URL) -> None:
        if url.scheme == "https":
            return
        loopback_host = url.host in LOOPBACK_NAMES or _literal_loopback(url.host)
        if not (url.scheme == "http" and self.allow_loopback_http and loopback_host):
            raise TargetRefused("WEBHOOK_TARGET_NOT_HTTPS",
                                "webhook targets must use https")

    def _check_address(self, address: IPAddress) -> None:
        if is_public(address) or (self.allow_loopback_http and is_loopback(address)):
            return
        raise TargetRefused("WEBHOOK_TARGET_FORBIDDEN_ADDRESS",
                            "the webhook target is not a public internet address")

    async def addresses(self, url: httpx.URL) -> list[IPAddress]:
        """The checked addresses of `url`'s host; every one of them must be allowed (one
        private answer among public ones is enough to refuse)."""
        self._check_scheme(url)
        literal = _literal(url.host)
        if literal is not None:
            found = [literal]
        else:
            found = [ipaddress.ip_address(a.split("%", 1)[0])
                     for a in await self.resolver(url.host, url.port or _default_port(url))]
            if not found:
                raise Unresolvable(url.host)
        for address in found:
            self._check_address(address)
        return found

    async def check_registration(self, raw_url: str) -> None:
        """At registration a name that does not resolve yet is accepted: delivery checks it."""
        try:
            await self.addresses(parse(raw_url))
        except Unresolvable:
            return

    async def pin(self, raw_url: str) -> PinnedTarget:
        """Check `raw_url` now and aim the request at the address checked."""
        url = parse(raw_url)
        address = (await self.addresses(url))[0]
        host_header = url.host if url.port is None else f"{url.host}:{url.port}"
        pinned = url.copy_with(host=str(address))
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        return PinnedTarget(url=pinned, headers={"host": host_header}, extensions=extensions)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _literal_loopback(host: str) -> bool:
    literal = _literal(host)
    return literal is not None and is_loopback(literal)


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80
