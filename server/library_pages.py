"""The Werkzeugkiste as pages: the admin's template library, the console's "save as
template" form, and duplicating an event (issue 13).

The library lists the built-in and the instance's own templates with a
preview of their phases, a download of each file, an upload that imports one
(checked whole before anything is stored: server/toolbox.py), and deletion of
own templates (a box to tick, and the form token like every admin form).
Duplicating an event is the same operation as saving it as a template: its
structure without the people, built again into a new event.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from rooms import views
from server.auth import key_hash, moderator_cookie, new_key
from server.csrf import FIELD as CSRF_FIELD
from server.hub import Hub
from server.i18n import N_, gettext, reason_text
from server.pages import (
    AnyRequest,
    console_denied,
    cookie,
    follow,
    form_guard,
    form_ok,
    form_refused,
    html,
    is_admin,
    is_moderator,
    message_page,
    page_language,
    room_of,
    with_form_guard,
)
from server.services import Services, services
from server.toolbox import (
    SUFFIX,
    Library,
    Template,
    TemplateError,
    build_from_template,
    encode,
    from_room,
    parse,
)

MAX_OWN = 300
"""Own templates a moderator may save from the console: a moderator link must not fill the disk."""

MAX_FILE = 512 * 1024
"""As the API's import (server/template_routes.py): 40 phases and their drafts fit in a fraction."""

ERRORS = {
    "not_json": N_("The file is not a JSON document; a template ends in .dialograum.json."),
    "foreign": N_(
        "This is not a Dialograum template: the field “dialograum” is missing"
        " or does not say “template”."
    ),
    "version": N_("The field “version” says %(detail)s; this server reads templates of version 1."),
    "missing": N_("The field “%(field)s” is missing."),
    "unknown": N_("The field “%(field)s” does not belong in a template."),
    "invalid": N_("The value in the field “%(field)s” does not fit (%(detail)s)."),
    "duplicate_ref": N_("The name in the field “%(field)s” (%(detail)s) is used twice."),
    "undefined_ref": N_(
        "The field “%(field)s” points at %(detail)s, which this file does not define."
    ),
    "refused": N_("The entry in the field “%(field)s” cannot be created: %(detail)s"),
    "builtin_id": N_(
        "The field “id” says %(detail)s, the id of a built-in template. Please choose another id."
    ),
    "too_large": N_("The file is larger than %(detail)s KB."),
    "no_file": N_("Please choose a .dialograum.json file."),
}


TYPES = {
    "int": N_("a whole number"),
    "float": N_("a number"),
    "str": N_("text"),
    "bool": N_("true or false"),
    "array": N_("a list"),
    "object": N_("an object"),
    "null": N_("null"),
}
_WRONG_TYPE = re.compile(r"^Expected `(\w+)`, got `(\w+)`$")
_TOO_LONG = re.compile(r"^Expected `(?:str|array)` of length <= (\d+)$")
_BAD_CHOICE = re.compile(r"^Invalid enum value (.+)$")
_PATTERN = re.compile(r"^Expected `str` matching regex ")


def _what(lang: str, detail: str) -> str:
    """msgspec's account of a wrong value, in the reader's language where it is a common one."""
    if found := _WRONG_TYPE.match(detail):
        expected, got = (gettext(lang, TYPES.get(t, t)) for t in found.groups())
        return gettext(lang, "expected %(expected)s, found %(got)s") % {
            "expected": expected,
            "got": got,
        }
    if found := _TOO_LONG.match(detail):
        return gettext(lang, "too long: at most %(num)s") % {"num": found.group(1)}
    if found := _BAD_CHOICE.match(detail):
        return gettext(lang, "%(value)s is not one of the allowed values") % {
            "value": found.group(1)
        }
    if _PATTERN.match(detail):
        return gettext(lang, "only lower-case letters, digits, - and _ are allowed")
    return detail


def error_text(lang: str, exc: TemplateError) -> str:
    """What is wrong with a file, in the reader's language, naming the field."""
    detail = exc.detail
    if exc.reason == "refused":
        detail = reason_text(lang, exc.detail) or exc.detail
    elif exc.reason == "invalid":
        detail = _what(lang, exc.detail)
    text = gettext(lang, ERRORS.get(exc.reason, ERRORS["invalid"]))
    return text % {"field": exc.field or "–", "detail": detail or "–"}


_SLUG = re.compile(r"[^a-z0-9]+")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def template_id(title: str, code: str) -> str:
    """An own template's id from its name and the event it came from (saved again: replaced)."""
    plain = title.lower().translate(_GERMAN)
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    slug = _SLUG.sub("-", plain).strip("-")[:40] or "event"
    return f"{slug}-{code.lower()}"


class PhaseRow(msgspec.Struct, frozen=True):
    """One phase of a template's preview, in words."""

    title: str
    minutes: int
    shows: str
    screen: str
    heading: str


def preview_rows(lang: str, template: Template) -> list[PhaseRow]:
    """A template's phases in words: the poll's question, the board's prompt … (built here,
    not in Jinja: a library of hundreds of templates stays quick to render)."""
    named = {
        **{f"poll:{p.ref}": f"{gettext(lang, 'Poll')}: {p.question}" for p in template.polls},
        **{f"board:{b.ref}": f"{gettext(lang, 'Board')}: {b.prompt}" for b in template.boards},
        **{f"qna:{q.ref}": f"{gettext(lang, 'Q&A')}: {q.title}" for q in template.qna},
        "cafe": gettext(lang, "World Café"),
        "speakers": gettext(lang, "Speaker list"),
        "actions": gettext(lang, "Actions"),
        "agenda": gettext(lang, "Agenda"),
    }
    return [
        PhaseRow(
            p.title,
            p.minutes,
            "; ".join(named.get(r, r) for r in p.activities),
            named.get(p.screen, p.screen),
            p.heading,
        )
        for p in template.phases
    ]


def _denied(svc: Services, lang: str) -> Response[str]:
    return message_page(
        svc,
        lang,
        401,
        gettext(lang, "Admin link needed"),
        gettext(lang, "Please open the admin link that the server printed at start."),
    )


async def library_page(
    svc: Services,
    request: AnyRequest,
    lang: str,
    status: int = 200,
    error: str | None = None,
    notice: str | None = None,
    alert: str | None = None,
    **form: Any,
) -> Response[str]:
    """The page; ``error`` is the import's (shown at its form), ``alert`` a deletion's."""
    library = Library(svc.settings.data_path)
    response = html(
        svc,
        lang,
        "admin/library.html",
        status,
        templates=[(i, preview_rows(lang, t)) for i, t in library.preview()],
        error=error,
        notice=notice,
        alert=alert,
        form={"name": "", "author": "", **form},
        csrf=form_guard(svc, request).token,
        suffix=SUFFIX,
    )
    with_form_guard(request, response)
    return response


@get("/admin/vorlagen", include_in_schema=False)
async def library(request: AnyRequest) -> Response[Any]:
    """The Werkzeugkiste: every template with its phases, export, delete and import."""
    svc = services(request)
    lang = page_language(request)
    if not is_admin(svc, request):
        return _denied(svc, lang)
    return await library_page(svc, request, lang)


@get("/admin/vorlagen/{template_id:str}/datei", include_in_schema=False)
async def download(request: AnyRequest, template_id: FromPath[str]) -> Response[Any]:
    """One template as its file, built-in or own, to hand to another region."""
    svc = services(request)
    lang = page_language(request)
    if not is_admin(svc, request):
        return _denied(svc, lang)
    template = Library(svc.settings.data_path).get(template_id)
    if template is None:
        text = reason_text(lang, "template_not_found") or ""
        return message_page(svc, lang, 404, gettext(lang, "Template"), text)
    return Response(
        encode(template),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{template.id}{SUFFIX}"'},
    )


@post("/admin/vorlagen", include_in_schema=False, status_code=200)
async def upload(request: AnyRequest) -> Response[Any]:
    """Import a file. It is checked whole, then stored in one rename, or not at all.

    The name and author fields, when filled in, take the place of the file's;
    on a refusal the page comes back with them as typed and the field named.
    """
    svc = services(request)
    lang = page_language(request)
    if not is_admin(svc, request):
        return _denied(svc, lang)
    raw_form = await request.form()
    sent = raw_form.get("file")
    form = {k: v.strip() for k, v in raw_form.items() if isinstance(v, str)}
    if not form_ok(svc, request, form.pop(CSRF_FIELD, None)):
        return form_refused(svc, request, lang, "/admin/vorlagen")
    library = Library(svc.settings.data_path)
    try:
        if not isinstance(sent, UploadFile) or not sent.filename:
            raise TemplateError("no file", "file", "no_file")
        raw = await sent.read()
        if len(raw) > MAX_FILE:
            raise TemplateError("too large", None, "too_large", str(MAX_FILE // 1024))
        template = parse(raw)
        overrides = {k: form[k] for k in ("name", "author") if form.get(k)}
        if overrides:
            template = parse(encode(_replace(template, **overrides)))
        library.save(template)
    except TemplateError as exc:
        error = error_text(lang, exc)
        return await library_page(svc, request, lang, 422, error, **form)
    notice = gettext(lang, "Imported: %(name)s") % {"name": template.name}
    return await library_page(svc, request, lang, 200, None, notice)


def _replace(template: Template, **fields: str) -> Template:
    return msgspec.structs.replace(template, **fields)


@post("/admin/vorlagen/{template_id:str}/loeschen", include_in_schema=False, status_code=200)
async def delete(request: AnyRequest, template_id: FromPath[str]) -> Response[Any]:
    """Delete an own template; the box "yes, delete" must be ticked. Built-in ones stay."""
    svc = services(request)
    lang = page_language(request)
    if not is_admin(svc, request):
        return _denied(svc, lang)
    form = await request.form()
    if not form_ok(svc, request, form.get(CSRF_FIELD)):
        return form_refused(svc, request, lang, "/admin/vorlagen")
    library = Library(svc.settings.data_path)
    if template_id in library.builtin:
        error = gettext(lang, "Built-in templates cannot be deleted.")
        return await library_page(svc, request, lang, 422, alert=error)
    if form.get("confirm") != "yes":
        error = gettext(lang, "Nothing was deleted: please tick “Yes, delete” first.")
        return await library_page(svc, request, lang, 422, alert=error)
    if not library.delete(template_id):
        return await library_page(svc, request, lang, 404, reason_text(lang, "template_not_found"))
    return await library_page(svc, request, lang, 200, None, gettext(lang, "Template deleted."))


@post("/admin/events/{code:str}/duplizieren", include_in_schema=False, status_code=200)
async def duplicate(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """A new event with this one's structure and no people: agenda, drafts, settings.

    The same operation as saving a template (:func:`server.toolbox.from_room`),
    built straight into a new event; its console opens with a new moderator key.
    """
    svc = services(request)
    lang = page_language(request)
    if not is_admin(svc, request):
        return _denied(svc, lang)
    form = await request.form()
    if not form_ok(svc, request, form.get(CSRF_FIELD)):
        return form_refused(svc, request, lang, "/admin")
    hub = await room_of(svc, code)
    lobby = hub.state.lobby
    template = from_room(hub.state, template_id(lobby.title, hub.code), lobby.title)
    key = new_key()
    title = (gettext(lang, "Copy of %(title)s") % {"title": lobby.title})[:160]
    created = await svc.rooms.create_event(
        title, lobby.format, lobby.language, None, key_hash(key), lobby.details
    )
    if not isinstance(created, str):
        text = reason_text(lang, created.reason) or ""
        return message_page(svc, lang, 422, gettext(lang, "Nothing was changed"), text)
    await build_from_template(await room_of(svc, created), template)
    return follow(svc, lang, f"/console/{created}", [cookie(svc, moderator_cookie(created), key)])


# --- the console: save as template ---------------------------------------------


@get("/console/{code:str}/vorlage", include_in_schema=False)
async def save_form(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not is_moderator(request, hub):
        return console_denied(svc, lang)
    return _save_page(svc, request, hub, lang)


def _save_page(
    svc: Services,
    request: AnyRequest,
    hub: Hub,
    lang: str,
    status: int = 200,
    error: str | None = None,
    saved: str | None = None,
    **form: str,
) -> Response[str]:
    lobby = hub.state.lobby
    response = html(
        svc,
        lang,
        "console/save_template.html",
        status,
        ev=views.public_view(hub.state, 0),
        phases=len(hub.state.agenda.in_order()),
        form={
            "name": lobby.title,
            "description": "",
            "author": lobby.details.organisers or "",
            **form,
        },
        error=error,
        saved=saved,
        csrf=form_guard(svc, request).token,
    )
    with_form_guard(request, response)
    return response


@post("/console/{code:str}/vorlage", include_in_schema=False, status_code=200)
async def save(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """Store the event's structure in the instance's library, with name, description and author.

    Saving the same event again under the same name replaces its earlier
    template (the id is the name's slug and the event code).
    """
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not is_moderator(request, hub):
        return console_denied(svc, lang)
    raw = await request.form()
    form = {k: v.strip() for k, v in raw.items() if isinstance(v, str)}
    if not form_ok(svc, request, form.pop(CSRF_FIELD, None)):
        return form_refused(svc, request, lang, f"/console/{hub.code}/vorlage")
    name = form.get("name", "")
    if not name:
        error = gettext(lang, "Please give the template a name.")
        return _save_page(svc, request, hub, lang, 422, error, **form)
    library = Library(svc.settings.data_path)
    new_id = template_id(name, hub.code)
    if library.own_count() >= MAX_OWN and library.get(new_id) is None:
        error = gettext(lang, "The template library is full. Please ask the admin to delete some.")
        return _save_page(svc, request, hub, lang, 422, error, **form)
    template = from_room(hub.state, new_id, name, form.get("author", ""))
    template = _replace(template, description=form.get("description", ""))
    try:
        template = parse(encode(template))  # the limits of a file hold for the library too
        library.save(template)
    except TemplateError as exc:
        return _save_page(svc, request, hub, lang, 422, error_text(lang, exc), **form)
    return _save_page(svc, request, hub, lang, 200, None, template.name, **form)


ROUTES = (library, download, upload, delete, duplicate, save_form, save)
