"""The address phones at the venue can reach: the machine's LAN address, not localhost.

Read from the interfaces the kernel reports (no packets are sent): the
first private IPv4 address wins, as that is the venue network.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import subprocess


def _candidates() -> list[str]:
    found: list[str] = []
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(info[4][0]))
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            ["/usr/bin/env", "hostname", "-I"], capture_output=True, text=True, timeout=2
        ).stdout
        found.extend(out.split())
    return found


def lan_address() -> str | None:
    """A private, non-loopback IPv4 address of this machine, or None."""
    best: str | None = None
    for candidate in _candidates():
        try:
            ip = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if ip.version != 4 or ip.is_loopback or ip.is_link_local:
            continue
        if ip.is_private:
            return candidate
        best = best or candidate
    return best


def public_base(public_url: str | None, host: str, port: int) -> str:
    """The base of every link we hand out."""
    if public_url:
        return public_url.rstrip("/")
    wildcard = host in ("0.0.0.0", "::", "")  # noqa: S104
    address = (lan_address() or "127.0.0.1") if wildcard else host
    return f"http://{address}:{port}"
