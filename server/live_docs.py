"""The live socket's messages in /schema: OpenAPI has no WebSockets, so a plain GET says them.

``GET /api/events/{code}/live`` without an upgrade is refused with 426
(upgrade required); its documented 101 response is :class:`server.wire.LiveMessages`,
so the Structs the socket speaks (hello, welcome, state, patch, ack, error,
progress) are in the served OpenAPI document, from the very Structs the
server encodes (docs/api.md, "The live socket").
"""

from __future__ import annotations

from litestar import get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath

from server.api import ApiError
from server.wire import ErrorResponse, LiveMessages


@get(
    "/api/events/{code:str}/live",
    tags=["live"],
    responses={
        101: ResponseSpec(
            data_container=LiveMessages,
            description="Switching protocols: the live socket; its messages, both ways",
        ),
        426: ResponseSpec(data_container=ErrorResponse, description="Not a WebSocket upgrade"),
    },
)
async def live_without_upgrade(code: FromPath[str]) -> None:
    """The live WebSocket (docs/api.md); a plain GET is refused with 426."""
    raise ApiError(426, "upgrade_required")
