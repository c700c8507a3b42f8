"""Forms that change state only count when they come from our own pages.

Two checks, both needed by every state-changing form (join, leave, the
admin's forms):

- **Where from.** Browsers say where a request comes from: ``Sec-Fetch-Site``
  (Chromium, Firefox, Safari) and ``Origin`` on every POST. A form posted by
  another site says ``cross-site`` and names that site; it is refused.
- **A token only our page holds.** Each browser gets a random client id in
  an HttpOnly cookie (``dg_c``); our forms carry ``HMAC(secret, client id)``
  in a hidden field. Another site can make a browser post, but it cannot
  read our page, so it cannot know the token. This covers old browsers that
  send neither header.

The client id is also what binds a join's resend to the browser that sent
it (:func:`join_actor`): a join cid seen from another client is a new join,
never the first joiner's identity.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.datastructures import Cookie

from rooms.base import Actor, Role
from server.auth import Signer

AnyRequest = Request[Any, Any, Any]

CLIENT_COOKIE = "dg_c"
FIELD = "csrf"
YEAR = 365 * 24 * 3600

_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
_SAFE_SITES = {"same-origin", "none"}  # none: typed, bookmarked, or reloaded by the user


def new_client_id() -> str:
    return secrets.token_urlsafe(16)


def client_id(request: AnyRequest) -> str | None:
    """This browser's client id, if it has a well-formed one."""
    value = request.cookies.get(CLIENT_COOKIE)
    return value if value is not None and _CLIENT_ID.match(value) else None


def form_token(signer: Signer, client: str) -> str:
    return signer.derive("form", client)


class FormGuard:
    """A page's form token, and the cookie to set if this browser had no client id yet."""

    def __init__(self, signer: Signer, request: AnyRequest, secure: bool) -> None:
        existing = client_id(request)
        self.client = existing or new_client_id()
        self.token = form_token(signer, self.client)
        self.cookie: Cookie | None = None
        if existing is None:
            # Lax: a link from another site keeps the id, so the token in an
            # open tab stays valid. Posting from another site is refused anyway.
            self.cookie = Cookie(
                key=CLIENT_COOKIE,
                value=self.client,
                path="/",
                max_age=YEAR,
                httponly=True,
                samesite="lax",
                secure=secure,
            )


def same_origin(request: AnyRequest, base_url: str) -> bool:
    """True unless the browser says the request comes from another site."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site.strip().lower() not in _SAFE_SITES:
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    if origin.strip() == "null":
        # Sent for a page whose referrer policy is no-referrer, but also by sandboxed
        # frames: only good when the browser itself vouches for the same origin.
        return site is not None and site.strip().lower() == "same-origin"
    netloc = urlsplit(origin.strip()).netloc.lower()
    allowed = {request.headers.get("host", "").lower(), urlsplit(base_url).netloc.lower()}
    return netloc != "" and netloc in allowed


def form_allowed(request: AnyRequest, signer: Signer, base_url: str, sent: object) -> bool:
    """A state-changing form: from our own site, with the token of this browser."""
    if not same_origin(request, base_url):
        return False
    client = client_id(request)
    if client is None or not isinstance(sent, str) or not sent.isascii():
        return False
    return hmac.compare_digest(sent.encode(), form_token(signer, client).encode())


def join_actor(signer: Signer, code: str, client: str) -> Actor:
    """The guest who joins: cids scoped to this client, so resends stay with their sender.

    The value in the log is an HMAC of the client id, so reading the log
    never reveals a cookie.
    """
    return Actor(Role.GUEST, client=signer.derive("join", code, client))
