"""Public network addresses of a host: what pantry may connect to on a URL
someone else gave it (webhook endpoints, image sources), so that a URL can
never make pantry reach loopback, private or link-local services."""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class NotPublic(Exception):
    """The host cannot be resolved (``unresolved``), or one of its addresses
    is not public."""

    def __init__(self, host: str, *, unresolved: bool = False) -> None:
        super().__init__(host)
        self.host, self.unresolved = host, unresolved


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def public_address(host: str, port: int) -> str:
    """The address to connect to for ``host``: every one it resolves to must
    be public, and the first is pinned (no second lookup can change it).

    Raises NotPublic.
    """
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            raise NotPublic(host, unresolved=True) from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses or not all(is_public(a) for a in addresses):
        raise NotPublic(host)
    return str(addresses[0])
