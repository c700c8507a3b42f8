"""The routes of a phase's slide image: the console's upload, and the file for the screen.

The upload is a plain form (multipart, with the form token, like the
report's logo), because a picture does not fit a 16 KiB socket message. It
stores the cleaned picture (``server/slides.py``) and then submits
``agenda.set_image`` as the moderator, so the log says which phase shows
which file and every screen and console learns it the usual way.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Response

from rooms.agenda.domain import IMAGE, SetImage
from rooms.base import Actor, Role
from server import slides
from server.csrf import FIELD as CSRF_FIELD
from server.i18n import gettext, reason_text
from server.pages import (
    AnyRequest,
    console_denied,
    form_ok,
    form_refused,
    is_moderator,
    message_page,
    page_language,
    room_of,
)
from server.services import services

CACHE = "public, max-age=31536000, immutable"
"""A slide's address is its content's digest: a new picture is a new address."""


@post("/console/{code:str}/slide", include_in_schema=False, status_code=303)
async def upload_slide(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """A phase's slide image (PNG or JPEG, at most 5 MB); ``remove=1`` takes it off."""
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not is_moderator(request, hub):
        return console_denied(svc, lang)
    form = await request.form()
    back = f"/console/{hub.code}#agenda-panel"
    if not form_ok(svc, request, form.get(CSRF_FIELD)):
        return form_refused(svc, request, lang, back)
    phase = str(form.get("phase") or "")
    if phase not in hub.state.agenda.phases:
        return _refused(svc, lang, "phase_not_found", back)
    name = ""
    if not form.get("remove"):
        upload = form.get("image")
        try:
            if not isinstance(upload, UploadFile):
                raise slides.SlideRefused("slide_missing")
            data = await upload.read(slides.MAX_BYTES + 1)
            picture, suffix = await asyncio.to_thread(slides.clean, data)  # CPU: off the loop
        except slides.SlideRefused as refused:
            return _refused(svc, lang, refused.reason, back)
        name = await asyncio.to_thread(
            slides.store, svc.settings.data_path, hub.code, picture, suffix
        )
    result = await hub.submit(Actor(Role.MODERATOR), SetImage(phase=phase, image=name), None)
    if not result.ok:
        return _refused(svc, lang, result.reason or "phase_not_found", back)
    keep = {p.image for p in hub.state.agenda.phases.values() if p.image}
    await asyncio.to_thread(slides.prune, svc.settings.data_path, hub.code, keep)
    return Redirect(back, status_code=303)


def _refused(svc: Any, lang: str, reason: str, back: str) -> Response[str]:
    return message_page(
        svc,
        lang,
        422,
        gettext(lang, "Slide image not saved"),
        reason_text(lang, reason) or "",
        back=back,
    )


@get("/screen/{code:str}/slides/{name:str}", include_in_schema=False)
async def slide_image(
    code: FromPath[str], name: FromPath[str], request: AnyRequest
) -> Response[Any]:
    """The picture of a slide, for the projector (public, like the screen itself)."""
    svc = services(request)
    if not IMAGE.match(name) or not name:
        return Response(b"", status_code=404)
    try:
        path = slides.path_of(svc.settings.data_path, code, name)
        data = await asyncio.to_thread(path.read_bytes)
    except (OSError, ValueError):
        return Response(b"", status_code=404)
    media = "image/png" if name.endswith(".png") else "image/jpeg"
    return Response(data, media_type=media, headers={"Cache-Control": CACHE})


ROUTES = [upload_slide, slide_image]
