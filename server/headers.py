"""Security headers on every HTTP response.

The pages load nothing from outside (no CDN, font or tracker), so the
Content-Security-Policy can say "this server only": a script injected
through some future template bug could not load code from elsewhere or
send data away, and no other site may frame our pages (clickjacking the
console or a vote button). Styles allow ``style=""`` attributes only (a few
templates set a width); ``<style>`` elements and inline scripts are refused.
"""

from __future__ import annotations

import re

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

_HOST = re.compile(r"^[A-Za-z0-9.\[\]:-]{1,255}$")


def content_security_policy(
    host: str, inline_styles: bool = False, framed_by_self: bool = False
) -> str:
    """The policy; ``inline_styles`` for the report page, whose CSS is inline so that
    the same HTML works as a downloaded file and for WeasyPrint; ``framed_by_self``
    for the screen, which the console shows as a small preview in a frame (our own
    pages only: the screen has nothing to click, and no other site may frame it)."""
    # 'self' covers same-origin WebSockets in current browsers; older Safari
    # (before 15.4) needs the ws(s) origin spelled out.
    sockets = f" ws://{host} wss://{host}" if _HOST.match(host) else ""
    styles = "'self' 'unsafe-inline'" if inline_styles else "'self'"
    ancestors = "'self'" if framed_by_self else "'none'"
    return (
        "default-src 'self'; "
        "script-src 'self'; "
        f"style-src {styles}; "
        "style-src-attr 'unsafe-inline'; "
        "img-src 'self' data:; "
        f"connect-src 'self'{sockets}; "
        "font-src 'self'; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )


_FIXED = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # secret links must not leak to other sites
    (b"cross-origin-opener-policy", b"same-origin"),
)


def security_headers(app: ASGIApp) -> ASGIApp:
    """Add the headers above to every HTTP response that does not set them itself."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        host = ""
        for name, value in scope.get("headers", []):
            if name == b"host":
                host = value.decode("latin-1").strip()
                break
        csp = content_security_policy(host).encode("latin-1")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in (*_FIXED, (b"content-security-policy", csp)):
                    if name not in present:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware
